#!/usr/bin/python3
"""Packet and socket helpers of the security suite (t_security.sh).

Plain python3 and python3-cryptography, no scapy (its import costs 10-30 s
in the guests):

  sec_tool.py dups PCAP
      ESP packets in a capture (Ethernet, IPv4) and how many of them
      repeat an (SPI, sequence number) pair already seen: "ESP DUPS"
  sec_tool.py replay PCAP IFACE
      send every IPv4 ESP frame of the capture again, raw, on IFACE
  sec_tool.py udp-send [--bypass] SRC SPORT DST DPORT COUNT
      COUNT datagrams from a socket bound to SRC:SPORT; with --bypass the
      socket has xfrm bypass policies (IP_XFRM_POLICY, action allow, no
      templates), as IKE daemons set on their sockets
  sec_tool.py udp-recv [--bypass] ADDR PORT SECONDS
      datagrams received on ADDR:PORT within SECONDS (printed); once one
      came, a second without another ends the count (a sender's burst)
  sec_tool.py esp-tunnel IFACE DSTMAC OSRC ODST SPI KEYHEX ISRC IDST SEQ...
      tunnel-mode ESP, rfc4106(gcm(aes)), IPv4 in IPv4, an ICMP echo
      request from ISRC to IDST inside, one per SEQ, sent raw on IFACE
      (next header 4; SEC_NH=59 makes them RFC 4303 dummy packets)
  sec_tool.py udp-raw IFACE DSTMAC SRC SPORT DST DPORT LEN
      one IPv4 UDP packet sent raw; LEN < 8 truncates the UDP header
  sec_tool.py frag-needed IFACE DSTMAC SRC DST MTU QSRC QDST SPI good|bad
      ICMP "fragmentation needed" from SRC to DST quoting an ESP packet
      QSRC -> QDST of SPI, with a valid or a corrupt ICMP checksum
  sec_tool.py udp-big SRC DST DPORT LEN
      one UDP datagram of LEN bytes (no xfrm policy on the socket)
"""
import os
import socket
import struct
import sys
import time

IP_XFRM_POLICY = 17
IPV6_XFRM_POLICY = 35
XFRM_POLICY_IN, XFRM_POLICY_OUT = 0, 1
XFRM_POLICY_ALLOW = 0


def frames(path):
    """The link-layer frames of a classic pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        yield data[off + 16:off + 16 + incl]
        off += 16 + incl


def esp_of(frame):
    """(spi, seq) of an Ethernet + IPv4 + ESP frame, or None."""
    if len(frame) < 14 + 20 or frame[12:14] != b"\x08\x00":
        return None
    ip = frame[14:]
    ihl = (ip[0] & 0x0F) * 4
    if ip[9] != 50 or len(ip) < ihl + 8:
        return None
    return struct.unpack("!II", ip[ihl:ihl + 8])


def dups(path):
    seen = set()
    n = d = 0
    for fr in frames(path):
        e = esp_of(fr)
        if e is None:
            continue
        n += 1
        if e in seen:
            d += 1
        seen.add(e)
    print(n, d)


def replay(path, ifc):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifc, 0))
    n = 0
    for fr in frames(path):
        if esp_of(fr) is not None:
            s.send(fr)
            n += 1
    print(n)


def bypass(s, family):
    """The xfrm bypass policy charon and pluto put on their IKE sockets:
    struct xfrm_userpolicy_info, zeroed, selector family set, action
    allow, once per direction."""
    level = socket.IPPROTO_IP if family == socket.AF_INET else socket.IPPROTO_IPV6
    opt = IP_XFRM_POLICY if family == socket.AF_INET else IPV6_XFRM_POLICY
    for d in (XFRM_POLICY_IN, XFRM_POLICY_OUT):
        sel = bytearray(56)
        struct.pack_into("=H", sel, 40, family)
        tail = struct.pack("=IIBBBB", 0, 0, d, XFRM_POLICY_ALLOW, 0, 0)
        pol = bytes(sel) + bytes(64) + bytes(32) + tail
        pol += bytes(-len(pol) % 8)
        s.setsockopt(level, opt, pol)


def udp_sock(addr, port, with_bypass):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if with_bypass:
        bypass(s, fam)
    s.bind((addr, port))
    return s


def udp_send(args):
    byp = args[0] == "--bypass"
    src, sport, dst, dport, count = args[1:] if byp else args
    s = udp_sock(src, int(sport), byp)
    for i in range(int(count)):
        s.sendto(b"espah-sec %d" % i, (dst, int(dport)))
        time.sleep(0.01)


def udp_recv(args):
    byp = args[0] == "--bypass"
    addr, port, secs = args[1:] if byp else args
    s = udp_sock(addr, int(port), byp)
    end = time.monotonic() + float(secs)
    n = 0
    # ready: the caller waits for this file before it sends
    open("/tmp/sec-udp-ready.%s" % port, "w").close()
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(min(left, 1.0) if n else left)
        try:
            s.recv(2048)
            n += 1
        except socket.timeout:
            break
    print(n)


def csum(b):
    b += b"\0" * (len(b) % 2)
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    return ~(s + (s >> 16)) & 0xFFFF


def ipv4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64,
                    proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def esp_tunnel(args):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    ifc, mac, osrc, odst, spi, keyhex, isrc, idst = args[:8]
    key = bytes.fromhex(keyhex.removeprefix("0x"))
    aes, salt = AESGCM(key[:16]), key[16:20]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifc, 0))
    eth = bytes.fromhex(mac.replace(":", "")) + s.getsockname()[4] + b"\x08\x00"
    for seq in map(int, args[8:]):
        icmp = struct.pack("!BBHHH", 8, 0, 0, 0x4242, seq & 0xFFFF) + b"sec"
        icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
        inner = ipv4(isrc, idst, 1, icmp)
        padlen = (4 - (len(inner) + 2) % 4) % 4
        nh = int(os.environ.get("SEC_NH", "4"))
        pt = inner + bytes(range(1, padlen + 1)) + bytes([padlen, nh])
        hdr = struct.pack("!II", int(spi, 0), seq)
        iv = os.urandom(8)
        esp = hdr + iv + aes.encrypt(salt + iv, pt, hdr)
        s.send(eth + ipv4(osrc, odst, 50, esp))


def raw_sock(ifc, mac):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifc, 0))
    return s, bytes.fromhex(mac.replace(":", "")) + s.getsockname()[4] + b"\x08\x00"


def udp_raw(args):
    ifc, mac, src, sport, dst, dport, ln = args
    s, eth = raw_sock(ifc, mac)
    ln = int(ln)
    if ln >= 8:
        l4 = struct.pack("!HHHH", int(sport), int(dport), ln, 0) + bytes(ln - 8)
    else:
        l4 = struct.pack("!HHHH", int(sport), int(dport), 8, 0)[:ln]
    s.send(eth + ipv4(src, dst, 17, l4))


def frag_needed(args):
    ifc, mac, src, dst, mtu, qsrc, qdst, spi, good = args
    s, eth = raw_sock(ifc, mac)
    quoted = ipv4(qsrc, qdst, 50, struct.pack("!II", int(spi, 0), 1))[:28]
    icmp = struct.pack("!BBHHH", 3, 4, 0, 0, int(mtu)) + quoted
    c = csum(icmp)
    if good != "good":
        c ^= 0x0101
    icmp = icmp[:2] + struct.pack("!H", c) + icmp[4:]
    s.send(eth + ipv4(src, dst, 1, icmp))


def udp_big(args):
    src, dst, dport, ln = args
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.sendto(bytes(int(ln)), (dst, int(dport)))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "dups":
        dups(args[0])
    elif cmd == "replay":
        replay(args[0], args[1])
    elif cmd == "udp-send":
        udp_send(args)
    elif cmd == "udp-recv":
        udp_recv(args)
    elif cmd == "esp-tunnel":
        esp_tunnel(args)
    elif cmd == "udp-raw":
        udp_raw(args)
    elif cmd == "frag-needed":
        frag_needed(args)
    elif cmd == "udp-big":
        udp_big(args)
    else:
        sys.exit("sec_tool.py: unknown command " + cmd)


if __name__ == "__main__":
    main()
