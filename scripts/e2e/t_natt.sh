#!/bin/bash
# NAT traversal, ESP in UDP (RFC 3948): espah on gw1 against native XFRM
# on gw2, both with "encap espinudp 4500 4500 0.0.0.0" on every SA,
# IPv4 and IPv6, transport and tunnel mode; then what else may come to
# an encapsulation port (keepalives, IKE, short datagrams, SPIs espah does
# not own, a bad ICV).
#
# Native XFRM decapsulates ESP in UDP only on a UDP socket with the
# UDP_ENCAP option (an IKE daemon's): a python3 in gw2 holds one on port
# 4500 for IPv4 and one for IPv6, each with the xfrm bypass policies IKE
# daemons put on their sockets (6.1 checks the socket's policy before
# the encapsulation: without them a transport-mode policy between the
# gateways drops the datagrams). espah needs no socket: gw1 has none
# until the negative cases bind a plain one.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh

CAP=/tmp/e2e-natt.$$.pcap
ENC=(encap espinudp 4500 4500 0.0.0.0)

# a plain UDP socket on port 4500 (IPv4) that writes every datagram it
# gets as one line of hex
LISTEN='import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 4500))
print("ready", flush=True)
while True:
    d, a = s.recvfrom(65535)
    print(d.hex(), flush=True)'

# SEND DST HEX...: one UDP datagram per HEX payload, from port 4501 to DST
# port 4500
SEND='import socket, sys
dst = sys.argv[1]
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", 4501))
for h in sys.argv[2:]:
    s.sendto(bytes.fromhex(h), (dst, 4500))'

# TOO_BIG GW1 GW2 PROTO SPI MTU: ICMPv6 "packet too big" from GW2 to GW1
# quoting an ESP packet GW1 sent, bare (PROTO 50) or in UDP 4500 -> 4500
# (PROTO 17); the kernel computes the ICMPv6 checksum
TOO_BIG='import socket, struct, sys
gw1, gw2, proto, spi, mtu = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4], 0), int(sys.argv[5])
esp = struct.pack("!II", spi, 5) + b"x" * 8
l4 = struct.pack("!HHHH", 4500, 4500, 8 + len(esp), 0) + esp if proto == 17 else esp
q = struct.pack("!IHBB", 6 << 28, 1460, proto, 64) + \
    socket.inet_pton(socket.AF_INET6, gw1) + socket.inet_pton(socket.AF_INET6, gw2)
m = struct.pack("!BBHI", 2, 0, 0, mtu) + q + l4
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.sendto(m, (gw1, 0))'

# ping_size NS DST SIZE [PING_ARG...]: one echo of SIZE bytes answered
ping_size() {
	local ns=$1 dst=$2 size=$3
	shift 3
	nsx "$ns" ping -q -c 1 -W 3 -s "$size" "$@" "$dst" >/dev/null 2>&1
}

# flushc NS: forget the learnt path MTUs of both families
flushc() {
	nsx "$1" ip route flush cache
	nsx "$1" ip -6 route flush cache
}

# reported_mtu NS DST: the PMTU the route cache of NS holds for DST
reported_mtu() {
	nsx "$1" ip route get "$2" | sed -n 's/.* mtu \([0-9]*\).*/\1/p' | head -1
}

# natt_side IMPL NS LOCAL REMOTE LNET RNET MODE SPI_OUT SPI_IN KEY_OUT KEY_IN:
# gw_side with UDP encapsulation on both SAs (algorithm NATT_ALG, gcm)
natt_side() {
	[ -n "${CFG_BATCH:-}" ] || { cfg_batch "$1" "$2" natt_side "$@"; return; }
	local impl=$1 ns=$2 la=$3 ra=$4 ln=$5 rn=$6 mode=$7
	local so=$8 si=$9 ko=${10} ki=${11}
	sa "$impl" "$ns" "$la" "$ra" "$so" "$mode" out "${NATT_ALG:-gcm}" "$ko" \
		sel src "$ln" dst "$rn" "${ENC[@]}" || return 1
	sa "$impl" "$ns" "$ra" "$la" "$si" "$mode" in "${NATT_ALG:-gcm}" "$ki" \
		sel src "$rn" dst "$ln" "${ENC[@]}" || return 1
	pol "$impl" "$ns" "$ln" "$rn" out "$la" "$ra" "$mode" || return 1
	pol "$impl" "$ns" "$rn" "$ln" in "$ra" "$la" "$mode" || return 1
	if [ "$mode" = tunnel ]; then
		pol "$impl" "$ns" "$rn" "$ln" fwd "$ra" "$la" "$mode" || return 1
	fi
}

# pcount FILTER: packets of the capture that match a tcpdump filter
pcount() { tcpdump -r "$CAP" -n "$@" 2>/dev/null | wc -l; }

# tcase FAMILY MODE MB
tcase() {
	local f=$1 m=$2 mb=$3 l r ln rn a1 a2 from to name
	name="natt $m $f gw1=espah gw2=native"
	if [ "$f" = v4 ]; then
		l=10.0.12.1 r=10.0.12.2
	else
		l=fd00:12::1 r=fd00:12::2
	fi
	if [ "$m" = transport ]; then
		if [ "$f" = v4 ]; then ln=$l/32 rn=$r/32; else ln=$l/128 rn=$r/128; fi
		from=gw1 to=gw2 a1=$l a2=$r
	else
		if [ "$f" = v4 ]; then
			ln=10.0.1.0/24 rn=10.0.2.0/24 a1=10.0.1.1 a2=10.0.2.1
		else
			ln=fd00:1::/64 rn=fd00:2::/64 a1=fd00:1::1 a2=fd00:2::1
		fi
		from=h1 to=h2
	fi
	ipsec_flush
	if ! natt_side espah gw1 $l $r $ln $rn "$m" 0x5001 0x6001 5 6 ||
	   ! natt_side native gw2 $r $l $rn $ln "$m" 0x6001 0x5001 6 5; then
		not_ok "$name: configure"
		return
	fi
	check "$name: SA listed with its encap" \
		grep -q "encap type espinudp sport 4500 dport 4500" \
		<(E gw1 state list)
	check "$name: JSON: encap type, ports and address" bash -c \
		"$ESPAH_TOOL -n gw1 -j state list | jq -e '[.[] | select(.encap.type == \"espinudp\" and .encap.sport == 4500 and .encap.dport == 4500 and .encap.addr != null)] | length == 2' >/dev/null"
	check "$name: espah save writes the encap words" numeq \
		"$(E gw1 save | grep -c "dir [a-z]* .*encap espinudp 4500 4500 ")" 2
	if ! capture gw2 eth2 "$CAP" "udp port 4500 or ip proto 50 or ip6 proto 50"; then
		not_ok "$name: capture"
		return
	fi
	check "$name: ping $from->$to" pings $from $a2 3
	check "$name: ping $to->$from" pings $to $a1 3
	if [ "$mb" -gt 0 ]; then
		local f0 c0
		f0=$(fragcreates gw1)
		c0=$(gstat gw1 mss-clamped)
		check "$name: tcp ${mb}MB $from->$to intact" tcp_xfer $from $to $a2 "$mb"
		# the SYNs' MSS counts the UDP header too: full-sized
		# segments fit the path once encapsulated
		check "$name: SYN MSS clamped" ge "$(($(gstat gw1 mss-clamped) - c0))" 2
		check "$name: no fragments on gw1" numeq "$(fragcreates gw1)" "$f0"
	fi
	capture_stop
	check "$name: espah out SA counted" ge "$(sastat gw1 0x5001 packets)" 6
	check "$name: espah in SA counted" ge "$(sastat gw1 0x6001 packets)" 6
	check "$name: native peer decrypted espah's packets" \
		ge "$(nstat_pkts gw2 0x5001)" 6
	check "$name: native peer sent to espah" ge "$(nstat_pkts gw2 0x6001)" 6
	diag "$name: capture: $(pcount 'udp port 4500') UDP 4500, $(pcount 'ip proto 50 or ip6 proto 50') bare ESP"
	check "$name: the link carries UDP 4500 both ways" \
		ge "$(pcount "udp and src port 4500 and dst port 4500 and src host $l")" 6
	check "$name: ... from gw2 too" \
		ge "$(pcount "udp and src port 4500 and dst port 4500 and src host $r")" 6
	check "$name: no bare ESP on the link" \
		numeq "$(pcount 'ip proto 50 or ip6 proto 50')" 0
}

# An ESP packet of SPI 0x6001 (gw1's inbound SA) whose ICV cannot verify:
# SPI | seq | 8-byte IV | 32 bytes | 16-byte ICV
BAD_ICV=00006001000f4240$(key 56 bad)

# What else comes to port 4500 of gw1 (IPv4 tunnel SAs: no policy covers
# gw2 -> gw1 UDP, so what espah passes on reaches gw1's socket).
negatives() {
	local name="natt negatives" out=/tmp/e2e-natt-rx.$$ lpid
	local ka0 sh0 ns0 ka sh ns icv0 icv mm0 mm mal0 mal
	ipsec_flush
	if ! natt_side espah gw1 10.0.12.1 10.0.12.2 10.0.1.0/24 10.0.2.0/24 \
		tunnel 0x5001 0x6001 5 6 ||
	   ! natt_side native gw2 10.0.12.2 10.0.12.1 10.0.2.0/24 10.0.1.0/24 \
		tunnel 0x6001 0x5001 6 5 ||
	   ! bg gw1 "$out" -c "$LISTEN"; then
		not_ok "$name: configure"
		return
	fi
	lpid=$BG_PID
	# a socket bound to 4500 on gw1 does not keep ESP from espah
	check "$name: ping h1->h2 with a socket on gw1's port 4500" pings h1 10.0.2.1 3
	read -r ka0 sh0 ns0 mal0 <<< "$(gstat gw1 in-natt-keepalive in-natt-short in-no-sa in-malformed)"
	read -r icv0 mm0 <<< "$(sastat gw1 0x6001 icv-fail encap-mismatch)"
	nsx gw2 "$PY" -c "$SEND" 10.0.12.1 ff 0102030405 \
		00000000aabbccdd0011 "deadbeef00000001$(key 40 unk)" "$BAD_ICV"
	# the same ESP packet bare: the SA takes ESP in UDP only
	nsx gw2 "$PY" -c 'import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_RAW, 50).sendto(bytes.fromhex(sys.argv[1]), ("10.0.12.1", 0))' "$BAD_ICV"
	nap 1
	kill "$lpid" 2>/dev/null
	wait "$lpid" 2>/dev/null
	diag "gw1's socket received: $(tr '\n' ' ' < "$out")"
	read -r ka sh ns mal <<< "$(gstat gw1 in-natt-keepalive in-natt-short in-no-sa in-malformed)"
	diag "keepalive $ka0 -> $ka, short $sh0 -> $sh, in-no-sa $ns0 -> $ns, in-malformed $mal0 -> $mal"
	check "$name: keepalive counted" numeq "$ka" "$((ka0 + 1))"
	check "$name: keepalive not delivered to the socket" \
		bash -c "! grep -qx ff '$out'"
	check "$name: 5-byte datagram counted as short" numeq "$sh" "$((sh0 + 1))"
	check "$name: ... and passed on to the socket" grep -qx 0102030405 "$out"
	check "$name: IKE (non-ESP marker) reaches the socket untouched" \
		grep -qx 00000000aabbccdd0011 "$out"
	check "$name: unknown SPI reaches the socket untouched" \
		grep -qx "deadbeef00000001$(key 40 unk)" "$out"
	check "$name: unknown SPI not counted as an espah drop" \
		numeq "$((ns + mal))" "$((ns0 + mal0))"
	read -r icv mm <<< "$(sastat gw1 0x6001 icv-fail encap-mismatch)"
	check "$name: bad ICV dropped and counted on the SA" numeq "$icv" "$((icv0 + 1))"
	check "$name: bare ESP for the encapsulated SA dropped, counted" \
		numeq "$mm" "$((mm0 + 1))"
	check "$name: bad ICV not delivered to the socket" \
		bash -c "! grep -qx '$BAD_ICV' '$out'"
	check "$name: the socket got exactly 3 datagrams" \
		numeq "$(wc -l < "$out")" 4	# "ready" + 3
	rm -f "$out"
}

# Path MTU with the UDP header. GCM in UDP over IPv4 takes 20 + 8 + 8 +
# 8 + 16 + 2 bytes, payload padded to 4: the largest inner packet is 1438
# (1446 for bare ESP); over IPv6, 1418. ICMPv6 "packet too big" about the
# ESP-in-UDP packets lowers it (over IPv4, native UDP's error handler
# records any "fragmentation needed" about UDP already, so only IPv6 can
# show espah's own handling).
mtu_case() {
	local f=$1 o1 o2 n1 n2 a2 want ptb ih name
	if [ "$f" = v4 ]; then
		o1=10.0.12.1 o2=10.0.12.2 n1=10.0.1.0/24 n2=10.0.2.0/24
		a2=10.0.2.1 want=1438 ptb=1472 ih=28
	else
		o1=fd00:12::1 o2=fd00:12::2 n1=fd00:1::/64 n2=fd00:2::/64
		a2=fd00:2::1 want=1418 ptb=1452 ih=48
	fi
	name="natt tunnel $f path MTU"
	ipsec_flush
	if ! natt_side espah gw1 $o1 $o2 $n1 $n2 tunnel 0x5001 0x6001 5 6 ||
	   ! natt_side native gw2 $o2 $o1 $n2 $n1 tunnel 0x6001 0x5001 6 5; then
		not_ok "$name: configure"
		return
	fi
	flushc h1
	flushc gw1
	ping_size h1 $a2 $ptb -M "do"
	check "$name: too big reports $want (8 bytes less than bare ESP)" \
		[ "$(reported_mtu h1 $a2)" = $want ]
	check "$name: an inner packet of $want passes" \
		ping_size h1 $a2 $((want - ih)) -M "do"
	[ "$f" = v6 ] || return 0
	nsx gw2 "$PY" -c "$TOO_BIG" $o1 $o2 17 0x7777 1300
	check "$name: packet too big about an unknown SPI changes nothing" \
		[ -z "$(reported_mtu gw1 $o2)" ]
	nsx gw2 "$PY" -c "$TOO_BIG" $o1 $o2 50 0x5001 1300
	check "$name: ... nor about bare ESP of the encapsulated SA" \
		[ -z "$(reported_mtu gw1 $o2)" ]
	nsx gw2 "$PY" -c "$TOO_BIG" $o1 $o2 17 0x5001 1400
	check "$name: packet too big about its ESP in UDP sets the PMTU" \
		[ "$(reported_mtu gw1 $o2)" = 1400 ]
	flushc h1
	ping_size h1 $a2 1420 -M "do"
	check "$name: the tunnel then reports 1318" \
		[ "$(reported_mtu h1 $a2)" = 1318 ]
	flushc h1
	flushc gw1
}

# The xfrm bridge: gw1's SAs and policies keyed with ip xfrm (if_id 42,
# encap espinudp), as an IKE daemon behind a NAT would; espah carries them
bridge() {
	local name="natt xfrm bridge" o1=10.0.12.1 o2=10.0.12.2
	local n1=10.0.1.0/24 n2=10.0.2.0/24 out in
	ipsec_flush
	algwords gcm 5 && out="${ALGW[*]}" && algwords gcm 6 && in="${ALGW[*]}"
	if ! E gw1 xfrm attach if-id 42 || ! ip -n gw1 -batch - <<-EOF ||
	xfrm state add src $o1 dst $o2 proto esp spi 0x5001 mode tunnel reqid 1 replay-window 64 if_id 42 sel src $n1 dst $n2 ${ENC[*]} $out
	xfrm state add src $o2 dst $o1 proto esp spi 0x6001 mode tunnel reqid 1 replay-window 64 if_id 42 sel src $n2 dst $n1 ${ENC[*]} $in
	xfrm policy add src $n1 dst $n2 dir out if_id 42 tmpl src $o1 dst $o2 proto esp mode tunnel reqid 1
	xfrm policy add src $n2 dst $n1 dir in if_id 42 tmpl src $o2 dst $o1 proto esp mode tunnel reqid 1
	xfrm policy add src $n2 dst $n1 dir fwd if_id 42 tmpl src $o2 dst $o1 proto esp mode tunnel reqid 1
	EOF
	   ! natt_side native gw2 $o2 $o1 $n2 $n1 tunnel 0x6001 0x5001 6 5; then
		not_ok "$name: configure"
		E gw1 xfrm detach
		return
	fi
	nap 1
	check "$name: both SAs carried with their encap" numeq \
		"$(E gw1 state list | grep -c "encap type espinudp sport 4500 dport 4500")" 2
	check "$name: none refused" numeq "$(gstat gw1 xfrm-refused)" 0
	if ! capture gw2 eth2 "$CAP" "udp port 4500 or ip proto 50"; then
		not_ok "$name: capture"
	else
		check "$name: ping h1->h2" pings h1 10.0.2.1 3
		check "$name: ping h2->h1" pings h2 10.0.1.1 3
		capture_stop
		check "$name: espah out SA counted" ge "$(sastat gw1 0x5001 packets)" 6
		check "$name: espah in SA counted" ge "$(sastat gw1 0x6001 packets)" 6
		check "$name: UDP 4500 from gw1 on the link" \
			ge "$(pcount "udp and src port 4500 and src host $o1")" 6
		check "$name: no bare ESP on the link" numeq "$(pcount 'ip proto 50')" 0
	fi
	E gw1 xfrm detach
}

# Asynchronous crypto (pcrypt): the UDP length and the IPv6 checksum are
# written when the encryption completes. Last, with an algorithm no later
# suite uses: pcrypt's instance outlives the suite and then serves every
# user of the algorithm (see t_async); native first, to stay synchronous.
async_v6() {
	local name="natt async transport v6 ccm" l=fd00:12::1 r=fd00:12::2 a0
	local NATT_ALG=a-ccm
	ipsec_flush
	if ! natt_side native gw2 $r $l $r/128 $l/128 transport 0x6001 0x5001 6 5 ||
	   ! natt_side espah gw1 $l $r $l/128 $r/128 transport 0x5001 0x6001 5 6; then
		not_ok "$name: configure"
		return
	fi
	a0=$(gstat gw1 crypto-async)
	check "$name: ping gw1->gw2" pings gw1 $r 3
	check "$name: tcp 1MB gw1->gw2 intact" tcp_xfer gw1 gw2 $r 1
	check "$name: crypto-async counted" ge "$(($(gstat gw1 crypto-async) - a0))" 12
	check "$name: native peer decrypted espah's packets" \
		ge "$(nstat_pkts gw2 0x5001)" 100
}

# refusals through netlink, each naming the attribute
refusals() {
	local err
	ipsec_flush
	err=$(E gw1 state add src 10.0.12.1 dst 10.0.12.2 proto esp spi 0x7001 \
		dir out encap espinudp 0 4500 0.0.0.0 \
		aead 'rfc4106(gcm(aes))' "0x$(key 20 7)" 128 2>&1)
	check "refused: encap sport 0 (names ESPAH_ENCAP_SPORT)" \
		grep -q ESPAH_ENCAP_SPORT <<< "$err"
	err=$(E gw1 state add src 10.0.12.1 dst 10.0.12.2 proto esp spi 0x7002 \
		dir out encap espintcp 4500 4500 0.0.0.0 \
		aead 'rfc4106(gcm(aes))' "0x$(key 20 7)" 128 2>&1)
	check "refused: espintcp (RFC 8229), with the reason" \
		grep -q 'encap "espintcp" is not supported' <<< "$err"
	check "no SA left by the refusals" numeq "$(E gw1 state count | tr -dc 0-9)" 0
	check "features list natt" grep -qw natt <(E gw1 features)
}

topo_up
# (ip xfrm loads xfrm_user, which compiles the sockets' policies)
ipsec_flush
if ! bg gw2 /tmp/e2e-natt-socks.$$ "$PWD/udp_encap_sock.py"; then
	not_ok "UDP_ENCAP sockets on gw2"
else
	SOCKS_PID=$BG_PID
	refusals
	tcase v4 transport "$BIG_MB"
	tcase v4 tunnel 1
	tcase v6 transport 1
	tcase v6 tunnel 1
	mtu_case v4
	mtu_case v6
	bridge
	negatives
	async_v6
	kill "$SOCKS_PID" 2>/dev/null
	wait "$SOCKS_PID" 2>/dev/null
fi
rm -f "$CAP" "$CAP.err" /tmp/e2e-natt-socks.$$
ipsec_flush
topo_down
finish
