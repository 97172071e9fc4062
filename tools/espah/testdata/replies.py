#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the netlink replies and events that test-print.sh feeds to
espah-replay: SAs, policies, counters, features and events, built as the
kernel sends them (attribute numbers read from the uapi header), with
edge cases (missing, unknown and malformed attributes).

Usage: replies.py UAPI_HEADER OUTDIR
"""
import os
import re
import socket
import struct
import sys

E = {}


def read_enums(path):
    text = open(path).read()
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    for body in re.findall(r'enum\s+\w+\s*\{(.*?)\};', text, flags=re.S):
        v = 0
        for item in body.split(','):
            item = item.strip()
            if not item:
                continue
            if '=' in item:
                name, val = (x.strip() for x in item.split('=', 1))
                v = int(val, 0)
            else:
                name = item
            E[name] = v
            v += 1
    for name in list(E):
        if name.startswith('__') and name.endswith('_MAX'):
            E[name[2:]] = E[name] - 1


def a(name):
    return E['ESPAH_' + name]


def counters(prefix):
    """The counter types of enum espah_PREFIX, in order, without PAD: each
    gets a value from its place, not its number, so that moving PAD does
    not change what is printed."""
    return [t for t in range(1, a(prefix + '_MAX') + 1) if t != a(prefix + '_PAD')]


def attr(t, payload):
    n = 4 + len(payload)
    return struct.pack('=HH', n, t) + payload + b'\0' * ((4 - n % 4) % 4)


def u8(t, v):
    return attr(t, struct.pack('=B', v))


def u16(t, v):
    return attr(t, struct.pack('=H', v))


def be16(t, v):
    return attr(t, struct.pack('>H', v))


def u32(t, v):
    return attr(t, struct.pack('=I', v))


def be32(t, v):
    return attr(t, struct.pack('>I', v))


def u64(t, v):
    return attr(t, struct.pack('=Q', v))


def s(t, v):
    return attr(t, v.encode() + b'\0')


def ip(t, v):
    fam = socket.AF_INET6 if ':' in v else socket.AF_INET
    return attr(t, socket.inet_pton(fam, v))


def nest(t, *items):
    return attr(t | 0x8000, b''.join(items))


def msg(cmd, *items, mtype=0x20):
    payload = struct.pack('=BBH', cmd, 1, 0) + b''.join(items)
    return struct.pack('=IHHII', 16 + len(payload), mtype, 0, 1, 0) + payload


def sel(family, src, splen, dst, dplen, proto=None, sport=None, dport=None):
    items = [u16(a('SEL_FAMILY'), family), ip(a('SEL_SRC'), src),
             ip(a('SEL_DST'), dst), u8(a('SEL_SPLEN'), splen),
             u8(a('SEL_DPLEN'), dplen)]
    if proto is not None:
        items.append(u8(a('SEL_PROTO'), proto))
    if sport:
        items.append(be16(a('SEL_SPORT'), sport[0]))
        if sport[1] != sport[0]:
            items.append(be16(a('SEL_SPORT_MAX'), sport[1]))
    if dport:
        items.append(be16(a('SEL_DPORT'), dport[0]))
        if dport[1] != dport[0]:
            items.append(be16(a('SEL_DPORT_MAX'), dport[1]))
    return items


AF4, AF6 = socket.AF_INET, socket.AF_INET6
ESP, AH = 50, 51


def sa_full():
    """ESP transport, enc + auth-trunc, ESN, every optional part."""
    st = [u64(t, 1001 + k) for k, t in enumerate(counters('SA_STAT'))]
    st.append(u64(a('SA_STAT_MAX') + 5, 7))		# newer than the tool
    lft = [u64(a('LFT_SOFT_BYTES'), 1 << 20), u64(a('LFT_HARD_PACKETS'), 5000),
           u64(a('LFT_SOFT_ADD_SECS'), 60), u64(a('LFT_SEQ_SOFT'), 100),
           u64(a('LFT_ADD_TIME'), 1700000000), u64(a('LFT_USE_TIME'), 1700000005)]
    reo = [u64(a('REORDER_MAX'), 9)] + [u64(a('REORDER_BUCKET'), 10 * i)
                                        for i in range(8)]
    return [be32(a('A_SA_SPI'), 0x1001), u8(a('A_SA_PROTO'), ESP),
            u8(a('A_SA_MODE'), a('MODE_TRANSPORT')), u8(a('A_SA_DIR'), a('DIR_OUT')),
            u16(a('A_SA_FAMILY'), AF4), ip(a('A_SA_SRC'), '10.0.0.1'),
            ip(a('A_SA_DST'), '10.0.0.2'),
            nest(a('A_SA_SEL'), *sel(AF4, '192.168.1.0', 24, '192.168.2.0', 24, 6,
                                     (1000, 2000), (80, 80))),
            s(a('A_SA_ENC'), 'cbc(aes)'), s(a('A_SA_AUTH'), 'hmac(sha256)'),
            u32(a('A_SA_ICV_BITS'), 128), u32(a('A_SA_REPLAY_WINDOW'), 128),
            u32(a('A_SA_FLAGS'), 1), u32(a('A_SA_REQID'), 7),
            u64(a('A_SA_SEQ'), (3 << 32) | 0x10), u64(a('A_SA_OSEQ'), (1 << 32) | 0x20),
            nest(a('A_SA_LIFETIME'), *lft), nest(a('A_SA_REORDER'), *reo),
            nest(a('A_SA_ENCAP'), u16(a('ENCAP_TYPE'), 2), be16(a('ENCAP_SPORT'), 4500),
                 be16(a('ENCAP_DPORT'), 40000), u32(a('ENCAP_KEEPALIVE'), 20)),
            nest(a('A_SA_STATS'), *st)]


def sa_aead6():
    """ESP tunnel over IPv6, AEAD, ICMP selector, flags noecn and
    decap-dscp, dscp 46, no seq, mark, output-mark, if_id, dummy-rate."""
    return [be32(a('A_SA_SPI'), 0xdeadbeef), u8(a('A_SA_PROTO'), ESP),
            u8(a('A_SA_MODE'), a('MODE_TUNNEL')), u8(a('A_SA_DIR'), a('DIR_IN')),
            u16(a('A_SA_FAMILY'), AF6), ip(a('A_SA_SRC'), '2001:db8::1'),
            ip(a('A_SA_DST'), '2001:db8::2'),
            nest(a('A_SA_SEL'), *sel(AF4, '0.0.0.0', 0, '10.9.0.0', 16, 1, (8, 8),
                                     (0, 0))),
            s(a('A_SA_AEAD'), 'rfc4106(gcm(aes))'), u32(a('A_SA_ICV_BITS'), 96),
            u32(a('A_SA_REPLAY_WINDOW'), 32),
            u32(a('A_SA_FLAGS'), 0x6c),		# noecn, decap-dscp, icmp, wildrecv
            u8(a('A_SA_DSCP'), 46), u32(a('A_SA_TFCPAD'), 1200),
            u32(a('A_SA_MARK'), 1), u32(a('A_SA_MARK_MASK'), 0xff),
            u32(a('A_SA_OMARK'), 0x100), u32(a('A_SA_OMARK_MASK'), 0x300),
            u32(a('A_SA_IF_ID'), 7), u32(a('A_SA_DUMMY_RATE'), 50)]


def sa_ah():
    """AH, auth without an ICV attribute, non-ESN seq, lifetime without
    limits, no selector, SPI and reqid absent."""
    return [u8(a('A_SA_PROTO'), AH), u16(a('A_SA_FAMILY'), AF4),
            ip(a('A_SA_SRC'), '10.0.0.2'), ip(a('A_SA_DST'), '10.0.0.1'),
            s(a('A_SA_AUTH'), 'hmac(sha1)'), u64(a('A_SA_SEQ'), 5),
            nest(a('A_SA_LIFETIME'), u64(a('LFT_ADD_TIME'), 42)),
            nest(a('A_SA_STATS'), u64(a('SA_STAT_PACKETS'), 3))]


def sa_odd():
    """Unknown flag bits, malformed attributes, df clear, no family, unknown
    attribute, odd characters in a name."""
    return [be32(a('A_SA_SPI'), 0x2), u8(a('A_SA_PROTO'), 99),
            ip(a('A_SA_DST'), '10.0.0.9'), attr(a('A_SA_SRC'), b'\x01\x02\x03'),
            u32(a('A_SA_FLAGS'), 0x7), s(a('A_SA_ENC'), 'we"ird\\\t\x01'),
            u32(a('A_SA_MODE'), 1),				# malformed: u8
            u8(a('A_SA_DIR'), 9), u8(a('A_SA_EXPIRE_HARD'), 1),
            u8(a('A_SA_EXPIRE_REASON'), 77), u8(a('A_SA_DF'), 1), u32(200, 5)]


def pol_protect():
    t1 = [u8(a('TMPL_PROTO'), AH), u8(a('TMPL_MODE'), a('MODE_TRANSPORT')),
          u32(a('TMPL_REQID'), 2), attr(a('TMPL_OPTIONAL'), b'')]
    t2 = [u8(a('TMPL_PROTO'), ESP), u8(a('TMPL_MODE'), a('MODE_TUNNEL')),
          u16(a('TMPL_FAMILY'), AF6), ip(a('TMPL_SRC'), '2001:db8::1'),
          ip(a('TMPL_DST'), '2001:db8::2'), u32(a('TMPL_REQID'), 3),
          be32(a('TMPL_SPI'), 0x3003)]
    return [u8(a('A_POL_DIR'), a('DIR_OUT')),
            nest(a('A_POL_SEL'), *sel(AF4, '10.1.0.0', 16, '10.2.0.0', 16, 17,
                                      (53, 53), (1024, 65535))),
            u8(a('A_POL_ACTION'), a('ACTION_PROTECT')), u32(a('A_POL_PRIORITY'), 10),
            u32(a('A_POL_INDEX'), 8), u32(a('A_POL_HOLD'), 4),
            u32(a('A_POL_FLAGS'), 0x7),		# icmp, localok, unknown
            u32(a('A_POL_MARK'), 2), u32(a('A_POL_MARK_MASK'), 0xff),
            u32(a('A_POL_IF_ID'), 7),
            nest(a('A_POL_TMPL'), *t1), nest(a('A_POL_TMPL'), *t2)]


def pol_bypass6():
    return [u8(a('A_POL_DIR'), a('DIR_IN')),
            nest(a('A_POL_SEL'), *sel(AF6, '2001:db8:1::', 48, '::', 0, 58,
                                      (128, 129), (0, 0))),
            u8(a('A_POL_ACTION'), a('ACTION_BYPASS')), u32(a('A_POL_INDEX'), 16)]


def pol_discard():
    """Discard, fwd, template without proto or mode, no priority."""
    return [u8(a('A_POL_DIR'), a('DIR_FWD')),
            nest(a('A_POL_SEL'), *sel(AF4, '0.0.0.0', 0, '0.0.0.0', 0)),
            u8(a('A_POL_ACTION'), a('ACTION_DISCARD')),
            nest(a('A_POL_TMPL'), u32(a('TMPL_REQID'), 1), be32(a('TMPL_SPI'), 0))]


def pol_odd():
    """No direction, no selector, unknown action."""
    return [u8(a('A_POL_ACTION'), 9), u32(a('A_POL_PRIORITY'), 1)]


def stats():
    items = [u64(t, 101 + k) for k, t in enumerate(counters('STAT'))]
    items.append(u64(a('STAT_MAX') + 3, 12345))		# newer than the tool
    items.append(u32(a('STAT_IN_PACKETS'), 1))		# malformed: skipped
    return [nest(a('A_STATS'), *items)]


def alg(name, kind, keys, icvs):
    items = []
    if name is not None:
        items.append(s(a('ALG_NAME'), name))
    if kind is not None:
        items.append(u8(a('ALG_KIND'), kind))
    items += [u32(a('ALG_KEY_BITS'), k) for k in keys]
    items += [u32(a('ALG_ICV_BITS'), k) for k in icvs]
    return nest(a('A_ALG'), *items)


def features():
    return [s(a('A_VERSION'), '0.9'), u32(a('A_WINDOW_MAX'), 4096),
            u32(a('A_HOLD_MAX'), 100), u32(a('A_FEATURES'), 0x1fff | (1 << 26) | (1 << 30)),
            alg('rfc4106(gcm(aes))', 0, [160, 224, 288], [128, 96, 64]),
            alg('cbc(aes)', 1, [128, 192, 256], []),
            alg('hmac(sha256)', 2, [256], [128, 96]),
            alg('digest_null', 2, [], []),
            alg('mystery', 7, [1], []),
            alg('nokind', None, [], [8]),
            alg(None, 0, [1], [1])]


def features_bare():
    return [u32(a('A_FEATURES'), 0)]


def write(outdir, name, *msgs):
    with open(os.path.join(outdir, name), 'wb') as f:
        for m in msgs:
            f.write(m)


def main():
    read_enums(sys.argv[1])
    out = sys.argv[2]
    C = lambda n: a('CMD_' + n)
    write(out, 'sa.bin', *(msg(C('SA_GET'), *x()) for x in (sa_full, sa_aead6, sa_ah, sa_odd)))
    write(out, 'sa1.bin', msg(C('SA_GET'), *sa_full()))
    # "save keys": two SAs that kept their keys, one that did not
    write(out, 'sakeys.bin',
          msg(C('SA_GET'), *sa_full(), attr(a('A_SA_ENC_KEY'), bytes(range(16))),
              attr(a('A_SA_AUTH_KEY'), bytes(range(32, 64)))),
          msg(C('SA_GET'), *sa_aead6(), attr(a('A_SA_ENC_KEY'), bytes(range(100, 120)))),
          msg(C('SA_GET'), *sa_ah()))
    write(out, 'pol.bin', *(msg(C('POL_GET'), *x())
                            for x in (pol_protect, pol_bypass6, pol_discard, pol_odd)))
    write(out, 'pol1.bin', msg(C('POL_GET'), *pol_protect()))
    write(out, 'stats.bin', msg(C('STATS_GET'), *stats()))
    write(out, 'nostats.bin', msg(C('STATS_GET')))
    write(out, 'features.bin', msg(C('FEATURES_GET'), *features()))
    write(out, 'features0.bin', msg(C('FEATURES_GET'), *features_bare()))
    write(out, 'count.bin', msg(C('SA_COUNT'), u32(a('A_COUNT'), 42)))
    write(out, 'nocount.bin', msg(C('SA_COUNT')))
    acq = [u16(a('A_SA_FAMILY'), AF4), ip(a('A_SA_SRC'), '10.0.0.1'),
           ip(a('A_SA_DST'), '10.0.0.2'), u8(a('A_SA_PROTO'), ESP),
           u32(a('A_SA_REQID'), 7)] + pol_protect()
    write(out, 'events.bin',
          msg(C('SA_ADD'), *sa_full()), msg(C('SA_UPDATE'), *sa_aead6()),
          msg(C('SA_DEL'), *sa_ah()),
          msg(C('SA_EXPIRE'), *sa_full(), u8(a('A_SA_EXPIRE_HARD'), 0),
              u8(a('A_SA_EXPIRE_REASON'), a('EXPIRE_SEQ'))),
          msg(C('SA_EXPIRE'), *sa_aead6(), u8(a('A_SA_EXPIRE_HARD'), 1),
              u8(a('A_SA_EXPIRE_REASON'), a('EXPIRE_USE_TIME'))),
          msg(C('SA_FLUSH'), u8(a('A_SA_PROTO'), AH)),
          msg(C('SA_FLUSH'), u32(a('A_COUNT'), 3)),
          msg(C('POL_ADD'), *pol_protect()), msg(C('POL_UPDATE'), *pol_bypass6()),
          msg(C('POL_DEL'), *pol_discard()), msg(C('POL_FLUSH')),
          msg(C('ACQUIRE'), *acq),
          msg(C('ACQUIRE'), u8(a('A_SA_PROTO'), AH)),
          msg(C('SA_MAPPING'), be32(a('A_SA_SPI'), 0x6001), u8(a('A_SA_PROTO'), ESP),
              u16(a('A_SA_FAMILY'), AF4), ip(a('A_SA_DST'), '10.0.13.1'),
              u32(a('A_SA_REQID'), 1),
              nest(a('A_SA_MAPPING'), ip(a('MAPPING_OLD_ADDR'), '10.0.13.254'),
                   be16(a('MAPPING_OLD_PORT'), 40000),
                   ip(a('MAPPING_NEW_ADDR'), '10.0.13.254'),
                   be16(a('MAPPING_NEW_PORT'), 40001), u8(a('MAPPING_UPDATED'), 1))),
          msg(C('SA_MAPPING'), u16(a('A_SA_FAMILY'), AF6),
              nest(a('A_SA_MAPPING'), ip(a('MAPPING_NEW_ADDR'), '2001:db8::9'),
                   be16(a('MAPPING_NEW_PORT'), 1))),
          msg(C('SA_MAPPING')),
          msg(C('SA_GET'), *sa_aead6()),
          msg(C('SA_COUNT'), u32(a('A_COUNT'), 1)),
          msg(99, u32(a('A_COUNT'), 1), nest(a('A_SA_SEL'), u8(a('SEL_PROTO'), 6)),
              u32(300, 1)))


main()
