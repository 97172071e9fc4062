#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The espah netlink family from its spec, Documentation/netlink/specs/espah.yaml.

  nlspec.py gen      write net/netlink/spec.h and net/netlink/spec.c: the
                     module's attribute policies (one per operation, and
                     one per request nest), operations and multicast groups
  nlspec.py check    check that the generated files are up to date, that
                     include/uapi/linux/espah.h has every enum, value,
                     define and name of the spec, and that the tool's
                     attribute tables (tools/espah/attr.c, with the counter
                     lists of include/espah/counters.h) have every
                     attribute with its name, type and nest; one line per
                     disagreement, exit 1 if any

Paths are relative to the repository (the parent of scripts/).
"""
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = "Documentation/netlink/specs/espah.yaml"
UAPI = "include/uapi/linux/espah.h"
GEN_H = "net/netlink/spec.h"
GEN_C = "net/netlink/spec.c"
TOOL = "tools/espah/attr.c"
COUNTERS = "include/espah/counters.h"

# Rules of the project the spec must follow (README: security model).
OPEN_OPS = {"features-get"}


def c_name(name):
    return name.upper().replace("-", "_")


def c_low(name):
    return name.lower().replace("-", "_")


class Spec:
    def __init__(self, path):
        with open(path) as f:
            self.y = yaml.safe_load(f)
        self.family = self.y["name"]
        self.defs = {d["name"]: d for d in self.y.get("definitions", [])}
        self.sets = {s["name"]: s for s in self.y["attribute-sets"]}
        self.ops = self.y["operations"]["list"]
        self.mcgrps = self.y.get("mcast-groups", {}).get("list", [])

    # names
    def def_prefix(self, d):
        if "name-prefix" in d:
            return d["name-prefix"]
        return "%s-%s-" % (self.family, d["name"])

    def entries(self, d):
        """(C name, value) of an enum or flags definition."""
        out, v = [], 0
        for i, e in enumerate(d["entries"]):
            if isinstance(e, dict):
                name, v = e["name"], e.get("value", v)
            else:
                name = e
            val = 1 << v if d["type"] == "flags" else v
            out.append((c_name(self.def_prefix(d) + name), val))
            v += 1
        return out

    def const(self, v):
        """A check's value: a number, or a const of the spec (its C name)."""
        if isinstance(v, int):
            return v, str(v)
        d = self.defs[v]
        return d["value"], c_name("%s-%s" % (self.family, v))

    def full_set(self, s):
        return self.sets[s["subset-of"]] if "subset-of" in s else s

    def attrs(self, set_name):
        """(value, attr) of a full attribute set."""
        s = self.sets[set_name]
        out, v = [], 1
        for a in s["attributes"]:
            v = a.get("value", v)
            out.append((v, a))
            v += 1
        return out

    def attr(self, set_name, name):
        for v, a in self.attrs(set_name):
            if a["name"] == name:
                return v, a
        raise KeyError("%s: no attribute %s" % (set_name, name))

    def prefix(self, set_name):
        return self.sets[set_name]["name-prefix"]

    def a_cname(self, set_name, name):
        return c_name(self.prefix(set_name) + name)

    def max_name(self, set_name):
        s = self.sets[set_name]
        return c_name(s.get("attr-max-name", self.prefix(set_name) + "max"))

    def cnt_name(self, set_name):
        s = self.sets[set_name]
        return c_name(s.get("attr-cnt-name", "__" + self.prefix(set_name) + "max"))

    def enum_name(self, set_name):
        return c_low(self.sets[set_name]["enum-name"])

    def request_subset(self, set_name):
        for s in self.sets.values():
            if s.get("subset-of") == set_name and s["name"] == set_name + "-request":
                return {a["name"] for a in s["attributes"]}
        return None

    def op_cmd(self, op):
        return c_name(self.y["operations"]["name-prefix"] + op["name"])

    def op_request(self, op):
        do = op.get("do") or {}
        dump = op.get("dump") or {}
        names = []
        for part in (do, dump):
            for n in (part.get("request") or {}).get("attributes", []):
                if n not in names:
                    names.append(n)
        return names

    def is_handler_op(self, op):
        return "do" in op or "dump" in op


# ---------------------------------------------------------------------------
# generation

NLA_INT = {"u8": "NLA_U8", "u16": "NLA_U16", "u32": "NLA_U32", "u64": "NLA_U64"}
NLA_BE = {"u16": "NLA_BE16", "u32": "NLA_BE32"}
S16_MAX = 32767


class Gen:
    def __init__(self, spec):
        self.s = spec
        self.ranges = []	# (C name, min, max) of full-range structs
        self.validators = {}	# enum name -> function name

    def nla_type(self, a):
        if a.get("byte-order") == "big-endian":
            return NLA_BE[a["type"]]
        return NLA_INT[a["type"]]

    def int_policy(self, set_name, a):
        t = self.nla_type(a)
        checks = a.get("checks", {})
        lo = hi = None
        if "min" in checks:
            lo = self.s.const(checks["min"])
        if "max" in checks:
            hi = self.s.const(checks["max"])
        if lo is None and hi is None and "enum" in a:
            d = self.s.defs[a["enum"]]
            ents = self.s.entries(d)
            if d["type"] == "flags" or a.get("enum-as-flags"):
                # past two flags, one per line: the line stays under 100
                sep = " |\n\t\t\t" if len(ents) > 2 else " | "
                return "NLA_POLICY_MASK(%s, %s)" % (t, sep.join(n for n, _ in ents))
            vals = [v for _, v in ents]
            if vals == list(range(vals[0], vals[0] + len(vals))):
                if vals[0] == 0:
                    hi = (vals[-1], ents[-1][0])
                else:
                    lo, hi = (vals[0], ents[0][0]), (vals[-1], ents[-1][0])
            else:
                # Sparse: the range of its values; the handler refuses the
                # values between. No validate function: 6.1's policy dump
                # (and the extack of an attribute that fails its type)
                # reads one as min/max and WARNs (lib/nlattr.c).
                lo = (min(vals), ents[vals.index(min(vals))][0])
                hi = (max(vals), ents[vals.index(max(vals))][0])
        if lo is None and hi is None:
            return "{ .type = %s }" % t
        if (lo and lo[0] > S16_MAX) or (hi and hi[0] > S16_MAX):
            name = "%s_range" % c_low(self.s.a_cname(set_name, a["name"]))
            if name not in [r[0] for r in self.ranges]:
                self.ranges.append((name, lo[1] if lo else "0", hi[1] if hi else None, t))
            return "NLA_POLICY_FULL_RANGE(%s, &%s)" % (t, name)
        if lo and hi:
            return "NLA_POLICY_RANGE(%s, %s, %s)" % (t, lo[1], hi[1])
        if lo:
            return "NLA_POLICY_MIN(%s, %s)" % (t, lo[1])
        return "NLA_POLICY_MAX(%s, %s)" % (t, hi[1])

    def validator(self, d):
        fn = "espah_nl_%s_validate" % c_low(d["name"])
        self.validators[d["name"]] = fn
        return fn

    def policy(self, set_name, a):
        t = a["type"]
        checks = a.get("checks", {})
        if t in NLA_INT:
            return self.int_policy(set_name, a)
        if t == "string":
            if "max-len" in checks:
                return "{ .type = NLA_NUL_STRING, .len = %s }" % self.s.const(checks["max-len"])[1]
            return "{ .type = NLA_NUL_STRING }"
        if t == "binary":
            if "exact-len" in checks:
                return "NLA_POLICY_EXACT_LEN(%s)" % self.s.const(checks["exact-len"])[1]
            if "min-len" in checks and "max-len" in checks:
                return "NLA_POLICY_RANGE(NLA_BINARY, %s, %s)" % (
                    self.s.const(checks["min-len"])[1], self.s.const(checks["max-len"])[1])
            if "min-len" in checks:
                return "NLA_POLICY_MIN_LEN(%s)" % self.s.const(checks["min-len"])[1]
            if "max-len" in checks:
                return "{ .type = NLA_BINARY, .len = %s }" % self.s.const(checks["max-len"])[1]
            return "{ .type = NLA_BINARY }"
        if t == "nest":
            return "NLA_POLICY_NESTED(%s)" % self.nest_policy_name(a["nested-attributes"])
        if t == "flag":
            return "{ .type = NLA_FLAG }"
        raise ValueError("%s: no policy for type %s" % (a["name"], t))

    def nest_policy_name(self, set_name):
        return "espah_%s_nl_policy" % c_low(set_name)

    def op_policy_name(self, op):
        return "espah_%s_nl_policy" % c_low(op["name"])

    @staticmethod
    def reject(cname, why):
        return 'REJECT("%s: %s")' % (cname, why)

    @staticmethod
    def entry(key, value):
        """One initializer line, split after '=' where it is too long."""
        line = "\t[%s] = %s," % (key, value)
        if len(line.expandtabs()) <= 100:
            return [line]
        second = "\t\t%s," % value
        if len(second.expandtabs()) <= 100 or " | " not in value:
            return ["\t[%s] =" % key, second]
        # a long flag mask: its operands wrapped, aligned after the "("
        col = 16 + value.index("(") + 1
        indent = "\t" * (col // 8) + " " * (col % 8)
        out, cur = [], "\t\t"
        for i, part in enumerate(value.split(" | ")):
            last = i == len(value.split(" | ")) - 1
            word = part + ("," if last else " |")
            if cur.strip() and len((cur + " " + word).expandtabs()) > 100:
                out.append(cur)
                cur = indent + word
            else:
                cur = cur + (" " if cur.strip() else "") + word
        out.append(cur)
        return ["\t[%s] =" % key] + out

    def request_sets(self):
        """Attribute sets nested in some request, in spec order."""
        out = []

        def walk(set_name, names):
            for n in names:
                _, a = self.s.attr(set_name, n)
                if a["type"] == "nest":
                    sub = a["nested-attributes"]
                    if sub not in out:
                        out.append(sub)
                        walk(sub, self.nest_request(sub))
        for op in self.s.ops:
            if self.s.is_handler_op(op):
                walk(op["attribute-set"], self.s.op_request(op))
        return out

    def nest_request(self, set_name):
        sub = self.s.request_subset(set_name)
        return [a["name"] for _, a in self.s.attrs(set_name)
                if a["type"] != "pad" and (sub is None or a["name"] in sub)]

    def table(self, name, set_name, allowed, why_not, static):
        lines = ["%sconst struct nla_policy %s[%s + 1] = {" % (
            "static " if static else "", name, self.s.max_name(set_name))]
        for _, a in self.s.attrs(set_name):
            cn = self.s.a_cname(set_name, a["name"])
            if a["name"] in allowed:
                pol = self.policy(set_name, a)
            else:
                pol = self.reject(cn, why_not(a))
            lines += self.entry(cn, pol)
        lines.append("};")
        return lines

    def c_file(self):
        s = self.s
        body = []
        request_names = set()
        for op in s.ops:
            request_names.update(s.op_request(op))

        for set_name in reversed(self.request_sets()):
            allowed = set(self.nest_request(set_name))
            body += self.table(self.nest_policy_name(set_name), set_name, allowed,
                               lambda a: "reply only", False)
            body.append("")

        for op in s.ops:
            if not s.is_handler_op(op):
                continue
            allowed = set(s.op_request(op))
            cmd = s.op_cmd(op)

            def why(a, cmd=cmd):
                if a["type"] == "pad" or a["name"] not in request_names:
                    return "reply only"
                return "not an attribute of " + cmd
            body += self.table(self.op_policy_name(op), op["attribute-set"], allowed, why, True)
            body.append("")

        ops = ["const struct genl_ops espah_nl_ops[ESPAH_NL_N_OPS] = {"]
        for op in s.ops:
            if not s.is_handler_op(op):
                continue
            ops.append("\t{")
            ops.append("\t\t.cmd = %s," % s.op_cmd(op))
            flags = [("GENL_" + c_name(f)) for f in op.get("flags", [])]
            if flags:
                ops.append("\t\t.flags = %s," % " | ".join(flags))
            base = "espah_nl_" + c_low(op["name"])
            if "do" in op:
                ops.append("\t\t.doit = %s_doit," % base)
            if "dump" in op:
                ops.append("\t\t.dumpit = %s_dumpit," % base)
                if (op["dump"] or {}).get("post"):
                    ops.append("\t\t.done = %s," % c_low(op["dump"]["post"]))
            ops.append("\t\t.policy = %s," % self.op_policy_name(op))
            ops.append("\t\t.maxattr = %s," % s.max_name(op["attribute-set"]))
            ops.append("\t},")
        ops.append("};")

        grps = ["const struct genl_multicast_group espah_nl_mcgrps[ESPAH_NL_N_MCGRPS] = {"]
        for g in s.mcgrps:
            grps.append("\t[%s] = {" % c_name("espah-nlgrp-" + g["name"]))
            grps.append("\t\t.name = %s," % c_name("espah-mcgrp-" + g["name"]))
            flags = [("GENL_MCAST_" + c_name(f)) for f in g.get("flags", [])]
            if flags:
                grps.append("\t\t.flags = %s," % " | ".join(flags))
            grps.append("\t},")
        grps.append("};")

        head = [
            "// SPDX-License-Identifier: GPL-2.0",
            "/* Generated by scripts/nlspec.py from %s: do not edit. */" % SPEC,
            "#include <linux/in.h>",
            "#include <linux/socket.h>",
            "#include <linux/udp.h>",
            "",
            '#include "spec.h"',
            "",
            "/* An attribute the request may not carry, named in the refusal. */",
            "#define REJECT(msg) { .type = NLA_REJECT, .reject_message = msg }",
            "",
        ]
        for dname, fn in self.validators.items():
            d = s.defs[dname]
            ents = s.entries(d)
            col = len("static int %s(" % fn)
            head += [
                "static int %s(const struct nlattr *attr," % fn,
                "%s%sstruct netlink_ext_ack *extack)" % ("\t" * (col // 8), " " * (col % 8)),
                "{",
                "\tswitch (nla_get_%s(attr)) {" % self.enum_width(dname),
            ]
            head += ["\tcase %s:" % n for n, _ in ents]
            head += [
                "\t\treturn 0;",
                "\t}",
                '\tNL_SET_ERR_MSG_ATTR(extack, attr, "must be %s");' %
                " or ".join(n for n, _ in ents),
                "\treturn -EINVAL;",
                "}",
                "",
            ]
        for name, lo, hi, t in self.ranges:
            head += ["static struct netlink_range_validation %s = {" % name,
                     "\t.min = %s," % lo]
            if hi:
                head.append("\t.max = %s," % hi)
            head += ["};", ""]
        return "\n".join(head + body + ops + [""] + grps) + "\n"

    def enum_width(self, dname):
        """nla_get_<width> of the attributes that take enum @dname."""
        widths = {a["type"] for s in self.s.sets.values() if "subset-of" not in s
                  for a in s["attributes"] if a.get("enum") == dname}
        if len(widths) != 1:
            raise ValueError("enum %s: attributes of widths %s" % (dname, widths))
        return widths.pop()

    def h_file(self):
        s = self.s
        hops = [op for op in s.ops if s.is_handler_op(op)]
        out = [
            "/* SPDX-License-Identifier: GPL-2.0 */",
            "/* Generated by scripts/nlspec.py from %s: do not edit. */" % SPEC,
            "#ifndef _ESPAH_NL_SPEC_H",
            "#define _ESPAH_NL_SPEC_H",
            "",
            "#include <net/genetlink.h>",
            "#include <uapi/linux/espah.h>",
            "",
        ]
        for set_name in self.request_sets():
            out.append("extern const struct nla_policy %s[%s + 1];" % (
                self.nest_policy_name(set_name), s.max_name(set_name)))
        out.append("")
        for op in hops:
            base = "espah_nl_" + c_low(op["name"])
            if "do" in op:
                out.append("int %s_doit(struct sk_buff *skb, struct genl_info *info);" % base)
            if "dump" in op:
                out.append("int %s_dumpit(struct sk_buff *skb, struct netlink_callback *cb);"
                           % base)
                if (op["dump"] or {}).get("post"):
                    out.append("int %s(struct netlink_callback *cb);" % c_low(op["dump"]["post"]))
        out += ["", "enum {"]
        out += ["\t%s," % c_name("espah-nlgrp-" + g["name"]) for g in s.mcgrps]
        out += ["};", ""]
        out.append("#define ESPAH_NL_N_OPS\t\t%d" % len(hops))
        out.append("#define ESPAH_NL_N_MCGRPS\t%d" % len(s.mcgrps))
        out += [
            "",
            "extern const struct genl_ops espah_nl_ops[ESPAH_NL_N_OPS];",
            "extern const struct genl_multicast_group espah_nl_mcgrps[ESPAH_NL_N_MCGRPS];",
            "",
            "#endif /* _ESPAH_NL_SPEC_H */",
        ]
        return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# checks

def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def c_eval(expr, defines):
    e = re.sub(r"\b(\d+)U\b", r"\1", expr.strip())
    e = re.sub(r"\b(__?[A-Z_0-9]+|[A-Z][A-Z_0-9]*)\b",
               lambda m: str(defines[m.group(1)]) if m.group(1) in defines else m.group(1), e)
    try:
        return int(eval(e, {"__builtins__": {}}))
    except Exception:
        return None


def parse_uapi(path):
    text = strip_comments(open(path).read())
    enums, values, raw = {}, {}, {}
    for m in re.finditer(r"enum\s+(\w+)\s*\{(.*?)\};", text, re.S):
        v, items = 0, []
        for ent in m.group(2).split(","):
            ent = ent.strip()
            if not ent:
                continue
            if "=" in ent:
                n, e = (x.strip() for x in ent.split("=", 1))
                v = c_eval(e, values)
            else:
                n = ent
            items.append((n, v))
            values[n] = v
            v += 1
        enums[m.group(1)] = items
    for m in re.finditer(r"^#define\s+(\w+)\s+(.+)$", text, re.M):
        raw[m.group(1)] = m.group(2).strip()
    for _ in range(3):
        for n, e in raw.items():
            if n not in values:
                val = c_eval(e, values)
                if val is not None:
                    values[n] = val
    return enums, values, raw


def check_uapi(spec, errs):
    enums, values, raw = parse_uapi(os.path.join(ROOT, UAPI))

    def want_define(name, val):
        if name not in values:
            errs.append("%s: no %s (spec: %s)" % (UAPI, name, val))
        elif values[name] != val:
            errs.append("%s: %s is %s, spec says %s" % (UAPI, name, values[name], val))

    def want_enum(ename, items):
        if ename not in enums:
            errs.append("%s: no enum %s" % (UAPI, ename))
            return
        if enums[ename] != items:
            have = dict(enums[ename])
            for n, v in items:
                if have.get(n) != v:
                    errs.append("%s: enum %s: %s is %s, spec says %s" %
                                (UAPI, ename, n, have.get(n, "missing"), v))
            names = {n for n, _ in items}
            for n, _ in enums[ename]:
                if n not in names:
                    errs.append("%s: enum %s: %s is not in the spec" % (UAPI, ename, n))

    fam = c_name(spec.y["c-family-name"])
    if raw.get(fam) != '"%s"' % spec.family:
        errs.append("%s: %s is %s, spec says \"%s\"" % (UAPI, fam, raw.get(fam), spec.family))
    want_define(c_name(spec.y["c-version-name"]), spec.y["version"])

    for d in spec.defs.values():
        if "header" in d:
            continue
        if d["type"] == "const":
            want_define(c_name("%s-%s" % (spec.family, d["name"])), d["value"])
        elif d["type"] == "enum":
            want_enum(c_low("%s-%s" % (spec.family, d["name"])), spec.entries(d))
        elif d["type"] == "flags":
            for n, v in spec.entries(d):
                want_define(n, v)

    for set_name, s in spec.sets.items():
        if "subset-of" in s:
            for a in s["attributes"]:
                spec.attr(s["subset-of"], a["name"])
            continue
        items = [(spec.a_cname(set_name, "unspec"), 0)]
        items += [(spec.a_cname(set_name, a["name"]), v) for v, a in spec.attrs(set_name)]
        last = items[-1][1]
        items.append((spec.cnt_name(set_name), last + 1))
        want_enum(spec.enum_name(set_name), items)
        want_define(spec.max_name(set_name), last)

    ops = spec.y["operations"]
    items = [(c_name(ops["name-prefix"] + "unspec"), 0)]
    items += [(spec.op_cmd(op), i + 1) for i, op in enumerate(spec.ops)]
    items.append((c_name("__" + ops["name-prefix"] + "max"), len(spec.ops) + 1))
    want_enum(c_low(ops["enum-name"]), items)
    want_define(c_name(ops["name-prefix"] + "max"), len(spec.ops))
    for g in spec.mcgrps:
        n = c_name("espah-mcgrp-" + g["name"])
        if raw.get(n) != '"%s"' % g["name"]:
            errs.append("%s: %s is %s, spec says \"%s\"" % (UAPI, n, raw.get(n), g["name"]))


TOOL_TYPES = {
    ("u8", False): {"AT_U8"}, ("u16", False): {"AT_U16"}, ("u32", False): {"AT_U32"},
    ("u64", False): {"AT_U64"}, ("u16", True): {"AT_BE16"}, ("u32", True): {"AT_BE32"},
    ("string", False): {"AT_STR"}, ("nest", False): {"AT_NEST"}, ("pad", False): {"AT_NONE"},
    ("flag", False): {"AT_FLAG"},
}


def tool_types(a):
    if a["type"] == "binary":
        if a.get("display-hint") == "ipv4-or-v6":
            return {"AT_ADDR"}
        return {"AT_KEY", "AT_BIN"}
    return TOOL_TYPES[(a["type"], a.get("byte-order") == "big-endian")]


def parse_counters(path):
    """{list macro: [(SUFFIX, tool name)]} of include/espah/counters.h."""
    text = strip_comments(open(path).read()).replace("\\\n", " ")
    out = {}
    for macro, nargs_name in (("ESPAH_STATS", 2), ("ESPAH_SA_STATS", 1)):
        m = re.search(r"#define\s+%s\(X\)(.*)" % macro, text)
        out[macro] = []
        for x in re.finditer(r"X\((\w+),([^)]*)\)", m.group(1)):
            args = re.findall(r'"[^"]*"|NULL', x.group(2))
            out[macro].append((x.group(1), args[nargs_name - 1].strip('"')))
    return out


def check_tool(spec, errs):
    text = strip_comments(open(os.path.join(ROOT, TOOL)).read())
    tables = {}
    for m in re.finditer(r"const struct adesc (\w+)\[(\w+) \+ 1\] = \{(.*?)\n\};", text, re.S):
        ents = {}
        for e in re.finditer(r"\[(\w+)\]\s*=\s*\{\s*\"([^\"]*)\",\s*(\w+)(?:,\s*(\w+),\s*(\w+))?\s*\}",
                             m.group(3)):
            ents[e.group(1)] = (e.group(2), e.group(3), e.group(4), e.group(5))
        tables[m.group(1)] = (m.group(2), ents, m.group(3))
    by_max = {v[0]: k for k, v in tables.items()}
    counters = parse_counters(os.path.join(ROOT, COUNTERS))
    xmacro = {"sa-stat": "ESPAH_SA_STATS", "stat": "ESPAH_STATS"}

    def tname(set_name):
        return by_max.get(spec.max_name(set_name))

    for set_name, s in spec.sets.items():
        if "subset-of" in s:
            continue
        t = tname(set_name)
        if not t:
            errs.append("%s: no table of %s (adesc [%s + 1])" % (TOOL, set_name, spec.max_name(set_name)))
            continue
        _, ents, src = tables[t]
        if set_name in xmacro:
            # filled from the counter list: every counter once, tool name = spec name
            lst = dict(counters[xmacro[set_name]])
            if xmacro[set_name] not in src or "AT_U64" not in src:
                errs.append("%s: %s is not filled from %s as AT_U64" % (TOOL, t, xmacro[set_name]))
            want = {}
            for _, a in spec.attrs(set_name):
                if a["type"] == "pad":
                    continue
                suffix = c_name(a["name"])
                want[suffix] = a["name"]
                if suffix not in lst:
                    errs.append("%s: %s has no %s" % (COUNTERS, xmacro[set_name], suffix))
                elif lst[suffix] != a["name"]:
                    errs.append("%s: %s names %s \"%s\", spec says \"%s\"" %
                                (COUNTERS, xmacro[set_name], suffix, lst[suffix], a["name"]))
            for suffix in lst:
                if suffix not in want:
                    errs.append("%s: %s: %s is not in the spec" % (COUNTERS, xmacro[set_name], suffix))
            continue
        short = c_name(spec.prefix(set_name)).replace("ESPAH_A_", "").replace("ESPAH_", "")
        seen = set()
        for _, a in spec.attrs(set_name):
            cn = spec.a_cname(set_name, a["name"])
            seen.add(cn)
            if cn not in ents:
                errs.append("%s: %s has no %s" % (TOOL, t, cn))
                continue
            name, at, nest, nmax = ents[cn]
            if at not in tool_types(a):
                errs.append("%s: %s[%s] is %s, spec says %s (%s)" %
                            (TOOL, t, cn, at, a["type"], "/".join(sorted(tool_types(a)))))
            if name.isupper() or "_" in name:
                if name != short + c_name(a["name"]):
                    errs.append("%s: %s[%s] is named \"%s\", spec says \"%s\"" %
                                (TOOL, t, cn, name, short + c_name(a["name"])))
            if a["type"] == "nest":
                sub = a["nested-attributes"]
                if nest != tname(sub) or nmax != spec.max_name(sub):
                    errs.append("%s: %s[%s] nests %s/%s, spec says %s/%s" %
                                (TOOL, t, cn, nest, nmax, tname(sub), spec.max_name(sub)))
        for cn in ents:
            if cn not in seen:
                errs.append("%s: %s[%s] is not in the spec" % (TOOL, t, cn))


def check_rules(spec, errs):
    for op in spec.ops:
        if not spec.is_handler_op(op):
            continue
        flags = set(op.get("flags", []))
        if op["name"] in OPEN_OPS:
            if flags & {"admin-perm", "uns-admin-perm"}:
                errs.append("%s: %s is meant to be open to every user" % (SPEC, op["name"]))
        elif "uns-admin-perm" not in flags and "admin-perm" not in flags:
            errs.append("%s: %s lacks uns-admin-perm" % (SPEC, op["name"]))
    for g in spec.mcgrps:
        if "cap-net-admin" not in g.get("flags", []):
            errs.append("%s: mcast group %s lacks cap-net-admin" % (SPEC, g["name"]))
    # every policy of the module comes from the spec
    nl = os.path.join(ROOT, "net/netlink")
    for f in sorted(os.listdir(nl)):
        if f.endswith(".c") and f != "spec.c" and \
                "struct nla_policy" in open(os.path.join(nl, f)).read():
            errs.append("net/netlink/%s: a hand-written nla_policy (generate it from the spec)" % f)


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in ("gen", "check"):
        sys.exit(__doc__)
    spec = Spec(os.path.join(ROOT, SPEC))
    gen = Gen(spec)
    files = {GEN_C: gen.c_file(), GEN_H: gen.h_file()}
    if sys.argv[1] == "gen":
        for path, text in files.items():
            with open(os.path.join(ROOT, path), "w") as f:
                f.write(text)
        return
    errs = []
    for path, text in files.items():
        try:
            cur = open(os.path.join(ROOT, path)).read()
        except OSError:
            cur = None
        if cur != text:
            errs.append("%s: not what the spec generates (scripts/nlspec.py gen)" % path)
    check_uapi(spec, errs)
    check_tool(spec, errs)
    check_rules(spec, errs)
    for e in errs:
        print(e)
    sys.exit(1 if errs else 0)


if __name__ == "__main__":
    main()
