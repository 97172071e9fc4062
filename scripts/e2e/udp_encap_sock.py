#!/usr/bin/python3
"""Hold what an IKE daemon holds for native XFRM's ESP in UDP (RFC 3948):
a UDP socket per address family on PORT with the UDP_ENCAP option
(UDP_ENCAP_ESPINUDP), carrying the xfrm bypass policies IKE daemons put on
their sockets (6.1 checks the socket's policy before it decapsulates).
Native XFRM decapsulates ESP in UDP only on such a socket; espah needs
none. TYPE nonike: UDP_ENCAP_ESPINUDP_NON_IKE (the eight-byte zero
marker before ESP) instead. Prints "ready", then sleeps until killed.
  udp_encap_sock.py [PORT [nonike]]"""
import socket
import struct
import sys
import time

UDP_ENCAP, UDP_ENCAP_ESPINUDP_NON_IKE, UDP_ENCAP_ESPINUDP = 100, 1, 2
IP_XFRM_POLICY, IPV6_XFRM_POLICY = 17, 35

port = int(sys.argv[1]) if len(sys.argv) > 1 else 4500
encap = UDP_ENCAP_ESPINUDP
if len(sys.argv) > 2 and sys.argv[2] == "nonike":
    encap = UDP_ENCAP_ESPINUDP_NON_IKE
held = []
for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    # struct xfrm_userpolicy_info: selector (family at 40), lifetimes,
    # counters, priority, index, dir (in, out), action allow
    for d in (0, 1):
        sel = bytearray(56)
        struct.pack_into("=H", sel, 40, fam)
        pol = bytes(sel) + bytes(96) + struct.pack("=IIBBBB", 0, 0, d, 0, 0, 0)
        pol += bytes(-len(pol) % 8)
        if fam == socket.AF_INET:
            s.setsockopt(socket.IPPROTO_IP, IP_XFRM_POLICY, pol)
        else:
            s.setsockopt(socket.IPPROTO_IPV6, IPV6_XFRM_POLICY, pol)
    s.bind((addr, port))
    s.setsockopt(socket.IPPROTO_UDP, UDP_ENCAP, encap)
    held.append(s)
print("ready", flush=True)
while True:
    time.sleep(3600)
