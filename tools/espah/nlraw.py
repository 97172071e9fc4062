#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send one espah generic netlink request as given, attribute by attribute,
and print the answer: requests the espah tool never builds (test-guest.sh).

  nlraw.py CMD [TYPE:KIND:VALUE]...

CMD and TYPE are numbers or names (enum espah_cmd, enum espah_attr: SA_ADD,
SA_DF, without the ESPAH_CMD_/ESPAH_A_ prefix, read from the uapi header
next to this tree, so that a test does not hold numbers that move when
attributes are added); KIND is u8,
u16, u32, be32, u64, str (NUL-terminated), hex (raw bytes), or nest (VALUE
is a comma-separated list of TYPE/KIND/VALUE inside it). Prints
"errno N" (0: accepted), then "msg TEXT" if the kernel sent an extack
message and "offs N" for NLMSGERR_ATTR_OFFS.
"""
import os
import re
import socket
import struct
import sys

UAPI = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    "../../include/uapi/linux/espah.h")

NETLINK_GENERIC = 16
NETLINK_EXT_ACK = 11
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 16, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS = 1, 2
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200


def attr(t, data):
    a = struct.pack("=HH", 4 + len(data), t) + data
    return a + b"\0" * (-len(a) % 4)


def value(kind, v):
    if kind == "u8":
        return struct.pack("=B", int(v, 0))
    if kind == "u16":
        return struct.pack("=H", int(v, 0))
    if kind == "u32":
        return struct.pack("=I", int(v, 0))
    if kind == "be32":
        return struct.pack(">I", int(v, 0))
    if kind == "u64":
        return struct.pack("=Q", int(v, 0))
    if kind == "str":
        return v.encode() + b"\0"
    if kind == "hex":
        return bytes.fromhex(v)
    if kind == "nest":
        return b"".join(attr(int(t) | (0x8000 if k == "nest" else 0),
                             value(k, x))
                        for t, k, x in (i.split("/", 2) for i in v.split(",")))
    sys.exit("unknown kind " + kind)


def enum_value(prefix, name):
    """The value of ESPAH_<prefix><name> in its enum of the uapi header."""
    if re.fullmatch(r"\d+", name):
        return int(name)
    text = re.sub(r"/\*.*?\*/", "", open(UAPI).read(), flags=re.S)
    for body in re.findall(r"enum \w+ \{(.*?)\};", text, flags=re.S):
        names = [n.strip().split("=")[0].strip() for n in body.split(",")]
        names = [n for n in names if n]
        if names and names[0].startswith("ESPAH_" + prefix):
            if "ESPAH_" + prefix + name in names:
                return names.index("ESPAH_" + prefix + name)
    sys.exit("no ESPAH_%s%s in %s" % (prefix, name, UAPI))


def transact(s, ftype, cmd, payload, seq):
    body = struct.pack("=BBH", cmd, 1, 0) + payload
    s.send(struct.pack("=IHHII", 16 + len(body), ftype, NLM_F_REQUEST | NLM_F_ACK,
                       seq, 0) + body)
    reply = None
    while True:
        data = s.recv(65536)
        off = 0
        while off + 16 <= len(data):
            ln, typ, flags, _, _ = struct.unpack_from("=IHHII", data, off)
            msg = data[off:off + ln]
            off += (ln + 3) & ~3
            if typ == NLMSG_ERROR:
                return reply, msg, flags
            reply = msg


def main():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    s.setsockopt(270, NETLINK_EXT_ACK, 1)
    reply, err, _ = transact(s, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                             attr(CTRL_ATTR_FAMILY_NAME, b"espah\0"), 1)
    if reply is None:
        sys.exit("family espah not found")
    fid, off = None, 20
    while off + 4 <= len(reply):
        ln, t = struct.unpack_from("=HH", reply, off)
        if t == CTRL_ATTR_FAMILY_ID:
            fid = struct.unpack_from("=H", reply, off + 4)[0]
        off += (ln + 3) & ~3
    payload = b""
    for a in sys.argv[2:]:
        t, kind, v = a.split(":", 2)
        # a nest carries NLA_F_NESTED, as the kernel's strict parsing wants
        payload += attr(enum_value("A_", t) | (0x8000 if kind == "nest" else 0),
                        value(kind, v))
    _, err, flags = transact(s, fid, enum_value("CMD_", sys.argv[1]), payload, 2)
    errno = -struct.unpack_from("=i", err, 16)[0]
    print("errno", errno)
    if not flags & NLM_F_ACK_TLVS:
        return
    inner = struct.unpack_from("=I", err, 20)[0]
    off = 20 + (16 if flags & NLM_F_CAPPED else inner)
    while off + 4 <= len(err):
        ln, t = struct.unpack_from("=HH", err, off)
        if ln < 4:
            break
        if t == NLMSGERR_ATTR_MSG:
            print("msg", err[off + 4:off + ln].rstrip(b"\0").decode())
        elif t == NLMSGERR_ATTR_OFFS:
            print("offs", struct.unpack_from("=I", err, off + 4)[0])
        off += (ln + 3) & ~3


if __name__ == "__main__":
    main()
