#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Small parsers for the benchmark guest job (scripts/guest/bench.sh).

  bench_util.py tcp FILE          iperf3 -J TCP result: "MBITS BYTES"
  bench_util.py udp FILE          iperf3 -J UDP result: "PPS PACKETS"
                                  (received datagrams per second)
  bench_util.py native-pkts SPI   stdin: `ip -s xfrm state`; packets of SPI
  bench_util.py espah-pkts SPI    stdin: `espah -s -j state list`; same
  bench_util.py mem               one line of /proc/meminfo figures, bytes:
                                  "SLAB PERCPU MEMFREE"
  bench_util.py slab-total        sum of num_objs * objsize over /proc/slabinfo
  bench_util.py slab-top A B [N]  N caches whose footprint grew most from
                                  slabinfo snapshot A to B

A parse failure prints "error: ..." on stderr and exits 1; the caller
records the sample as failed instead of inventing a number.
"""
import json
import re
import sys


def die(msg):
    print("error: " + msg, file=sys.stderr)
    sys.exit(1)


def iperf(path):
    try:
        with open(path) as f:
            d = json.load(f)
    except (OSError, ValueError) as e:
        die("%s: %s" % (path, e))
    if "error" in d:
        die("iperf3: " + str(d["error"]))
    try:
        return d["end"]
    except KeyError:
        die("iperf3: no end section")


def tcp(path):
    e = iperf(path)
    r = e.get("sum_received") or die("iperf3: no sum_received")
    print("%.3f %d" % (r["bits_per_second"] / 1e6, r["bytes"]))


def udp(path):
    e = iperf(path)
    r = e.get("sum_received") or e.get("sum") or die("iperf3: no sum")
    got = r["packets"] - r["lost_packets"]
    secs = r["seconds"] or die("iperf3: zero duration")
    print("%.1f %d" % (got / secs, got))


def spi_of(s):
    return int(s, 0)


def native_pkts(spi):
    """`ip -s xfrm state` block: 'proto esp spi 0x... ' then
    'lifetime current:' then 'N(bytes), M(packets)'."""
    cur = False
    for line in sys.stdin:
        w = line.split()
        if len(w) >= 4 and w[0] == "proto" and w[2] == "spi":
            cur = int(w[3].split("(")[0], 0) == spi
            continue
        m = re.search(r"(\d+)\(packets\)", line)
        if cur and m:
            print(m.group(1))
            return
    print(0)


def espah_pkts(spi):
    try:
        d = json.load(sys.stdin)
    except ValueError as e:
        die("espah -j: %s" % e)
    for sa in d if isinstance(d, list) else []:
        if sa.get("spi") == spi:
            print(sa.get("stats", {}).get("packets", 0))
            return
    print(0)


def mem():
    v = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, rest = line.split(":", 1)
            v[k] = int(rest.split()[0]) * 1024
    print(v.get("Slab", 0), v.get("Percpu", 0), v.get("MemFree", 0))


def slabinfo(path="/proc/slabinfo"):
    caches = {}
    with open(path) as f:
        for line in f:
            if line.startswith(("slabinfo", "#")):
                continue
            w = line.split()
            # name active_objs num_objs objsize objperslab pagesperslab
            # : tunables ... : slabdata active_slabs num_slabs sharedavail
            pages = int(w[5]) * int(w[14]) * 4096
            caches[w[0]] = pages
    return caches


def slab_total():
    print(sum(slabinfo().values()))


def slab_top(a, b, n):
    sa, sb = slabinfo(a), slabinfo(b)
    d = sorted(((sb.get(k, 0) - sa.get(k, 0), k) for k in set(sa) | set(sb)),
               reverse=True)
    print(" ".join("%s:+%dKiB" % (k, v // 1024) for v, k in d[:n] if v > 0))


def main(argv):
    if len(argv) < 2:
        die(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "tcp":
        tcp(args[0])
    elif cmd == "udp":
        udp(args[0])
    elif cmd == "native-pkts":
        native_pkts(spi_of(args[0]))
    elif cmd == "espah-pkts":
        espah_pkts(spi_of(args[0]))
    elif cmd == "mem":
        mem()
    elif cmd == "slab-total":
        slab_total()
    elif cmd == "slab-top":
        slab_top(args[0], args[1], int(args[2]) if len(args) > 2 else 6)
    else:
        die("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
