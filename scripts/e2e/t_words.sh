#!/bin/bash
# ip xfrm words that espah now takes with native XFRM's meaning, against
# native XFRM on gw2 (and, for the ICMP receive cases, on gw1 too, the same
# cases run with both gateways native: what native does is what the
# espah cases expect):
# - flag icmp: an ICMP error about a protected flow, sent by the far
#   gateway through the tunnel (native's policy flag icmp) reaches the near
#   gateway's socket only with the SA flag icmp; without it the error is
#   dropped and counted (the SA's sel-mismatch, or in-policy-drop when a
#   protect policy covers ICMP with another template). espah's policy flag
#   icmp sends its own errors through the tunnel to native's SA flag icmp.
# - level use: an optional transport template lets cleartext through in
#   both directions while no SA exists, and is used once SAs exist; a
#   required one does not; an optional tunnel template out is refused.
# - flag wildrecv (receive only), policy flag localok (kept): stored,
#   printed, saved, carried from native by the xfrm bridge.
# - the UDP checksum of ESP in UDP: verified when not 0, 0 refused over
#   IPv6, as native's encapsulation socket judges it (in-natt-csum).
# - encap espinudp-nonike: a tunnel h1 <-> h2 with native (its marker
#   written and read both ways), IPv4 and IPv6; the SA's ESP without the
#   marker dropped and counted, a marker with too little after it counted.
# ESPAH_WORDS_QUICK=1 (the debug kernel's run, set there by default): the
# refusals, printing, IPv6's zero checksum, the main IPv4 ICMP and level
# cases; no bridge, no native control cases.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh

QUICK=${ESPAH_WORDS_QUICK:-0}
[ "${ESPAH_KIND:-}" = debug ] && QUICK=1

# shellcheck disable=SC2034 # used through namerefs in fam
v4=(10.0.12.1 10.0.12.2 10.0.1.254 10.0.2.254)
# shellcheck disable=SC2034
v6=(fd00:12::1 fd00:12::2 fd00:1::fe fd00:2::fe)

# fam v4|v6: G1 G2 (outer addresses), L1 L2 (the gateways' inner ones)
fam() { local -n f=$1; G1=${f[0]} G2=${f[1]} L1=${f[2]} L2=${f[3]} FAM=$1; }

# probe NS SRC DST: 0 if a UDP datagram from SRC to DST port 9 (closed)
# is answered by an ICMP port unreachable that reaches the socket
# (ECONNREFUSED) within 1 s, 1 if nothing comes
probe() {
	nsx "$1" "$PY" -c '
import socket, sys
f = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(f, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
s.connect((sys.argv[2], 9))
s.settimeout(1)
s.send(b"x")
try:
    s.recv(16)
except ConnectionRefusedError:
    sys.exit(0)
except socket.timeout:
    sys.exit(1)
sys.exit(2)' "$2" "$3"
}
refused() { probe "$@"; }
unanswered() { probe "$@"; [ $? -eq 1 ]; }

# side IMPL NS LOCAL REMOTE LIN RIN SPI_OUT SPI_IN KEY_OUT KEY_IN SA_IN_WORDS POL_OUT_WORDS ICMP_POL:
# a tunnel for UDP between the gateways' inner addresses; extra words on
# the inbound SA (e.g. "flag icmp", "nosel": no selector) and the outbound
# policy ("flag icmp"); ICMP_POL=1 adds an inbound policy for ICMP from
# the peer that wants a transport-mode SA (which the tunnel is not)
side() {
	[ -n "${CFG_BATCH:-}" ] || { cfg_batch "$1" "$2" side "$@"; return; }
	local impl=$1 ns=$2 lo=$3 re=$4 li=$5 ri=${6} so=$7 si=$8 ko=$9 ki=${10}
	local -a iwords pwords sel_in=(sel src "$ri" dst "$li" proto udp)
	read -ra iwords <<< "${11}"
	read -ra pwords <<< "${12}"
	if [ "${iwords[0]:-}" = nosel ]; then sel_in=(); iwords=("${iwords[@]:1}"); fi
	cfg "$impl" "$ns" state flush && cfg "$impl" "$ns" policy flush &&
	sa "$impl" "$ns" "$lo" "$re" "$so" tunnel out gcm "$ko" \
		sel src "$li" dst "$ri" proto udp &&
	sa "$impl" "$ns" "$re" "$lo" "$si" tunnel in gcm "$ki" \
		"${sel_in[@]}" "${iwords[@]}" &&
	cfg "$impl" "$ns" policy add src "$li" dst "$ri" proto udp dir out \
		"${pwords[@]}" tmpl src "$lo" dst "$re" proto esp mode tunnel reqid 1 &&
	cfg "$impl" "$ns" policy add src "$ri" dst "$li" proto udp dir in \
		tmpl src "$re" dst "$lo" proto esp mode tunnel reqid 1 || return 1
	[ "${13:-0}" = 1 ] || return 0
	# (ip xfrm takes the selector in one piece, before dir)
	cfg "$impl" "$ns" policy add src "$ri" dst "$li" \
		proto "$([ "$FAM" = v4 ] && echo icmp || echo ipv6-icmp)" dir in \
		tmpl proto esp mode transport reqid 1
}

# tun IMPL1 SA_IN1 POL_OUT1 ICMP_POL1 SA_IN2 POL_OUT2: gw1 (IMPL1) and gw2
# (native) with these words
tun() {
	# gw1 changes hands: the other implementation's SAs and policies go
	if [ "$1" != "${TUN_IMPL:-}" ]; then ipsec_flush; TUN_IMPL=$1; fi
	side "$1" gw1 "$G1" "$G2" "$L1" "$L2" 0x1001 0x2001 1 2 "$2" "$3" "$4" &&
	side native gw2 "$G2" "$G1" "$L2" "$L1" 0x2001 0x1001 2 1 "$5" "$6" 0
}

# --- flag icmp: errors from the far gateway to the near one -------------------
# icmp_in_case IMPL WORDS ICMP_POL EXPECT: gw1 (IMPL) sends UDP through the
# tunnel to gw2's closed port; gw2's error comes back through the tunnel
# (native's policy flag icmp); EXPECT refused|unanswered at gw1
icmp_in_case() {
	local impl=$1 sw=$2 ip=$3 want=$4 name sm0 sm1 pd0 pd1 n0 n1
	name="$FAM icmp in: gw1 $impl, SA in '${sw}'$([ "$ip" = 1 ] && echo ', ICMP policy'): $want"
	if ! tun "$impl" "$sw" "" "$ip" "" "flag icmp"; then
		not_ok "$name: configure"
		return
	fi
	n0=$(nstat_pkts gw2 0x2001)
	if [ "$impl" = espah ]; then
		sm0=$(sastat gw1 0x2001 sel-mismatch)
		pd0=$(gstat gw1 in-policy-drop)
	fi
	check "$name" "$want" gw1 "$L1" "$L2"
	n1=$(nstat_pkts gw2 0x2001)
	check "$name: the error went through gw2's SA" ge "$((n1 - n0))" 1
	[ "$impl" = espah ] || return
	sm1=$(sastat gw1 0x2001 sel-mismatch)
	pd1=$(gstat gw1 in-policy-drop)
	if [ "$want" = refused ]; then
		check "$name: nothing counted as a drop" \
			numeq "$((sm1 - sm0 + pd1 - pd0))" 0
	elif [ "${sw#nosel}" = "$sw" ]; then
		check "$name: counted (sel-mismatch)" ge "$((sm1 - sm0))" 1
	else
		check "$name: counted (in-policy-drop)" ge "$((pd1 - pd0))" 1
	fi
}

# --- flag icmp: espah's own errors through the tunnel ----------------------------
# icmp_out_case POL_WORDS SA_IN2 EXPECT_SA_PACKETS: gw2 sends UDP to gw1's
# closed port through the tunnel; gw1 (espah) answers; does the error go
# through gw1's outbound SA (and reach gw2's socket)?
icmp_out_case() {
	local pol_w=$1 sa_w2=$2 want=$3 name p0 p1 rc=0
	name="$FAM icmp out: espah policy '${pol_w}', native SA in '${sa_w2}'"
	if ! tun espah "" "$pol_w" 0 "$sa_w2" ""; then
		not_ok "$name: configure"
		return
	fi
	p0=$(sastat gw1 0x1001 packets)
	probe gw2 "$L2" "$L1" || rc=$?
	p1=$(sastat gw1 0x1001 packets)
	if [ "$want" = 1 ]; then
		check "$name: the error went through espah's SA" numeq "$((p1 - p0))" 1
		check "$name: and reached gw2's socket" numeq "$rc" 0
	else
		check "$name: the error left in clear (espah's SA unused)" \
			numeq "$((p1 - p0))" 0
		check "$name: and reached gw2's socket" numeq "$rc" 0
	fi
}

# --- level use -------------------------------------------------------------------
# lside IMPL NS LOCAL REMOTE SPI_OUT SPI_IN KEY_OUT KEY_IN SAS LEVEL_OUT LEVEL_IN:
# transport-mode ESP for ICMP between the gateways' outer addresses, SAs
# only if SAS=1
lside() {
	[ -n "${CFG_BATCH:-}" ] || { cfg_batch "$1" "$2" lside "$@"; return; }
	local impl=$1 ns=$2 lo=$3 re=$4 so=$5 si=$6 ko=$7 ki=$8 sas=$9
	local p
	p=$([ "$FAM" = v4 ] && echo icmp || echo ipv6-icmp)
	cfg "$impl" "$ns" state flush && cfg "$impl" "$ns" policy flush || return 1
	if [ "$sas" = 1 ]; then
		sa "$impl" "$ns" "$lo" "$re" "$so" transport out gcm "$ko" &&
		sa "$impl" "$ns" "$re" "$lo" "$si" transport in gcm "$ki" || return 1
	fi
	cfg "$impl" "$ns" policy add src "$lo" dst "$re" proto "$p" dir out \
		tmpl proto esp mode transport reqid 1 level "${10}" &&
	cfg "$impl" "$ns" policy add src "$re" dst "$lo" proto "$p" dir in \
		tmpl proto esp mode transport reqid 1 level "${11}"
}

# level_case SAS ESPAH_OUT ESPAH_IN EXPECT: native on gw2 with optional
# templates (and SAs if SAS=1), espah on gw1 with these levels; gw1 pings
# gw2's outer address: EXPECT ok|fail
level_case() {
	local sas=$1 lo=$2 li=$3 want=$4 name o0 o1 i0 i1 ns0 ns1 pd0 pd1 rc=0
	name="$FAM level: espah out $lo, in $li, $([ "$sas" = 1 ] && echo SAs || echo 'no SA')"
	if ! lside espah gw1 "$G1" "$G2" 0x3001 0x4001 3 4 "$sas" "$lo" "$li" ||
	   ! lside native gw2 "$G2" "$G1" 0x4001 0x3001 4 3 "$sas" use use; then
		not_ok "$name: configure"
		return
	fi
	read -r ns0 pd0 < <(gstat gw1 out-no-sa in-policy-drop)
	read -r o0 i0 < <(echo "$(sastat gw1 0x3001 packets) $(sastat gw1 0x4001 packets)")
	if [ "$want" = ok ]; then
		pings gw1 "$G2" 3 || rc=1
	else
		nsx gw1 ping -q -c 2 -i 0.2 -W 1 "$G2" >/dev/null 2>&1 || rc=1
	fi
	read -r ns1 pd1 < <(gstat gw1 out-no-sa in-policy-drop)
	read -r o1 i1 < <(echo "$(sastat gw1 0x3001 packets) $(sastat gw1 0x4001 packets)")
	if [ "$want" = ok ]; then
		check "$name: pings answered" numeq "$rc" 0
	else
		check "$name: pings not answered" numeq "$rc" 1
	fi
	if [ "$sas" = 1 ]; then
		check "$name: out SA used" ge "$((o1 - o0))" 3
		check "$name: in SA used" ge "$((i1 - i0))" 3
		check "$name: native's in SA decrypted them" ge "$(nstat_pkts gw2 0x3001)" 3
	elif [ "$lo" = required ]; then
		check "$name: out-no-sa counted" ge "$((ns1 - ns0))" 1
	elif [ "$li" = required ]; then
		check "$name: cleartext replies counted (in-policy-drop)" ge "$((pd1 - pd0))" 1
	else
		check "$name: nothing counted" numeq "$((ns1 - ns0 + pd1 - pd0))" 0
	fi
}

# --- refusals, printing, saving, the bridge -------------------------------------
# has TEXT STRING...: TEXT contains every STRING
has() {
	local t=$1 x
	shift
	for x in "$@"; do [[ $t == *"$x"* ]] || return 1; done
}

# refuses NAME TEXT ARGS...: espah ARGS exits 1 with TEXT on stderr
refuses() {
	local name=$1 text=$2 out rc
	shift 2
	out=$(E gw1 "$@" 2>&1)
	rc=$?
	check "$name: exit status 1 (was $rc)" numeq "$rc" 1
	check "$name: says why" has "$out" "$text"
}

# other_cases [full]: full adds the xfrm bridge
other_cases() {
	local out k
	fam v4
	ipsec_flush
	k=0x$(key 20 9)
	refuses "level use on an outbound tunnel template" \
		"ESPAH_TMPL_OPTIONAL: a tunnel-mode template cannot be optional in an outbound policy" \
		policy add src 10.0.1.0/24 dst 10.0.2.0/24 dir out \
		tmpl src "$G1" dst "$G2" proto esp mode tunnel level use
	refuses "flag wildrecv on an outbound SA" \
		"ESPAH_A_SA_FLAGS: wildrecv (never used to send) is for inbound SAs" \
		state add src "$G1" dst "$G2" proto esp spi 0x5001 dir out flag wildrecv \
		aead 'rfc4106(gcm(aes))' "$k" 128
	check "level use on an inbound tunnel template accepted" \
		E gw1 policy add src 10.0.2.0/24 dst 10.0.1.0/24 dir in \
		tmpl src "$G2" dst "$G1" proto esp mode tunnel level use
	check "flag wildrecv icmp on an SA from a local address, no dir" \
		E gw1 state add src "$G1" dst "$G2" proto esp spi 0x5002 \
		flag wildrecv icmp aead 'rfc4106(gcm(aes))' "$k" 128
	check "policy flag icmp localok" \
		E gw1 policy add src 10.0.1.0/24 dst 10.0.2.0/24 dir out \
		flag icmp localok tmpl proto esp mode transport level use
	out=$(E gw1 state list)
	check "wildrecv: the SA is inbound" has "$out" "dir in"
	check "SA flags printed" has "$out" "flag icmp flag wildrecv"
	out=$(E gw1 policy list)
	check "policy flags printed" has "$out" "flag icmp flag localok"
	check "level use printed" has "$out" "mode transport level use"
	out=$(E gw1 -j policy list)
	check "JSON: policy flags and level" has "$out" \
		'"flags":["icmp","localok"]' '"level":"use"'
	out=$(E gw1 save)
	check "save: SA flags" has "$out" "flag icmp flag wildrecv"
	check "save: policy flags, level use" has "$out" \
		"flag icmp flag localok tmpl" "level use"
	check "features: icmp tmpl-optional wildrecv" bash -c \
		"$ESPAH_TOOL -n gw1 features | grep -w icmp | grep -w tmpl-optional | grep -qw wildrecv"

	# the xfrm bridge carries native's flags and levels
	ipsec_flush
	[ "${1:-}" = full ] || return 0
	if E gw1 xfrm attach if-id 7; then
		ip -n gw1 xfrm state add src "$G1" dst "$G2" proto esp spi 0x5003 \
			reqid 1 mode tunnel flag wildrecv icmp if_id 7 \
			aead 'rfc4106(gcm(aes))' "$k" 128
		ip -n gw1 xfrm policy add src 10.0.2.0/24 dst 10.0.1.0/24 dir in \
			flag icmp localok if_id 7 \
			tmpl src "$G2" dst "$G1" proto esp mode tunnel reqid 1 level use
		nap 0.5
		out=$(E gw1 state list)
		check "bridge: native wildrecv SA carried as inbound, flags kept" \
			has "$out" "dir in" "flag icmp flag wildrecv"
		out=$(E gw1 policy list)
		check "bridge: native policy flags and level use carried" \
			has "$out" "flag icmp flag localok" "level use"
		check "bridge: both carried (none refused)" bash -c \
			"$ESPAH_TOOL -n gw1 xfrm show | grep -q 'carried SAs 1 policies 1'"
		ip -n gw1 xfrm state flush
		ip -n gw1 xfrm policy flush
		E gw1 xfrm detach
	else
		not_ok "bridge: attach"
	fi
	ipsec_flush
}

# --- the UDP checksum of ESP in UDP ---------------------------------------------
# udp_esp NS SRC DST MODE [PAYLOAD]: one UDP datagram 4500 -> 4500,
# checksum MODE: good, bad or zero (a raw socket: the kernel writes no UDP
# checksum); PAYLOAD (hex) or an ESP header for SPI 0x6001 and junk (its
# ICV fails)
udp_esp() {
	nsx "$1" "$PY" -c '
import socket, struct, sys
src, dst, mode = sys.argv[1:4]
v6 = ":" in dst
fam = socket.AF_INET6 if v6 else socket.AF_INET
pay = struct.pack(">II", 0x6001, 1) + bytes(range(32))
if len(sys.argv) > 4:
    pay = bytes.fromhex(sys.argv[4])
n = 8 + len(pay)
a = socket.inet_pton(fam, src) + socket.inet_pton(fam, dst)
ph = a + (struct.pack(">I3xB", n, 17) if v6 else struct.pack(">xBH", 17, n))
def csum(b):
    b += bytes(len(b) % 2)
    x = sum(struct.unpack(">%dH" % (len(b) // 2), b))
    while x >> 16:
        x = (x & 0xffff) + (x >> 16)
    return ~x & 0xffff or 0xffff
c = csum(ph + struct.pack(">HHHH", 4500, 4500, n, 0) + pay)
c = {"good": c, "bad": c % 0xffff + 1, "zero": 0}[mode]
s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_UDP)
s.bind((src, 0))
s.sendto(struct.pack(">HHHH", 4500, 4500, n, c) + pay, (dst, 0))' "${@:2}"
}

# csum_case FAM MODE DROPPED: gw2 sends the datagram to gw1's espah SA with
# UDP encapsulation; DROPPED=1: dropped for its checksum (in-natt-csum),
# else on to the SA (its ICV fails: icv-fail)
csum_case() {
	local mode=$2 drop=$3 name c0 c1 i0 i1
	fam "$1"
	name="$FAM ESP in UDP, UDP checksum $mode"
	c0=$(gstat gw1 in-natt-csum)
	i0=$(sastat gw1 0x6001 icv-fail)
	if ! udp_esp gw2 "$G2" "$G1" "$mode"; then
		not_ok "$name: send"
		return
	fi
	nap 0.3
	c1=$(gstat gw1 in-natt-csum)
	i1=$(sastat gw1 0x6001 icv-fail)
	if [ "$drop" = 1 ]; then
		check "$name: dropped, counted (in-natt-csum)" numeq "$((c1 - c0))" 1
		check "$name: never reached the SA" numeq "$((i1 - i0))" 0
	else
		check "$name: not a checksum drop" numeq "$((c1 - c0))" 0
		check "$name: reached the SA (icv-fail)" numeq "$((i1 - i0))" 1
	fi
}

# csum_setup: an inbound espah SA with encapsulation on gw1 for both
# families' cases
csum_setup() {
	ipsec_flush
	fam v4
	if ! printf '%s\n' "state add src $G2 dst $G1 proto esp spi 0x6001 mode tunnel dir in encap espinudp 4500 4500 0.0.0.0 aead rfc4106(gcm(aes)) 0x$(key 20 6) 128" \
		"state add src fd00:12::2 dst fd00:12::1 proto esp spi 0x6001 mode tunnel dir in encap espinudp 4500 4500 :: aead rfc4106(gcm(aes)) 0x$(key 20 6) 128" |
		E gw1 -batch -; then
		not_ok "ESP in UDP: configure"
		return 1
	fi
}

# --- encap espinudp-nonike ------------------------------------------------------
# nonike_sock NS: what an IKE daemon holds for native XFRM's non-IKE ESP in
# UDP: UDP sockets on 4500 (both families) with UDP_ENCAP
# UDP_ENCAP_ESPINUDP_NON_IKE and xfrm bypass policies
# (scripts/e2e/udp_encap_sock.py)
nonike_sock() {
	bg "$1" "/tmp/e2e-nonike.$$" "$PWD/udp_encap_sock.py" 4500 nonike
}

# nside IMPL NS LOCAL REMOTE LNET RNET SPI_OUT SPI_IN KEY_OUT KEY_IN OADDR:
# a tunnel's half with encap espinudp-nonike 4500 4500 on both SAs
nside() {
	[ -n "${CFG_BATCH:-}" ] || { cfg_batch "$1" "$2" nside "$@"; return; }
	local e="encap espinudp-nonike 4500 4500 ${11}"
	cfg "$1" "$2" state flush && cfg "$1" "$2" policy flush &&
	gw_side "$1" "$2" "$3" "$4" "$5" "$6" tunnel gcm "$7" "$8" "$9" \
		"${10}" "$e" "$e"
}

# nonike_case FAM: h1 <-> h2 through espah on gw1 and native on gw2, both
# with encap espinudp-nonike; then what gw1 does with datagrams for its SA
# without the marker, and with a marker but too short
nonike_case() {
	local name n oa p0 p1 m0 m1 s0 s1 spi
	fam "$1"
	name="$FAM nonike"
	if [ "$FAM" = v4 ]; then
		n=(10.0.1.0/24 10.0.2.0/24 10.0.1.1 10.0.2.1) oa=0.0.0.0
	else
		n=(fd00:1::/64 fd00:2::/64 fd00:1::1 fd00:2::1) oa=::
	fi
	ipsec_flush
	if ! nside espah gw1 "$G1" "$G2" "${n[0]}" "${n[1]}" 0x7001 0x8001 7 8 "$oa" ||
	   ! nside native gw2 "$G2" "$G1" "${n[1]}" "${n[0]}" 0x8001 0x7001 8 7 "$oa"; then
		not_ok "$name: configure"
		return
	fi
	p0=$(sastat gw1 0x7001 packets)
	check "$name: ping h1->h2" pings h1 "${n[3]}" 3
	check "$name: ping h2->h1" pings h2 "${n[2]}" 3
	p1=$(sastat gw1 0x7001 packets)
	check "$name: espah's packets decrypted by native (its marker read)" \
		ge "$(nstat_pkts gw2 0x7001)" 6
	check "$name: native's decrypted by espah" ge "$(sastat gw1 0x8001 packets)" 6
	check "$name: espah's out SA used" ge "$((p1 - p0))" 6
	# the SA's ESP without the marker; the marker and 4 bytes
	printf -v spi '%08x' 0x8001
	read -r m0 < <(sastat gw1 0x8001 encap-mismatch)
	s0=$(gstat gw1 in-natt-short)
	if ! udp_esp gw2 "$G2" "$G1" good "${spi}00000001$(printf '%064x' 7)" ||
	   ! udp_esp gw2 "$G2" "$G1" good "0000000000000000${spi}"; then
		not_ok "$name: send the negatives"
	fi
	nap 0.3
	read -r m1 < <(sastat gw1 0x8001 encap-mismatch)
	s1=$(gstat gw1 in-natt-short)
	check "$name: without the marker: dropped, counted (encap-mismatch)" \
		numeq "$((m1 - m0))" 1
	check "$name: marker, too short: counted (in-natt-short)" \
		numeq "$((s1 - s0))" 1
}

# nonike_cases FAM...
nonike_cases() {
	local f
	if ! nonike_sock gw2; then
		not_ok "nonike: native's encapsulation socket"
		return
	fi
	for f in "$@"; do nonike_case "$f"; done
	kill "$BG_PID" 2>/dev/null
}

topo_up || { not_ok "topology"; finish; exit 1; }
for ns in gw1 gw2; do
	nsx "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
done
# make test runs each word's cases once, in one family where the code is
# the family's own only in the parts the other family repeats; make soak
# (ESPAH_SOAK=1) runs every case in both, and native's control cases.
if [ "$QUICK" = 1 ]; then
	other_cases
	csum_setup && csum_case v6 zero 1
	fam v4
	icmp_in_case espah "flag icmp" 0 refused
	icmp_in_case espah "" 0 unanswered
	icmp_out_case "flag icmp" "flag icmp" 1
	level_case 1 use use ok
elif [ "${ESPAH_SOAK:-0}" != 1 ]; then
	other_cases full
	if csum_setup; then
		csum_case v4 good 0
		csum_case v4 bad 1
		csum_case v4 zero 0	# none (RFC 768, RFC 3948 2.1)
		csum_case v6 zero 1	# invalid (RFC 8200 8.1)
	fi
	nonike_cases v4
	fam v4
	icmp_in_case espah "flag icmp" 0 refused
	icmp_in_case espah "" 0 unanswered
	icmp_in_case espah "nosel flag icmp" 1 refused
	icmp_in_case espah "nosel" 1 unanswered
	icmp_in_case native "flag icmp" 0 refused
	icmp_in_case native "" 0 unanswered
	icmp_out_case "flag icmp" "flag icmp" 1
	icmp_out_case "" "flag icmp" 0
	level_case 1 use use ok
	level_case 0 use required fail
	fam v6
	icmp_in_case espah "flag icmp" 0 refused
	icmp_out_case "flag icmp" "flag icmp" 1
else
	other_cases full
	if csum_setup; then
		for f in v4 v6; do
			csum_case $f good 0
			csum_case $f bad 1
		done
		csum_case v4 zero 0
		csum_case v6 zero 1
	fi
	nonike_cases v4 v6
	for f in v4 v6; do
		fam $f
		for i in espah native; do
			icmp_in_case $i "flag icmp" 0 refused
			icmp_in_case $i "" 0 unanswered
			icmp_in_case $i "nosel flag icmp" 1 refused
			icmp_in_case $i "nosel" 1 unanswered
		done
		icmp_out_case "flag icmp" "flag icmp" 1
		icmp_out_case "" "flag icmp" 0
		level_case 0 use use ok
		level_case 1 use use ok
		level_case 0 use required fail
		level_case 0 required use fail
	done
fi
ipsec_flush
finish
