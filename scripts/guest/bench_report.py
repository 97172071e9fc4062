#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Result table of `make bench` from the guest's bench-raw.txt (host side).

  bench_report.py RAW

Medians per configuration, espah/native ratio per row. A row whose espah
samples are not all numbers says why (refused by espah, espah: no traffic
protected, error) and prints no ratio: a ratio is only shown when both
sides have valid samples.
"""
import statistics
import sys
from collections import defaultdict, OrderedDict

ROWFMT = "%-40s %28s %14s %10s %6s"

WHY = {
    "refused": "refused by espah",
    "unprotected": "no traffic protected",
    "error": "iperf3 failed",
}


def num(v):
    try:
        return float(v)
    except ValueError:
        return None


def load(path):
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
            if len(w) != 3:
                continue
            cfg, metric, val = w
            parts = cfg.split("/")
            if parts[0] == "mem":
                mem[parts[1]][metric] = val
                continue
            impl, alg, mode = parts
            modes[mode] = 1
            samples[(impl, alg, mode, metric)].append(val)
    return samples, mem, info, algs, refusals, list(modes)


def summary(vals):
    """(median or None, text)"""
    if not vals:
        return None, "-"
    nums = [num(v) for v in vals]
    if all(n is not None for n in nums):
        return statistics.median(nums), None
    bad = [v for v, n in zip(vals, nums) if n is None]
    return None, WHY.get(bad[0], bad[0])


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
    out.append("")
    hdr = ROWFMT % ("row", "espah", "native", "plaintext", "ratio")
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
                ratio = "-"
                if meds["espah"] is not None and meds["native"]:
                    ratio = "%.2f" % (meds["espah"] / meds["native"])
                out.append(ROWFMT % (name, *cells, ratio))
    if mem:
        for key, label in (("slab", "slab"), ("percpu", "percpu"),
                           ("memfree", "MemFree drop")):
            per = {}
            cells = []
            for impl in ("espah", "native"):
                m = mem.get(impl, {})
                cnt = num(m.get("count", "0")) or 0
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
            out.append(ROWFMT % (name, *cells, "", ratio))
        for impl in ("espah", "native"):
            m = mem.get(impl, {})
            if m:
                out.append("  %s: %s SAs installed in %s s" % (
                    impl, m.get("count", "?"), m.get("seconds", "?")))
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
