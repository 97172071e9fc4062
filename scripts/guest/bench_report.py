#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Result table of `make bench` from the guest's bench-raw.txt (host side).

  bench_report.py RAW

RAW lines (written by scripts/guest/bench.sh): "IMPL/ALG/MODE METRIC VALUE
[SA]" where VALUE is an iperf3 -J file relative to RAW's directory or a
reason (refused, unprotected, error) and SA the packets the receiving SA
counted during that run. A sample counts only if the SA really carried the
traffic: for UDP every received datagram, for TCP at least one packet per
64 KiB received (the most a GSO/GRO packet can hold) and more than zero.

Medians per configuration, espah/native ratio per row (of the medians),
and the paired ratio: the median of the per-run ratios espah/native (the
two ran minutes apart in the same run, so a slow spell of the host moves
both), with their range. A row whose espah
samples are not all valid says why (refused by espah, espah: no traffic
protected, iperf3 failed) and prints no ratio: a ratio is only shown when
both sides have valid samples.
"""
import json
import os
import statistics
import sys
from collections import defaultdict, OrderedDict

ROWFMT = "%-40s %28s %14s %10s %6s %18s"

WHY = {
    "refused": "refused by espah",
    "unprotected": "no traffic protected",
    "error": "iperf3 failed",
    "badjson": "iperf3 output unreadable",
}


def iperf_value(path, metric):
    """(value, amount): Mbit/s and bytes (tcp) or received packets/s and
    packets (udp); None when the file holds no result."""
    try:
        with open(path) as f:
            end = json.load(f)["end"]
        if metric == "tcp":
            r = end["sum_received"]
            return r["bits_per_second"] / 1e6, r["bytes"]
        r = end.get("sum_received") or end["sum"]
        got = r["packets"] - r["lost_packets"]
        return got / r["seconds"], got
    except (OSError, ValueError, KeyError, TypeError, ZeroDivisionError):
        return None


def sample(base, metric, val, sa):
    """A number, or a reason word."""
    if not val.startswith("json/"):
        return val
    r = iperf_value(os.path.join(base, val), metric)
    if r is None:
        return "badjson"
    v, amount = r
    if sa == "-":
        return v
    try:
        n = int(sa)
    except ValueError:
        return "unprotected"
    if metric == "udp":
        ok = amount > 0 and n >= amount
    else:
        ok = n > 0 and n >= amount // 65536
    return v if ok else "unprotected"


def slab_caches(path):
    caches = {}
    with open(path) as f:
        for line in f:
            if line.startswith(("slabinfo", "#")):
                continue
            w = line.split()
            # name active num objsize perslab pagesperslab : tunables a b c
            # : slabdata active_slabs num_slabs sharedavail
            caches[w[0]] = int(w[5]) * int(w[14]) * 4096
    return caches


def slab_top(base, impl, n=6):
    try:
        a = slab_caches(os.path.join(base, "slabinfo-%s-0" % impl))
        b = slab_caches(os.path.join(base, "slabinfo-%s-1" % impl))
    except (OSError, ValueError, IndexError):
        return None
    d = sorted(((b.get(k, 0) - a.get(k, 0), k) for k in set(a) | set(b)),
               reverse=True)
    return " ".join("%s +%d KiB" % (k, v // 1024) for v, k in d[:n] if v > 0)


def num(v):
    try:
        return float(v)
    except ValueError:
        return None


def load(path):
    base = os.path.dirname(os.path.abspath(path))
    samples = defaultdict(list)     # (impl, alg, mode, metric) -> [values]
    mem = defaultdict(dict)         # impl -> {key: value}
    info, algs, refusals = [], OrderedDict(), {}
    modes = OrderedDict()
    with open(path) as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0] == "info":
                if w[1] == "alg" and len(w) > 2:
                    algs[w[2]] = " ".join(w[3:])
                else:
                    info.append(" ".join(w[1:]))
                continue
            if w[0] == "refusal":
                refusals[w[1]] = " ".join(w[2:])
                continue
            if len(w) not in (3, 4):
                continue
            cfg, metric, val = w[:3]
            parts = cfg.split("/")
            if parts[0] == "mem":
                mem[parts[1]][metric] = val
                continue
            if len(parts) != 3:
                continue
            impl, alg, mode = parts
            modes[mode] = 1
            samples[(impl, alg, mode, metric)].append(
                sample(base, metric, val, w[3] if len(w) > 3 else "-"))
    return samples, mem, info, algs, refusals, list(modes)


def summary(vals):
    """(median or None, text)"""
    if not vals:
        return None, "-"
    nums = [v if isinstance(v, float) else None for v in vals]
    if all(n is not None for n in nums):
        return statistics.median(nums), None
    bad = [v for v, n in zip(vals, nums) if n is None]
    return None, WHY.get(bad[0], bad[0])


def paired_ratio(espah, native):
    """Median of the run-by-run ratios, with their range (valid runs)."""
    r = sorted(e / n for e, n in zip(espah, native) if n)
    if not r:
        return "-"
    return "%.2f [%.2f-%.2f]" % (statistics.median(r), r[0], r[-1])


def fmt(x, unit):
    if unit == "kpps":
        return "%.1f" % (x / 1000)
    return "%.1f" % x


def main(path):
    samples, mem, info, algs, refusals, modes = load(path)
    out = []
    out.append("espah vs native XFRM, one stock-kernel guest (QEMU TCG, 2 vCPUs)")
    for i in info:
        out.append("  " + i)
    out.append("  medians of the runs; n = valid samples per cell; ratio = espah/native")
    out.append("  paired = median of the per-run espah/native ratios [their range]")
    out.append("")
    hdr = ROWFMT % ("row", "espah", "native", "plaintext", "ratio",
                    "paired [min-max]")
    out.append(hdr)
    out.append("-" * len(hdr))
    for mode in modes:
        pt = {}
        for metric in ("tcp", "udp"):
            pt[metric] = summary(samples.get(("plain", "-", mode, metric), []))
        for alg, label in algs.items():
            for metric, unit in (("tcp", "Mbit/s"), ("udp", "kpps")):
                name = "%s %s %s (%s)" % (
                    "TCP" if metric == "tcp" else "UDP 64B",
                    alg, mode, unit)
                cells, meds = [], {}
                for impl in ("espah", "native"):
                    vals = samples.get((impl, alg, mode, metric), [])
                    med, why = summary(vals)
                    meds[impl] = med
                    if med is None:
                        cells.append(why if impl == "native" else
                                     ("espah: " + why if why != WHY["refused"]
                                      else why))
                    else:
                        cells.append("%s n=%d" % (fmt(med, unit), len(vals)))
                pm, pwhy = pt[metric]
                cells.append(pwhy if pm is None else fmt(pm, unit))
                ratio = paired = "-"
                if meds["espah"] is not None and meds["native"]:
                    ratio = "%.2f" % (meds["espah"] / meds["native"])
                    paired = paired_ratio(
                        samples[("espah", alg, mode, metric)],
                        samples[("native", alg, mode, metric)])
                out.append(ROWFMT % (name, *cells, ratio, paired))
    if mem:
        for key, label in (("slab", "slab"), ("percpu", "percpu"),
                           ("slab+percpu", "slab+percpu")):
            per = {}
            cells = []
            for impl in ("espah", "native"):
                m = mem.get(impl, {})
                cnt = num(m.get("count", "0")) or 0
                if key == "slab+percpu":
                    v = num(m.get("slab", "x"))
                    p = num(m.get("percpu", "x"))
                    v = None if v is None or p is None else v + p
                else:
                    v = num(m.get(key, "x"))
                if cnt <= 0 or v is None:
                    per[impl] = None
                    cells.append("no SAs installed" if cnt <= 0 else "-")
                else:
                    per[impl] = v / cnt
                    cells.append("%.0f" % per[impl])
            ratio = "-"
            if per["espah"] is not None and per["native"]:
                ratio = "%.2f" % (per["espah"] / per["native"])
            n = max(int(num(mem.get(i, {}).get("count", "0")) or 0)
                    for i in ("espah", "native"))
            name = "memory %s B/SA (%d gcm SAs)" % (label, n)
            out.append(ROWFMT % (name, *cells, "", ratio, ""))
        base = os.path.dirname(os.path.abspath(path))
        for impl in ("espah", "native"):
            m = mem.get(impl, {})
            if m:
                out.append("  %s: %s SAs installed in %s s; MemFree drop %s B "
                           "(noisy); slab growth: %s" % (
                               impl, m.get("count", "?"), m.get("seconds", "?"),
                               m.get("memfree", "?"),
                               slab_top(base, impl) or "?"))
    out.append("")
    out.append("algorithms:")
    for alg, label in algs.items():
        out.append("  %-5s %s" % (alg, label))
    for cfg, msg in refusals.items():
        out.append("refused: %s: %s" % (cfg, msg))
    print("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
