#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The IP header fields a tunnel's rules set, per packet of a capture.

  iphdr.py FILE [PROTO]

FILE: a pcap file of Ethernet frames (tcpdump -w). Prints one line per
IPv4 or IPv6 packet (of upper protocol PROTO, a number, if given; IPv6:
the first next header):
  SRC DST PROTO DS DF TTL
DS is the IPv4 TOS or IPv6 traffic class byte, 0xHH; DF 1 or 0 (IPv4),
- (IPv6); TTL the TTL or hop limit. Plain Python (no scapy): it starts in
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


def main():
    want = int(sys.argv[2]) if len(sys.argv) > 2 else None
    for fr in frames(sys.argv[1]):
        if len(fr) < 14:
            continue
        etype = struct.unpack("!H", fr[12:14])[0]
        ip = fr[14:]
        if etype == 0x0800 and len(ip) >= 20:
            proto, ds, ttl = ip[9], ip[1], ip[8]
            df = "1" if struct.unpack("!H", ip[6:8])[0] & 0x4000 else "0"
            src = socket.inet_ntop(socket.AF_INET, ip[12:16])
            dst = socket.inet_ntop(socket.AF_INET, ip[16:20])
        elif etype == 0x86dd and len(ip) >= 40:
            proto, ttl, df = ip[6], ip[7], "-"
            ds = (struct.unpack("!I", ip[0:4])[0] >> 20) & 0xff
            src = socket.inet_ntop(socket.AF_INET6, ip[8:24])
            dst = socket.inet_ntop(socket.AF_INET6, ip[24:40])
        else:
            continue
        if want is None or proto == want:
            print("%s %s %d 0x%02x %s %d" % (src, dst, proto, ds, df, ttl))


if __name__ == "__main__":
    main()
