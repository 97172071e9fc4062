#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Fuzz the espah command-line and batch-file parsers (dry run, no kernel).

Usage: fuzz.py [--seed N] [--scale F] [--jobs N] [--only BATCH:CASE] ESPAH

ESPAH is best the sanitized build (make espah-asan). The seeds are the
command lines of test-parse.sh's cases (recorded with ESPAH_SEEDS, the tool
itself not run); each batch mutates them one way (long words, huge numbers,
missing and duplicated words, binary bytes, ...) or writes batch files
(long lines, many lines, NUL bytes, ...). Every case runs with
ESPAH_DRY_RUN=1 and passes if the tool exits 0, or 1 with its message
("espah: ..." or its usage) on stderr, and no sanitizer report, signal or
timeout.

The cases are a function of --seed alone, so a failure is reproduced with
--only BATCH:CASE (as printed), which shows the case's whole output.

Output: KTAP, one line per batch with its count of cases.
Exit status: 0 if every case passed, 1 otherwise.
"""
import argparse
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
SANITIZER = re.compile(rb'AddressSanitizer|LeakSanitizer|'
                       rb'UndefinedBehaviorSanitizer|runtime error:')
MESSAGE = re.compile(rb'^(espah: |Usage: espah )', re.M)
TIMEOUT = 20

NUMBERS = [b'0', b'1', b'255', b'256', b'65535', b'65536', b'4294967295',
           b'4294967296', b'18446744073709551615', b'18446744073709551616',
           b'99999999999999999999999999999999', b'-1', b'-0', b'+1', b' 1',
           b'1 ', b'0x', b'0x0', b'0xffffffff', b'0x100000000',
           b'0xffffffffffffffffff', b'010', b'08', b'1e3', b'0b1', b'',
           b'1-2', b'65535-0', b'0-65536', b'1--2', b'-', b'--']
PREFIXES = [b'/', b'/0', b'/32', b'/33', b'/128', b'/129', b'/-1', b'/ 8',
            b'/+8', b'/08', b'/4294967296', b'/99999999999999999999', b'/8/8',
            b'/0x8', b'/a']
ADDRS = [b'0.0.0.0', b'255.255.255.255', b'1.2.3.4.5', b'1.2.3', b'::',
         b'::ffff:1.2.3.4', b'fe80::1%eth0', b'2001:db8::1::2',
         b'2001:0db8:0000:0000:0000:0000:0000:00001', b'any', b'default',
         b'all', b'256.1.1.1', b'1:2:3:4:5:6:7:8:9']
OPTIONS = [b'-s', b'-j', b'-json', b'-stats', b'--dry-run', b'-V', b'-h',
           b'-n', b'-netns', b'-b', b'-batch', b'--', b'-', b'-x', b'--json']


def long_word(rng):
    n = rng.choice([64, 255, 256, 1000, 4096, 8191, 8192, 9000, 16385,
                    65536, 100000])
    kind = rng.randrange(5)
    if kind == 0:
        return b'A' * n
    if kind == 1:
        return b'0x' + b'ab' * (n // 2)
    if kind == 2:
        return b'9' * n
    if kind == 3:
        return b'10.0.0.0/' + b'1' * n
    return bytes(rng.randrange(1, 256) for _ in range(min(n, 4096)))


def binary_word(rng):
    return bytes(rng.randrange(1, 256) for _ in range(rng.randrange(1, 41)))


class Gen:
    """Deterministic case generator over the seeds and their words."""

    def __init__(self, seeds, rng):
        self.seeds = seeds
        self.rng = rng
        words = set()
        for s in seeds:
            words.update(w for w in s if len(w) < 64)
        self.vocab = sorted(words)

    def seed(self):
        return list(self.rng.choice(self.seeds))

    # one mutation of each kind; @a is a word list, changed in place
    def m_long(self, a):
        a[self.rng.randrange(len(a))] = long_word(self.rng)

    def m_number(self, a):
        i = self.rng.randrange(len(a))
        if re.fullmatch(rb'[0-9a-fA-Fx-]+', a[i]) or self.rng.random() < 0.3:
            a[i] = self.rng.choice(NUMBERS)
        else:
            a.insert(i, self.rng.choice(NUMBERS))

    def m_missing(self, a):
        if self.rng.random() < 0.5:
            del a[self.rng.randrange(len(a))]
        else:
            del a[self.rng.randrange(len(a)):]

    def m_binary(self, a):
        i = self.rng.randrange(len(a))
        r = self.rng.randrange(3)
        if r == 0:
            a[i] = binary_word(self.rng)
        elif r == 1:
            a.insert(i, binary_word(self.rng))
        elif a[i]:
            w = bytearray(a[i])
            w[self.rng.randrange(len(w))] = self.rng.randrange(1, 256)
            a[i] = bytes(w)

    def m_dup(self, a):
        i = self.rng.randrange(len(a))
        n = self.rng.choice([1, 2, 2, 3])
        a[i:i] = a[i:i + n] * self.rng.choice([1, 1, 2, 50])

    def m_addr(self, a):
        idx = [i for i, w in enumerate(a) if re.search(rb'[.:]', w)]
        i = self.rng.choice(idx) if idx else self.rng.randrange(len(a))
        if self.rng.random() < 0.5:
            a[i] = a[i].split(b'/')[0] + self.rng.choice(PREFIXES)
        else:
            a[i] = self.rng.choice(ADDRS) + (self.rng.choice(PREFIXES)
                                             if self.rng.random() < 0.3 else b'')

    def m_other(self, a):
        r = self.rng.randrange(5)
        i = self.rng.randrange(len(a))
        if r == 0 and len(a) > 1:
            j = self.rng.randrange(len(a))
            a[i], a[j] = a[j], a[i]
        elif r == 1:
            b = self.seed()
            a[i:] = b[self.rng.randrange(len(b)):]
        elif r == 2:
            a.insert(i, self.rng.choice(self.vocab))
        elif r == 3:
            a.insert(0, self.rng.choice(OPTIONS))
        else:
            a[i] = b''

    def mutated(self, kinds, nmax=3):
        a = self.seed()
        for _ in range(self.rng.randrange(1, nmax + 1)):
            if not a:
                a = [self.rng.choice(self.vocab)]
            self.rng.choice(kinds)(a)
        # the kernel caps one argument at 128 KiB and all at ~2 MiB
        total = 0
        for i, w in enumerate(a):
            total += len(w)
            if len(w) > 120000 or total > 1000000:
                a[i] = w[:1000]
        return ('argv', a)

    def random_words(self):
        a = [self.rng.choice(self.vocab + NUMBERS + ADDRS)
             for _ in range(self.rng.randrange(1, 31))]
        if self.rng.random() < 0.8:
            a.insert(0, self.rng.choice([b'state', b'policy', b'stats',
                                         b'features', b'monitor']))
        return ('argv', a)

    # ---- batch files ----
    def line(self):
        """A seed command (no global options) as a batch line."""
        while True:
            a = self.seed()
            if a and not a[0].startswith(b'-'):
                break
        out = []
        for w in a:
            if re.fullmatch(rb'[A-Za-z0-9_.:/()+-]+', w):
                out.append(w)
            elif b"'" not in w:
                out.append(b"'" + w + b"'")
            else:
                out.append(b'"' + re.sub(rb'(["\\])', rb'\\\1', w) + b'"')
        return b' '.join(out)

    def batch_long(self):
        r = self.rng.randrange(4)
        n = self.rng.choice([16383, 16384, 16385, 20000, 100000, 1 << 20])
        # n is the line's length: the limit (16384) is met and passed
        if r == 0:
            text = b'state count #' + b'x' * (n - 13)
        elif r == 1:
            text = b'state count' + b' ' * (n - 11)
        elif r == 2:
            text = self.line() + b' ' + long_word(self.rng)
        else:
            text = b'state add ' + b'a ' * (n // 2)
        lines = [self.line() for _ in range(self.rng.randrange(3))]
        lines.insert(self.rng.randrange(len(lines) + 1), text)
        return ('batch', self.join(lines))

    def batch_many(self):
        r = self.rng.randrange(3)
        n = self.rng.choice([100, 1000, 5000])
        if r == 0:
            lines = [b'state count'] * n
        elif r == 1:
            lines = [b'# comment', b'', b'   \t '] * (n // 3) + [b'stats']
        else:
            lines = [self.line() for _ in range(min(n, 300))]
        return ('batch', self.join(lines))

    def batch_bytes(self):
        lines = [self.line() for _ in range(self.rng.randrange(1, 5))]
        text = bytearray(self.join(lines))
        for _ in range(self.rng.randrange(1, 4)):
            r = self.rng.randrange(8)
            i = self.rng.randrange(len(text) + 1)
            if r == 0:
                text[i:i] = b'\0'
            elif r == 1:
                text[i:i] = binary_word(self.rng)
            elif r == 2:
                text[i:i] = self.rng.choice([b"'", b'"', b'\\', b'\\\n', b'#'])
            elif r == 3:
                text = text.replace(b'\n', b'\r\n')
            elif r == 4:
                text[i:i] = b' x' * self.rng.choice([200, 255, 256, 257, 1000])
            elif r == 5:
                text = text.rstrip(b'\n')
            elif r == 6:
                text[i:i] = b'\n' * self.rng.randrange(1, 5)
            else:
                del text[i:i + self.rng.randrange(1, 20)]
        return ('batch', bytes(text))

    def batch_mutated(self):
        lines = []
        for _ in range(self.rng.randrange(1, 4)):
            _, a = self.mutated([self.m_long, self.m_number, self.m_missing,
                                 self.m_binary, self.m_dup, self.m_addr,
                                 self.m_other])
            lines.append(b' '.join(shlex.quote(w.decode('latin-1')).encode('latin-1')
                                   for w in a if not w.startswith(b'-')))
        return ('batch', self.join(lines))

    def join(self, lines):
        return b'\n'.join(lines) + b'\n'


def batches(gen, scale):
    """(name, [case, ...]) in a fixed order; a case is (kind, data)."""
    def n(x):
        return max(1, int(x * scale))

    g = gen
    all_m = [g.m_long, g.m_number, g.m_missing, g.m_binary, g.m_dup,
             g.m_addr, g.m_other]
    plan = [
        ('command lines: long words', n(400), lambda: g.mutated([g.m_long], 2)),
        ('command lines: huge and odd numbers', n(500), lambda: g.mutated([g.m_number])),
        ('command lines: missing words', n(400), lambda: g.mutated([g.m_missing])),
        ('command lines: binary bytes', n(400), lambda: g.mutated([g.m_binary])),
        ('command lines: duplicated words', n(400), lambda: g.mutated([g.m_dup])),
        ('command lines: addresses and prefixes', n(400), lambda: g.mutated([g.m_addr])),
        ('command lines: mixed mutations', n(800), lambda: g.mutated(all_m, 5)),
        ('command lines: random words', n(500), g.random_words),
        ('batch files: long lines', n(100), g.batch_long),
        ('batch files: many lines', n(40), g.batch_many),
        ('batch files: NUL, binary, quotes, line ends', n(400), g.batch_bytes),
        ('batch files: mutated commands', n(300), g.batch_mutated),
    ]
    return [(name, [mk() for _ in range(count)]) for name, count, mk in plan]


def run_case(espah, case, tmpdir, tag):
    kind, data = case
    env = dict(os.environ, ESPAH_DRY_RUN='1', LC_ALL='C')
    env.pop('ESPAH_NETNS', None)
    env.setdefault('ASAN_OPTIONS', 'halt_on_error=1:abort_on_error=0:'
                   'exitcode=86:detect_leaks=0')
    env.setdefault('UBSAN_OPTIONS', 'halt_on_error=1:abort_on_error=0:'
                   'exitcode=87:print_stacktrace=1')
    stdin = subprocess.DEVNULL
    path = None
    if kind == 'argv':
        argv = [espah] + data
    else:
        path = os.path.join(tmpdir, tag)
        with open(path, 'wb') as f:
            f.write(data)
        if tag.endswith(('1', '5')):	# some through stdin
            stdin = open(path, 'rb')
            argv = [espah, '-batch', '-']
        else:
            argv = [espah, '-batch', path]
    try:
        p = subprocess.run(argv, stdin=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env, timeout=TIMEOUT)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = 'timeout', e.stdout or b'', e.stderr or b''
    finally:
        if stdin is not subprocess.DEVNULL:
            stdin.close()
        if path:
            os.unlink(path)
    why = None
    if rc == 'timeout':
        why = 'no exit within %d s' % TIMEOUT
    elif SANITIZER.search(err):
        why = 'sanitizer report (exit status %d)' % rc
    elif rc < 0:
        why = 'killed by signal %d' % -rc
    elif rc not in (0, 1):
        why = 'exit status %d' % rc
    elif rc == 1 and not MESSAGE.search(err):
        why = 'exit status 1 without an "espah: " message'
    return why, rc, out, err


def show(case, limit=300):
    kind, data = case
    if kind == 'argv':
        s = ' '.join(shlex.quote(w.decode('latin-1')) for w in data)
    else:
        s = 'batch file ' + repr(data)
    return s if len(s) <= limit else s[:limit] + '... (%d chars)' % len(s)


def get_seeds(espah_dir):
    with tempfile.NamedTemporaryFile() as f:
        env = dict(os.environ, ESPAH_SEEDS=f.name)
        # the recording needs no tool: "true" stands in for it
        subprocess.run([os.path.join(espah_dir, 'test-parse.sh'), 'true'],
                       env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        raw = f.read().split(b'\0')
    seeds, i = [], 0
    while i < len(raw) - 1:
        n = int(raw[i])
        seeds.append(raw[i + 1:i + 1 + n])
        i += 1 + n
    return [s for s in seeds if s]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('espah')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--scale', type=float, default=1.0,
                    help='multiply every batch\'s count of cases')
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 1)
    ap.add_argument('--only', help='BATCH:CASE, run one case verbosely')
    args = ap.parse_args()
    espah = os.path.abspath(args.espah)

    seeds = get_seeds(HERE)
    if not seeds:
        print('KTAP version 1\n1..1\nnot ok 1 - fuzz: no seeds from test-parse.sh')
        return 1
    plan = batches(Gen(seeds, random.Random(args.seed)), args.scale)

    with tempfile.TemporaryDirectory() as tmpdir:
        if args.only:
            b, c = (int(x) for x in args.only.split(':'))
            case = plan[b - 1][1][c]
            why, rc, out, err = run_case(espah, case, tmpdir, 'only')
            print('case: %s' % show(case, 4000))
            print('exit status %s: %s' % (rc, why or 'pass'))
            sys.stdout.flush()
            sys.stdout.buffer.write(out[:8000] + b'\n' + err[:20000])
            return 1 if why else 0

        print('KTAP version 1')
        print('# espah parser fuzz: %d seeds, seed %d, %d jobs'
              % (len(seeds), args.seed, args.jobs))
        print('1..%d' % len(plan))
        total = failed_batches = 0
        with ThreadPoolExecutor(max_workers=args.jobs) as ex:
            for bi, (name, cases) in enumerate(plan, 1):
                res = list(ex.map(lambda ic: run_case(espah, ic[1], tmpdir,
                                                      '%d-%d' % (bi, ic[0])),
                                  enumerate(cases)))
                bad = [(ci, r) for ci, r in enumerate(res) if r[0]]
                total += len(cases)
                desc = 'fuzz %s: %d cases' % (name, len(cases))
                ok0 = sum(1 for r in res if r[1] == 0)
                print('# %s: %d exited 0, %d refused with a message'
                      % (name, ok0, len(cases) - ok0 - len(bad)))
                if not bad:
                    print('ok %d - %s' % (bi, desc))
                else:
                    failed_batches += 1
                    print('not ok %d - %s, %d failed' % (bi, desc, len(bad)))
                    for ci, (why, rc, out, err) in bad[:3]:
                        print('# case %d:%d: %s' % (bi, ci, why))
                        print('#   %s' % show(cases[ci]))
                        for l in err.decode('latin-1').splitlines()[:6]:
                            print('#   stderr: %s' % l[:200])
                    print('# rerun one: %s --seed %d --only %d:%d %s'
                          % (sys.argv[0], args.seed, bi, bad[0][0], args.espah))
                sys.stdout.flush()
        print('# %d cases in %d batches, %d batches failed'
              % (total, len(plan), failed_batches))
    return 1 if failed_batches else 0


if __name__ == '__main__':
    sys.exit(main())
