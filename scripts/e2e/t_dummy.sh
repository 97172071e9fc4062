#!/bin/bash
# Dummy packets (RFC 4303 2.6) on demand: espah's outbound tunnel-mode ESP
# SA on gw1 with dummy-rate N keeps its packet rate at or above N a second
# (fill-in). Against native XFRM on gw2: the dummies leave at about the
# rate, as long as TFC-padded real packets, native drops every one
# and delivers nothing, real traffic still flows. (6.1's esp4 turns next
# header 59 into -EINVAL after the ICV verified: xfrm_input counts a
# protocol error, XfrmInStateProtoError, not a mode error, and its replay
# window does not advance.)
# Against espah on gw2 (ESN, across 2^32): the receiver counts them
# (in-dummy), every one took its own sequence number. Traffic faster than
# the rate: no dummies. ESP in UDP. Refusals. Updates, a flush and the
# namespace's end while dummies run at 1000 a second.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh

# ms: milliseconds now (bash's clock, no process)
ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# rate_ok COUNT RATE MS: COUNT dummies in MS milliseconds at RATE a second
# is about the rate: at least a quarter of it (timers in an emulated guest
# run late, never early), at most one per interval (fill-in never sends
# more) with a little slack for the edges of the window
rate_ok() {
	local want=$(($2 * $3 / 1000))
	diag "$1 dummies in $3 ms at $2 a second (about $want expected)"
	[ "$1" -ge $((want / 4)) ] && [ "$1" -le $((want * 11 / 10 + 3)) ]
}

# idle NAME RATE SECONDS: nothing but dummies for SECONDS: gw1 sends
# about RATE a second (their count in IDLE)
idle() {
	local g0 g1 t0 t1
	g0=$(gstat gw1 out-dummy)
	t0=$(ms)
	nap "$3"
	g1=$(gstat gw1 out-dummy)
	t1=$(ms)
	IDLE=$((g1 - g0))
	check "$1: idle, about $2 dummies a second" rate_ok "$IDLE" "$2" $((t1 - t0))
}

# esp_since NS N0: NS's sniffer lines from index N0 on: ESP from gw1
# ($O1) counted in EN, their distinct lengths in ELENS; all lines in LN
esp_since() {
	local i src proto len
	local -A seen=()
	EN=0
	lines "$1"
	LN=${#L[@]}
	for ((i = $2; i < LN; i++)); do
		read -r src _ proto _ _ _ len _ <<< "${L[i]}"
		if [ "$src" != "$O1" ] || [ "$proto" != 50 ]; then continue; fi
		EN=$((EN + 1))
		seen[$len]=1
	done
	ELENS="${!seen[*]}"
}

# seq_pk NS SPI: an outbound ESN SA's last sequence number (OSEQ,
# decimal) and packets counter (PK), from one listing
seq_pk() {
	local line spi cur=0 i
	local -a w
	printf -v spi '0x%08x' "$2"
	OSEQ=0 PK=0
	while IFS= read -r line; do
		read -ra w <<< "${line//,/}"
		case $line in
		$'\t'proto\ *)
			cur=0
			[[ " $line " != *" spi $spi "* ]] || cur=1 ;;
		$'\t 'seq-hi\ *) [ $cur = 0 ] || OSEQ=$(((w[5] << 32) | w[7])) ;;
		$'\t'stats:*)
			[ $cur = 0 ] || for ((i = 1; i + 1 < ${#w[@]}; i += 2)); do
				[ "${w[i]}" != packets ] || PK=${w[i + 1]}
			done ;;
		esac
	done < <(E "$1" -s state list)
}

# (1) and (4): against native XFRM, with TFC padding
native_peer() {
	local n="to native" h0 p d m
	ipsec_flush
	# native first: every dummy finds its SA
	gw_side native gw2 $O2 $O1 $N2 $N1 tunnel gcm 0x2001 0x1001 2 1 &&
	gw_side espah gw1 $O1 $O2 $N1 $N2 tunnel gcm 0x1001 0x2001 1 2 \
		"tfcpad 300 dummy-rate 20" ||
		{ not_ok "$n: configure"; return; }
	check "$n: espah state list shows tfcpad 300 dummy-rate 20" \
		grep -q $'^\ttfcpad 300 dummy-rate 20$' <(E gw1 state list)
	check "$n: h1 pings h2 while dummies run" pings h1 10.0.2.1 3
	# idle: only dummies
	lines h2
	h0=${#L[@]}
	idle "$n" 20 3
	check "$n: per-SA out-dummy counts them" \
		ge "$(sastat gw1 0x1001 out-dummy)" "$IDLE"
	lines h2
	check "$n: h2 received nothing while idle (native delivered no dummy)" \
		numeq "${#L[@]}" "$h0"
	# stop them: the SA goes (its counters stay in the namespace's)
	E gw1 state delete src $O1 dst $O2 proto esp spi 0x1001
	nap 0.5
	read -r p d <<< "$(gstat gw1 out-packets out-dummy)"
	m=$(kv gw2 xfrm_stat XfrmInStateProtoError)
	diag "$n: native's xfrm_stat: $(proc_net gw2 xfrm_stat | awk '$2 != 0' | tr '\n\t' '  ')"
	# the sniffer ran before the first SA: it saw every ESP packet
	esp_since gw2 0
	diag "$n: espah sent $p ESP packets ($d dummies), gw2 saw $EN of lengths '$ELENS', native protocol errors $m"
	check "$n: native dropped every dummy, a protocol error each ($d)" \
		eval '[ "$d" -gt 0 ] && numeq "$m" "$d"'
	check "$n: on the wire: every ESP packet espah sent ($EN of $p)" numeq "$EN" "$p"
	check "$n: tfcpad 300: dummies as long as padded pings (one length: '$ELENS')" \
		eval '[ "${ELENS// /}" = "$ELENS" ] && [ "$ELENS" -ge 300 ] && [ "$ELENS" -lt 400 ]'
}

# (2) espah to espah, ESN across 2^32: the receiver counts the dummies;
# every packet, dummy or real, took one number of its own
espah_peer() {
	local n="to espah" o0=4294967280 st r0 r1
	ipsec_flush
	# keys of its own: an SA of the same SPI and keys added soon after
	# would start from this one's number (its tombstone), past 2^32
	gw_side espah gw1 $O1 $O2 $N1 $N2 tunnel gcm 0x1001 0x2001 11 12 \
		"flag esn replay-oseq $o0 dummy-rate 50" "flag esn" &&
	gw_side espah gw2 $O2 $O1 $N2 $N1 tunnel gcm 0x2001 0x1001 12 11 \
		"flag esn" "flag esn replay-seq $o0" ||
		{ not_ok "$n: configure"; return; }
	nap 1.5
	check "$n: h1 pings h2 after the dummies crossed 2^32" pings h1 10.0.2.1 2
	seq_pk gw1 0x1001
	diag "$n: oseq $o0 -> $OSEQ, $PK packets"
	check "$n: past 2^32 (oseq $OSEQ)" ge "$OSEQ" 4294967296
	# (a packet between its number and its count: one per CPU at most)
	check "$n: one sequence number per packet sent ($((OSEQ - o0)) for $PK)" \
		eval '[ $((OSEQ - o0 - PK)) -ge 0 ] && [ $((OSEQ - o0 - PK)) -le 2 ]'
	# shellcheck disable=SC2034 # r0, r1: read in eval
	read -r st r0 r1 <<< "$(sastat gw2 0x1001 dummy replay old)"
	check "$n: gw2 discarded and counted the dummies ($st), none replayed or old" \
		eval '[ "$st" -ge 16 ] && [ "$r0" = 0 ] && [ "$r1" = 0 ]'
	check "$n: gw2's in-dummy counts them too" ge "$(gstat gw2 in-dummy)" "$st"
	check "$n: icv-fail 0 at gw2" numeq "$(sastat gw2 0x1001 icv-fail)" 0
}

# (3) fill-in: traffic faster than the rate sends no dummies
fill_in() {
	local n="fill-in" g0 g1 p0 p1 t0 t1 pid real
	ipsec_flush
	gw_side espah gw1 $O1 $O2 $N1 $N2 tunnel gcm 0x1001 0x2001 1 2 "dummy-rate 5" &&
	gw_side espah gw2 $O2 $O1 $N2 $N1 tunnel gcm 0x2001 0x1001 2 1 ||
		{ not_ok "$n: configure"; return; }
	nsx h1 ping -q -i 0.01 -c 400 -W 1 10.0.2.1 >/dev/null 2>&1 &
	pid=$!
	nap 1
	read -r g0 p0 <<< "$(gstat gw1 out-dummy out-packets)"
	t0=$(ms)
	nap 1.5
	read -r g1 p1 <<< "$(gstat gw1 out-dummy out-packets)"
	t1=$(ms)
	real=$((p1 - p0 - (g1 - g0)))
	diag "$n: $real real packets and $((g1 - g0)) dummies in $((t1 - t0)) ms"
	check "$n: the pings ran faster than 5 a second ($real in $((t1 - t0)) ms)" \
		ge "$real" $((10 * (t1 - t0) / 1000))
	check "$n: no dummy while they did ($((g1 - g0)))" eval '[ $((g1 - g0)) -le 1 ]'
	wait "$pid"
	idle "$n: after the pings" 5 1.5
}

# ESP in UDP: dummies take the SA's encapsulation as every packet does
natt() {
	local n="ESP in UDP" e=(encap espinudp 4500 4500 0.0.0.0) d0 d1 st mis
	ipsec_flush
	gw_side espah gw1 $O1 $O2 $N1 $N2 tunnel gcm 0x1001 0x2001 1 2 \
		"${e[*]} dummy-rate 20" &&
	gw_side espah gw2 $O2 $O1 $N2 $N1 tunnel gcm 0x2001 0x1001 2 1 "" "${e[*]}" ||
		{ not_ok "$n: configure"; return; }
	d0=$(sastat gw2 0x1001 dummy)
	nap 1
	read -r st mis <<< "$(sastat gw2 0x1001 dummy encap-mismatch)"
	d1=$(gstat gw1 out-dummy)
	diag "$n: gw2 received $((st - d0)) dummies in a second"
	check "$n: gw2's SA received them in UDP ($((st - d0)), none without it: $mis)" \
		eval '[ $((st - d0)) -ge 5 ] && [ "$mis" = 0 ]'
	check "$n: h1 pings h2" pings h1 10.0.2.1 2
	check "$n: no more dummies received than sent" ge "$d1" "$st"
}

# (5) the module refuses what cannot carry dummies, naming the attribute
refusals() {
	local id=(state add src "$O1" dst "$O2" proto esp spi 0x7001)
	ipsec_flush
	algwords gcm 7
	refused "refused: on an inbound SA" 'ESPAH_A_SA_DUMMY_RATE: outbound SAs only' \
		"${id[@]}" mode tunnel dir in dummy-rate 10 "${ALGW[@]}"
	refused "refused: in transport mode" 'ESPAH_A_SA_DUMMY_RATE: tunnel mode only' \
		"${id[@]}" dir out dummy-rate 10 "${ALGW[@]}"
	refused "refused: on AH" 'ESPAH_A_SA_DUMMY_RATE: ESP only' \
		state add src $O1 dst $O2 proto ah spi 0x7002 mode tunnel dir out \
		dummy-rate 10 auth-trunc 'hmac(sha256)' "0x$(key 32 7)" 128
	refused "refused: rate 0 (out of range, names SA_DUMMY_RATE)" SA_DUMMY_RATE \
		"${id[@]}" mode tunnel dir out dummy-rate 0 "${ALGW[@]}"
	refused "refused: rate 1001 (out of range, names SA_DUMMY_RATE)" SA_DUMMY_RATE \
		"${id[@]}" mode tunnel dir out dummy-rate 1001 "${ALGW[@]}"
	check "no SA left by the refusals" numeq "$(E gw1 state count | tr -dc 0-9)" 0
	check "features list dummy" bash -c "$ESPAH_TOOL -n gw1 features | grep -qw dummy"
}

# (6) at 1000 a second: updates, a flush, the namespace's end
teardown() {
	local n="teardown" d0 d1 i gone=0
	ipsec_flush
	gw_side espah gw1 $O1 $O2 $N1 $N2 tunnel gcm 0x1001 0x2001 1 2 "dummy-rate 1000" &&
	gw_side espah gw2 $O2 $O1 $N2 $N1 tunnel gcm 0x2001 0x1001 2 1 ||
		{ not_ok "$n: configure"; return; }
	algwords gcm 1
	for i in 1 2 3; do
		cfg espah gw1 state update src $O1 dst $O2 proto esp spi 0x1001 \
			mode tunnel reqid 1 dir out replay-window 64 \
			sel src $N1 dst $N2 dummy-rate $((1000 - i)) "${ALGW[@]}" || break
	done
	check "$n: three updates while dummies run" [ "$i" = 3 ]
	d0=$(gstat gw2 in-dummy)
	nap 0.5
	d1=$(gstat gw2 in-dummy)
	check "$n: the updated SA still sends them ($d0 -> $d1)" ge "$d1" $((d0 + 1))
	check "$n: none replayed after the updates" numeq "$(sastat gw2 0x1001 replay)" 0
	cfg espah gw1 state flush
	check "$n: flushed while they ran" numeq "$(E gw1 state count | tr -dc 0-9)" 0
	sa espah gw1 $O1 $O2 0x1001 tunnel out gcm 1 sel src $N1 dst $N2 \
		dummy-rate 1000 || not_ok "$n: add again"
	nap 0.3
	ns_del gw1
	# gw1's end takes the link's other half: gw2's eth2 goes once gw1's
	# namespace (espah's part of it with its dummies) is dismantled
	for ((i = 0; i < 300; i++)); do
		ip -n gw2 link show eth2 >/dev/null 2>&1 || { gone=1; break; }
		nap 0.1
	done
	check "$n: gw1's namespace deleted while dummies ran: dismantled" [ $gone = 1 ]
	check "$n: espah still answers in gw2" eval 'E gw2 stats >/dev/null'
}

topo_up
if ! sniff gw2 eth2 50 || ! sniff h2 eth0 1,17,59; then
	not_ok "sniffers on gw2 and h2"
fi
# The debug kernel's short run (make test's default-debug): the timers'
# life under KASAN and lockdep (teardown: dummies sent and received,
# updates, a flush, the namespace's end); the stock kernel runs the whole
# suite (DUMMY_FULL=1: the debug kernel too).
if [ "${ESPAH_KIND:-}" != debug ] || [ -n "${DUMMY_FULL:-}" ]; then
	refusals
	native_peer
	espah_peer
	fill_in
	natt
fi
teardown
ipsec_flush
sniff_stop
topo_down
finish
