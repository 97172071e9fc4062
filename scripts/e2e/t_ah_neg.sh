#!/bin/bash
# Negative cases on the AH input of an espah gateway (gw1), transport mode,
# with packets crafted by scapy on gw2 (which has no IPsec of its own):
# mutable fields changed on the way still verify; a changed address,
# payload byte or immutable IPv4 option fails the ICV and is counted;
# replayed and out-of-window packets are dropped and counted; a fragmented
# IPv6 AH packet is reassembled first (RFC 4302 3.4.1) and verifies, a lone
# fragment is never delivered; a wrong ICV length is refused at SA add.
# Each case checks its counter and that nothing else was delivered.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh
# shellcheck source=scripts/e2e/ah.sh
. ./ah.sh

O1=10.0.12.1 O2=10.0.12.2 P1=fd00:12::1 P2=fd00:12::2

# snmp6 NAME: a counter of /proc/net/snmp6 in gw1
snmp6() { kv gw1 snmp6 "$1" ""; }

topo_up
ipsec_flush
if ! { ah_sa espah gw1 $O2 $O1 0x6001 transport in sha256 6 &&
       ah_sa espah gw1 $O1 $O2 0x5001 transport out sha256 5 &&
       ah_pol espah gw1 $O2/32 $O1/32 in $O2 $O1 transport &&
       ah_sa espah gw1 $P2 $P1 0x6002 transport in sha256 7 &&
       ah_pol espah gw1 $P2/128 $P1/128 in $P2 $P1 transport; }; then
	not_ok "configure"
fi

b_icmp=$(icmp_in gw1)
b_icmp6=$(snmp6 Icmp6InEchos)
b_frag=$(gstat gw1 in-ah-frag)
# One scapy run (it starts slowly under emulation). ICVs are computed by
# scapy's own AH implementation; then fields are changed as a router or an
# attacker would, fixing the IPv4 header checksum so ip_rcv() accepts it.
scapy gw2 "
k4 = bytes.fromhex('$(key 32 6)')
k6 = bytes.fromhex('$(key 32 7)')
sa4 = SecurityAssociation(AH, spi=0x6001, auth_algo='SHA2-256-128', auth_key=k4)
sa6 = SecurityAssociation(AH, spi=0x6002, auth_algo='SHA2-256-128', auth_key=k6)
def v4(seq, opts=[]):
    return sa4.encrypt(IP(src='$O2', dst='$O1', ttl=64, options=opts) /
                       ICMP(id=7, seq=seq) / (b'espah-ah-neg' * 4), seq_num=seq)
def fix(p):
    p = IP(raw(p))
    del p.chksum
    return IP(raw(p))
def flip(p, off):
    b = bytearray(raw(p))
    b[off] ^= 0x55
    return b
# 1: TTL and DSCP/ECN changed on the way: verifies
p1 = v4(1); p1.ttl = 3; p1.tos = 0xb8
send(fix(p1))
# 2: source address changed: ICV fails
p = v4(2); p.src = '10.0.12.3'
send(fix(p))
# 3: last payload byte changed: ICV fails
p = v4(3)
send(fix(IP(flip(p, len(raw(p)) - 1))))
# 4: immutable option (Router Alert value) changed: ICV fails
p = v4(4, [IPOption_Router_Alert()])
send(fix(IP(flip(p, 23))))
# 5: the packet of 1 replayed twice
send(fix(p1), count=2)
# 6: 200 accepted, then 100 is left of the 64-packet window
send(v4(200))
send(v4(100))
def v6(seq):
    return sa6.encrypt(IPv6(src='$P2', dst='$P1', hlim=64) /
                       ICMPv6EchoRequest(id=7, seq=seq, data=b'espah-ah-neg' * 8),
                       seq_num=seq)
# 7: hop limit, traffic class and flow label changed: verifies
q = v6(1); q.hlim = 2; q.tc = 0xb8; q.fl = 0x12345
send(IPv6(raw(q)))
# 8: source address changed: ICV fails
q = v6(2); q.src = 'fd00:12::3'
send(IPv6(raw(q)))
# 9: an AH packet sent in two fragments: reassembled (RFC 4302 3.4.1),
# then verified and delivered
def frags(seq, fid, both):
    ah = raw(v6(seq)[AH])
    h = IPv6(src='$P2', dst='$P1', nh=44)
    send(h / IPv6ExtHdrFragment(nh=51, m=1, offset=0, id=fid) / Raw(ah[:64]))
    if both:
        send(h / IPv6ExtHdrFragment(nh=51, m=0, offset=8, id=fid) / Raw(ah[64:]))
frags(3, 0x1234, True)
# 10: the first fragment of another one alone: never delivered
frags(4, 0x1235, False)
"
nap 1

check "v4 TTL/TOS changed on the way: verifies, delivered" \
	[ "$(icmp_in gw1)" = "$((b_icmp + 2))" ]
check "v4: exactly the two valid packets counted on the SA" \
	[ "$(sastat gw1 0x6001 packets)" = 2 ]
check "v4 changed address, payload byte, immutable option: icv-fail 3" \
	[ "$(sastat gw1 0x6001 icv-fail)" = 3 ]
check "v4 replayed packet: replay 2" [ "$(sastat gw1 0x6001 replay)" = 2 ]
check "v4 out-of-window packet: old 1" [ "$(sastat gw1 0x6001 old)" = 1 ]
check "v6 hop limit/class/flow label changed, and the fragmented packet: verified, delivered; the lone fragment is not" \
	[ "$(snmp6 Icmp6InEchos)" = "$((b_icmp6 + 2))" ]
check "v6: exactly the valid and the reassembled packet counted on the SA" \
	[ "$(sastat gw1 0x6002 packets)" = 2 ]
check "v6 changed address: icv-fail 1" [ "$(sastat gw1 0x6002 icv-fail)" = 1 ]
# Fragments never reach espah's hook: IPv4 and (nf_defrag_ipv6) IPv6
# are reassembled before LOCAL_IN. in-ah-frag counts what reaches it
# anyway (a namespace where nf_defrag_ipv6 could not be enabled).
check "no AH fragment reached espah's hook (in-ah-frag unchanged)" \
	[ "$(gstat gw1 in-ah-frag)" = "$b_frag" ]

# --- wrong ICV lengths are refused at SA add, naming the attribute
# icv_refused ALGO-WORDS...
icv_refused() {
	local out
	out=$(E gw1 state add src $O2 dst $O1 proto ah spi 0x7001 dir in \
		"$@" 2>&1) && return 1
	case $out in *ICV_BITS*) ;; *) diag "$out"; return 1 ;; esac
	! E gw1 state get src $O2 dst $O1 proto ah spi 0x7001 >/dev/null 2>&1
}
check "hmac(sha256) with a 64-bit ICV refused (ESPAH_A_SA_ICV_BITS)" \
	icv_refused auth-trunc 'hmac(sha256)' "0x$(key 32 9)" 64
check "hmac(sha1) with a 128-bit ICV refused (ESPAH_A_SA_ICV_BITS)" \
	icv_refused auth-trunc 'hmac(sha1)' "0x$(key 20 9)" 128
check "rfc4543(gcm(aes)) with a 96-bit ICV refused (ESPAH_A_SA_ICV_BITS)" \
	icv_refused aead 'rfc4543(gcm(aes))' "0x$(key 20 9)" 96
check "a correct AH SA is accepted by the same command" \
	E gw1 state add src $O2 dst $O1 proto ah spi 0x7001 dir in \
	auth-trunc 'hmac(sha256)' "0x$(key 32 9)" 128

ipsec_flush
topo_down
finish
