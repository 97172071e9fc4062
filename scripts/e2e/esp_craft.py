#!/usr/bin/python3
"""Craft and send tunnel-mode ESP packets, rfc4106(gcm(aes)), IPv4 outer.

    esp_craft.py SRC DST SPI KEYHEX INNER_SRC INNER_DST SEQ [SEQ...]
        [--pad bad|ok] [--nexthdr N] [--count N] [--wrap SPI KEYHEX SEQ]
    esp_craft.py SRC DST SPI KEYHEX --batch < LINES

With --batch each line of standard input is one packet's
"INNER_SRC INNER_DST SEQ [--pad bad] [--nexthdr N]", sent in order by
one process (its start-up takes seconds under emulation).

KEYHEX is the 20-byte SA key (16-byte AES key, 4-byte salt), as given to
ip xfrm / espah. The inner packet is an ICMP echo request from INNER_SRC
to INNER_DST (id 0x4242, payload "espah-craft"). Each SEQ is sent once
(times --count). Used by the negative suites to make packets a real peer
would not send: bad padding, wrong next header, inner addresses outside
the SA's selector, chosen sequence numbers, ESP inside ESP (--wrap: the
finished packet is sent inside a second tunnel SA's ESP, sequence number
SEQ).
"""
import argparse
import logging
import os
import struct
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

logging.getLogger("scapy").setLevel(logging.ERROR)
from scapy.config import conf  # noqa: E402
from scapy.layers.inet import ICMP, IP  # noqa: E402
from scapy.packet import Raw  # noqa: E402
from scapy.sendrecv import send  # noqa: E402

conf.verb = 0


def esp_encap(src, dst, spi, key, seq, inner, nexthdr=4, pad="ok"):
    """inner (bytes) in tunnel-mode ESP from src to dst, as an IP packet."""
    key = bytes.fromhex(key.removeprefix("0x"))
    aes, salt = key[:16], key[16:20]
    padlen = (4 - (len(inner) + 2) % 4) % 4 or 4
    padding = bytes(range(1, padlen + 1))
    if pad == "bad":
        padding = bytes([0xEE] * padlen)
    pt = inner + padding + bytes([padlen, nexthdr])
    iv = os.urandom(8)
    hdr = struct.pack("!II", spi, seq & 0xFFFFFFFF)
    ct = AESGCM(aes).encrypt(salt + iv, pt, hdr)
    return IP(src=src, dst=dst, proto=50) / Raw(hdr + iv + ct)


def esp_packet(a, seq):
    inner = bytes(IP(src=a.inner_src, dst=a.inner_dst) /
                  ICMP(id=0x4242, seq=seq & 0xFFFF) / Raw(b"espah-craft"))
    p = esp_encap(a.src, a.dst, a.spi, a.key, seq, inner, a.nexthdr, a.pad)
    if a.wrap:
        # ESP in ESP: the packet, whole, inside a second tunnel SA's
        spi, key, wseq = a.wrap
        p = esp_encap(a.src, a.dst, int(spi, 0), key, int(wseq), bytes(p))
    return p


def packet_args(p, argv):
    p.add_argument("inner_src")
    p.add_argument("inner_dst")
    p.add_argument("seq", type=int, nargs="+")
    p.add_argument("--pad", choices=["ok", "bad"], default="ok")
    p.add_argument("--nexthdr", type=int, default=4)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--wrap", nargs=3, metavar=("SPI", "KEYHEX", "SEQ"))
    return p.parse_args(argv)


def main(argv=None, lines=None):
    """Send the packets; argv and lines (the --batch input) default to the
    command line and standard input. The suites call it inside their scapy
    server (lib.sh: scapy), which has imported scapy already."""
    p = argparse.ArgumentParser()
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("spi", type=lambda s: int(s, 0))
    p.add_argument("key")
    p.add_argument("--batch", action="store_true")
    a, rest = p.parse_known_args(argv)
    if not a.batch:
        lines = [rest]
    elif lines is None:
        lines = sys.stdin.read().splitlines()
    for line in lines:
        argv = line.split() if a.batch else line
        if not argv:
            continue
        pa = packet_args(argparse.ArgumentParser(prog="packet"), argv)
        for k, v in vars(a).items():
            setattr(pa, k, v)
        for seq in pa.seq:
            send(esp_packet(pa, seq), count=pa.count)


if __name__ == "__main__":
    main()
