#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Strict check of the Prometheus text exposition format (version 0.0.4),
as node_exporter's textfile collector reads it: every family's HELP and
TYPE once, before its samples, all its samples together; metric and label
names valid; label values quoted with only \\\\, \\" and \\n escaped; no
series twice; values numbers; counters' names end in _total.
Usage: promcheck.py FILE [REQUIRED-METRIC...]; prints what is wrong."""
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
VALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r"^(%s)(?:\{((?:%s=%s)(?:,%s=%s)*)?\})? (\S+)$" % (NAME, LABEL, VALUE, LABEL, VALUE))
PAIR = re.compile(r"(%s)=(%s)" % (LABEL, VALUE))


def check(text, required):
    errs, fams, series, seen = [], {}, set(), []
    cur = None
    for n, line in enumerate(text.split("\n"), 1):
        if not line:
            continue
        m = re.match(r"^# (HELP|TYPE) (%s) (.*)$" % NAME, line)
        if m:
            kind, name, rest = m.groups()
            f = fams.setdefault(name, {})
            if kind in f:
                errs.append("line %d: second %s for %s" % (n, kind, name))
            if kind == "TYPE" and rest not in ("counter", "gauge", "untyped"):
                errs.append("line %d: type %r" % (n, rest))
            if f.get("samples"):
                errs.append("line %d: %s of %s after its samples" % (n, kind, name))
            f[kind] = rest
            if name in seen and seen[-1] != name:
                errs.append("line %d: family %s split" % (n, name))
            if name not in seen:
                seen.append(name)
            cur = name
            continue
        if line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            errs.append("line %d: not a sample: %r" % (n, line))
            continue
        name, labels, value = m.groups()
        if name != cur:
            errs.append("line %d: sample of %s outside its family (%s)" % (n, name, cur))
        f = fams.setdefault(name, {})
        if "TYPE" not in f or "HELP" not in f:
            errs.append("line %d: %s without HELP/TYPE" % (n, name))
        if f.get("TYPE") == "counter" and not name.endswith("_total"):
            errs.append("line %d: counter %s not named *_total" % (n, name))
        f["samples"] = f.get("samples", 0) + 1
        keys = [k for k, _ in PAIR.findall(labels or "")]
        if len(keys) != len(set(keys)):
            errs.append("line %d: a label twice" % n)
        key = (name, tuple(sorted(PAIR.findall(labels or ""))))
        if key in series:
            errs.append("line %d: series twice: %s" % (n, line))
        series.add(key)
        try:
            float(value)
        except ValueError:
            errs.append("line %d: value %r" % (n, value))
    for r in required:
        if not fams.get(r, {}).get("samples"):
            errs.append("no sample of %s" % r)
    return errs, len(series)


def main():
    text = open(sys.argv[1]).read()
    errs, n = check(text, sys.argv[2:])
    for e in errs:
        print(e)
    print("%d series, %d errors" % (n, len(errs)))
    sys.exit(1 if errs else 0)


if __name__ == "__main__":
    main()
