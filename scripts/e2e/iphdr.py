#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The IP header fields a tunnel's rules set, per packet.

  iphdr.py FILE [PROTOS]
  iphdr.py --live IFACE [PROTOS]

FILE: a pcap file of Ethernet frames (tcpdump -w); --live: the frames
IFACE sends and receives from now on (AF_PACKET), until killed, after a
first line "# listening". Prints one line per IPv4 or IPv6 packet (of an
upper protocol in PROTOS, comma-separated numbers, if given; IPv6: the
first next header), flushed at once:
  SRC DST PROTO DS DF TTL LEN FL
DS is the IPv4 TOS or IPv6 traffic class byte, 0xHH; DF 1 or 0 (IPv4),
- (IPv6); TTL the TTL or hop limit; LEN the packet's length from its IP
header; FL the IPv6 flow label, 0xHHHHH (IPv4: -). Plain Python (no scapy): it starts in
a fraction of a second in the guests.
"""
import socket
import struct
import sys


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        sys.exit("%s: not a pcap file" % path)
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        yield data[off + 16:off + 16 + incl]
        off += 16 + incl


def live(ifc):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((ifc, 0))
    print("# listening", flush=True)
    while True:
        yield s.recv(256)


def main():
    args = sys.argv[1:]
    source = frames
    if args and args[0] == "--live":
        source = live
        args = args[1:]
    want = {int(p) for p in args[1].split(",")} if len(args) > 1 else None
    for fr in source(args[0]):
        if len(fr) < 14:
            continue
        etype = struct.unpack("!H", fr[12:14])[0]
        ip = fr[14:]
        if etype == 0x0800 and len(ip) >= 20:
            proto, ds, ttl, fl = ip[9], ip[1], ip[8], "-"
            length = struct.unpack("!H", ip[2:4])[0]
            df = "1" if struct.unpack("!H", ip[6:8])[0] & 0x4000 else "0"
            src = socket.inet_ntop(socket.AF_INET, ip[12:16])
            dst = socket.inet_ntop(socket.AF_INET, ip[16:20])
        elif etype == 0x86dd and len(ip) >= 40:
            proto, ttl, df = ip[6], ip[7], "-"
            length = 40 + struct.unpack("!H", ip[4:6])[0]
            ds = (struct.unpack("!I", ip[0:4])[0] >> 20) & 0xff
            fl = "0x%05x" % (struct.unpack("!I", ip[0:4])[0] & 0xfffff)
            src = socket.inet_ntop(socket.AF_INET6, ip[8:24])
            dst = socket.inet_ntop(socket.AF_INET6, ip[24:40])
        else:
            continue
        if want is None or proto in want:
            print("%s %s %d 0x%02x %s %d %d %s" % (src, dst, proto, ds, df,
                                                   ttl, length, fl),
                  flush=True)


if __name__ == "__main__":
    main()
