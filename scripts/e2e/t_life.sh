#!/bin/bash
# SA lifecycle: each lifetime kind (packets, bytes, add time, use time, and
# sequence-number exhaustion) hits soft then hard at the right count or
# time with the right events seen by `espah monitor` (text and -j); acquire
# content and rate limit; a make-before-break rekey under a running TCP
# transfer with zero loss; netns isolation and deletion under traffic with
# SAs, policies and pending lifetime deadlines (kmemleak checks the debug
# run). espah on gw1, native XFRM on gw2, IPv4 tunnel, AES-GCM.
# shellcheck source=scripts/e2e/lib.sh
# shellcheck disable=SC2086,SC2046,SC2016,SC2034
cd "$(dirname "$0")" && . ./lib.sh

N1=10.0.1.0/24 N2=10.0.2.0/24 O1=10.0.12.1 O2=10.0.12.2
MONJ=/tmp/life-mon.json MONT=/tmp/life-mon.txt MONPID=/tmp/life-mon.pid
PARAM=/sys/module/espah/parameters/acquire_interval_ms

# tun_up "GW1_OUT_EXTRA" "GW1_IN_EXTRA": the tunnel, limits on espah's SAs
tun_up() {
	ipsec_flush
	sa espah gw1 $O1 $O2 0x1001 tunnel out gcm 1 sel src $N1 dst $N2 $1 &&
	sa espah gw1 $O2 $O1 0x2001 tunnel in gcm 2 sel src $N2 dst $N1 $2 &&
	pol espah gw1 $N1 $N2 out $O1 $O2 tunnel &&
	pol espah gw1 $N2 $N1 in $O2 $O1 tunnel &&
	pol espah gw1 $N2 $N1 fwd $O2 $O1 tunnel &&
	sa native gw2 $O2 $O1 0x2001 tunnel out gcm 2 &&
	sa native gw2 $O1 $O2 0x1001 tunnel in gcm 1 &&
	pol native gw2 $N2 $N1 out $O2 $O1 tunnel &&
	pol native gw2 $N1 $N2 in $O1 $O2 tunnel &&
	pol native gw2 $N1 $N2 fwd $O1 $O2 tunnel
}

# received FROM DST COUNT: how many of COUNT echo requests were answered
received() {
	nsx "$1" ping -c "$3" -i 0.2 -W 1 "$2" 2>/dev/null |
		awk '/packets transmitted/ { print $4; f = 1 } END { if (!f) print -1 }'
}

# has_sa NS SPI: the SA is listed
has_sa() { E "$1" state list | grep -q "spi $(printf '0x%08x' "$2")"; }

# mon_start: text and JSON monitors of gw1 (JSON lines time-stamped)
mon_start() {
	rm -f "$MONJ" "$MONT" "$MONPID"
	E gw1 monitor >"$MONT" 2>&1 &
	echo $! >>"$MONPID"
	MON_JOBS=$!
	{ nsx gw1 "$ESPAH_TOOL" -j monitor & echo $! >>"$MONPID"; wait; } |
		while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done >"$MONJ" &
	MON_JOBS="$MON_JOBS $!"
	sleep 0.5
}

mon_stop() {
	local p
	while read -r p; do kill "$p" 2>/dev/null; done <"$MONPID"
	wait $MON_JOBS 2>/dev/null
	MON_JOBS=""
	: >"$MONPID"
}

# mon_mark: events from here on are the current case's
mon_mark() { MON_FROM=$(wc -l <"$MONJ"); }
mon_lines() { tail -n +$((${MON_FROM:-0} + 1)) "$MONJ"; }

# ev_grep SPI HARD [REASON]: the case's sa-expire lines (HARD: 0 or 1)
ev_grep() {
	local h=false
	[ "$2" = 1 ] && h=true
	mon_lines | grep -E "\"event\":\"sa-expire\".*\"spi\":$(($1)),.*\"hard\":$h,\"reason\":\"${3:-[a-z-]+}\""
}

# ev_count SPI HARD REASON: how many such expires were seen
ev_count() { ev_grep "$@" | wc -l; }

# ev_order SPI: the expires of SPI in order, "soft hard" if soft came first
ev_order() {
	mon_lines | grep -E "\"event\":\"sa-expire\".*\"spi\":$(($1))," |
		sed -E 's/.*"hard":(true|false).*/\1/; s/true/hard/; s/false/soft/' | paste -sd' '
}

# ev_time SPI HARD: when that expire was seen (epoch seconds), 0 if never
ev_time() {
	local l
	l=$(ev_grep "$1" "$2" | head -1)
	echo "${l%% *}" | grep . || echo 0
}

# within T0 T0B T LO HI: T - T0 >= LO and T - T0B <= HI (T0 <= T0B)
within() {
	awk -v a="$1" -v b="$2" -v t="$3" -v lo="$4" -v hi="$5" 'BEGIN {
		ok = t - a >= lo && t - b <= hi
		if (!ok) printf "# elapsed %.3f..%.3f s, wanted %s..%s\n", t - b, t - a, lo, hi
		exit !ok }'
}

# wait_ev SPI HARD SECONDS: until that expire was seen
wait_ev() {
	local i
	for i in $(seq $(($3 * 10))); do
		ev_grep "$1" "$2" >/dev/null && return 0
		sleep 0.1
	done
	return 1
}

now() { echo "$EPOCHREALTIME"; }

# snmp NS FIELD: a Tcp counter of /proc/net/snmp
tcp_snmp() {
	nsx "$1" awk -v f="$2" '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == f) c = i; h = 1 } else print $c }' /proc/net/snmp
}

xfrm_stat() { nsx "$1" awk -v n="$2" '$1 == n { print $2 }' /proc/net/xfrm_stat; }
espah_stat() { nsx "$1" awk -v n="$2" '$1 == n { print $2; f = 1 } END { if (!f) print -1 }' /proc/net/espah_stat; }

# ---- inbound packet limit, outbound sequence-number exhaustion ----------
case_in_packets_seq() {
	local name="in packet-soft 2 packet-hard 4, out seq-soft 5"
	if ! tun_up "replay-oseq 0xfffffff0 limit seq-soft 5" \
		    "limit packet-soft 2 limit packet-hard 4"; then
		not_ok "$name: configure"; return
	fi
	check "$name: exactly 4 of 12 replies delivered" \
		[ "$(received h1 10.0.2.1 12)" = 4 ]
	sleep 0.3
	check "$name: in SA soft expire (packets) once" [ "$(ev_count 0x2001 0 packets)" = 1 ]
	check "$name: in SA hard expire (packets) once" [ "$(ev_count 0x2001 1 packets)" = 1 ]
	check "$name: in SA soft before hard" [ "$(ev_order 0x2001)" = "soft hard" ]
	check "$name: in SA removed" eval '! has_sa gw1 0x2001'
	check "$name: out SA soft expire (seq) once" [ "$(ev_count 0x1001 0 seq)" = 1 ]
	check "$name: out SA still there, no hard expire" \
		eval 'has_sa gw1 0x1001 && [ "$(ev_order 0x1001)" = soft ]'
	OUT_PKTS=$(sastat gw1 0x1001 packets)
	OUT_BYTES=$(sastat gw1 0x1001 bytes)
	check "$name: out SA sent all 12" [ "$OUT_PKTS" = 12 ]
	PKT=$((OUT_BYTES / OUT_PKTS))
	check "$name: every ESP packet the same size" [ $((PKT * OUT_PKTS)) = "$OUT_BYTES" ]
	diag "ESP packet: $PKT bytes"
	check "$name: text monitor: Expired ... hard 1 reason packets" \
		grep -q "hard 1 reason packets" "$MONT"
}

# ---- outbound packet limit ----------------------------------------------
case_out_packets() {
	local name="out packet-soft 3 packet-hard 5"
	local ns0 ne0
	ns0=$(gstat gw1 out-no-sa)
	ne0=$(gstat gw1 out-expired)
	if ! tun_up "limit packet-soft 3 limit packet-hard 5" ""; then
		not_ok "$name: configure"; return
	fi
	check "$name: exactly 5 of 8 pings answered" [ "$(received h1 10.0.2.1 8)" = 5 ]
	check "$name: native peer received exactly 5" [ "$(nstat_pkts gw2 0x1001)" = 5 ]
	sleep 0.3
	check "$name: soft (packets) once" [ "$(ev_count 0x1001 0 packets)" = 1 ]
	check "$name: hard (packets) once" [ "$(ev_count 0x1001 1 packets)" = 1 ]
	check "$name: soft before hard" [ "$(ev_order 0x1001)" = "soft hard" ]
	check "$name: out SA removed" eval '! has_sa gw1 0x1001'
	check "$name: the 3 others dropped and counted (out-no-sa + out-expired)" \
		[ $(($(gstat gw1 out-no-sa) - ns0 + $(gstat gw1 out-expired) - ne0)) = 3 ]
}

# ---- outbound byte limit --------------------------------------------------
case_out_bytes() {
	local name="out byte-soft 2P byte-hard 3P+1"
	if [ -z "${PKT:-}" ] || [ "$PKT" -le 0 ]; then
		not_ok "$name: packet size unknown"; return
	fi
	if ! tun_up "limit byte-soft $((2 * PKT)) limit byte-hard $((3 * PKT + 1))" ""; then
		not_ok "$name: configure"; return
	fi
	# packet 4 reaches the hard limit (4P >= 3P + 1) and is the last one
	check "$name: exactly 4 of 7 pings answered" [ "$(received h1 10.0.2.1 7)" = 4 ]
	check "$name: native peer received exactly 4" [ "$(nstat_pkts gw2 0x1001)" = 4 ]
	sleep 0.3
	check "$name: soft (bytes) once" [ "$(ev_count 0x1001 0 bytes)" = 1 ]
	check "$name: hard (bytes) once" [ "$(ev_count 0x1001 1 bytes)" = 1 ]
	check "$name: soft before hard" [ "$(ev_order 0x1001)" = "soft hard" ]
}

# ---- time limits: since add (unused SA) and since first use --------------
case_time() {
	local name="time-soft 2 time-hard 3 / time-use-soft 2 time-use-hard 3"
	local t0 t0b t1 t1b
	if ! tun_up "limit time-use-soft 2 limit time-use-hard 3" ""; then
		not_ok "$name: configure"; return
	fi
	t0=$(now)
	if ! E gw1 state add src $O1 dst 10.0.12.99 proto esp spi 0x3001 dir out \
		limit time-soft 2 limit time-hard 3 $(alg gcm 3); then
		not_ok "$name: configure"; return
	fi
	t0b=$(now)
	check "$name: listed with its limits" \
		eval 'E gw1 state list | grep -q "limit time-use-soft 2 time-use-hard 3"'
	sleep 1.5
	check "$name: unused SA: no use-time expire yet" [ "$(ev_order 0x1001)" = "" ]
	t1=$(now)
	check "$name: first use" pings h1 10.0.2.1 1
	t1b=$(now)
	check "$name: use-time recorded" \
		eval 'E gw1 -s state list | grep -q "use-time [1-9]"'
	wait_ev 0x3001 1 5
	wait_ev 0x1001 1 5
	check "$name: add: soft at 2 s (+1)" within "$t0" "$t0b" "$(ev_time 0x3001 0)" 1.95 3.0
	check "$name: add: hard at 3 s (+1)" within "$t0" "$t0b" "$(ev_time 0x3001 1)" 2.95 4.0
	check "$name: add: reasons" \
		[ "$(ev_count 0x3001 0 time)$(ev_count 0x3001 1 time)" = 11 ]
	check "$name: use: soft at 2 s after first use (+1)" \
		within "$t1" "$t1b" "$(ev_time 0x1001 0)" 1.95 3.0
	check "$name: use: hard at 3 s after first use (+1)" \
		within "$t1" "$t1b" "$(ev_time 0x1001 1)" 2.95 4.0
	check "$name: use: reasons" \
		[ "$(ev_count 0x1001 0 time-use)$(ev_count 0x1001 1 time-use)" = 11 ]
	check "$name: both SAs removed" \
		eval '! has_sa gw1 0x3001 && ! has_sa gw1 0x1001'
}

# ---- acquire --------------------------------------------------------------
# acq_count INDEX: acquire events of policy INDEX
acq_count() { mon_lines | grep -E '"event":"acquire"' | grep -c "\"index\":$1,"; }

# acq_content INDEX: its acquire event carries the policy, the template,
# the packet's selector and the SA wanted
acq_content() {
	$PY - "$MONJ" "$1" <<'PYEOF'
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l.split(" ", 1)[1])
    if e.get("event") != "acquire" or e.get("policy", {}).get("index") != int(sys.argv[2]):
        continue
    p, s = e["policy"], e["sa"]
    t = p["tmpl"][0]
    ok = (p["dir"] == "out" and p["sel"]["dst"] == "10.0.2.1/32" and
          t["src"] == "10.0.12.1" and t["dst"] == "10.0.12.2" and
          t["reqid"] == 7 and t["mode"] == "tunnel" and t["proto"] == "esp" and
          s["src"] == "10.0.12.1" and s["dst"] == "10.0.12.2" and
          s["proto"] == "esp" and s["mode"] == "tunnel" and s["reqid"] == 7 and
          s["sel"]["src"] == "10.0.1.1/32" and s["sel"]["dst"] == "10.0.2.1/32")
    if not ok:
        print(json.dumps(e), file=sys.stderr)
    sys.exit(0 if ok else 1)
sys.exit(1)
PYEOF
}

case_acquire() {
	local name="acquire"
	local ia ib ns0 sup0 acq0 n
	ipsec_flush
	if ! { E gw1 policy add src $N1 dst 10.0.2.1/32 dir out \
			tmpl src $O1 dst $O2 proto esp mode tunnel reqid 7 &&
	       E gw1 policy add src $N1 dst 10.0.2.254/32 dir out \
			tmpl src $O1 dst $O2 proto esp mode tunnel reqid 7; }; then
		not_ok "$name: configure"; return
	fi
	read -r ia ib < <(E gw1 -j policy list | $PY -c 'import json,sys
d = {p["sel"]["dst"]: p["index"] for p in json.load(sys.stdin)}
print(d["10.0.2.1/32"], d["10.0.2.254/32"])')
	ns0=$(gstat gw1 out-no-sa); sup0=$(gstat gw1 acquire-suppressed)
	acq0=$(gstat gw1 acquire)
	echo 60000 >"$PARAM"
	received h1 10.0.2.1 5 >/dev/null
	received h1 10.0.2.254 5 >/dev/null
	sleep 0.3
	check "$name: one event per policy per interval (policy $ia)" [ "$(acq_count "$ia")" = 1 ]
	check "$name: one event per policy per interval (policy $ib)" [ "$(acq_count "$ib")" = 1 ]
	check "$name: event carries policy, template, selector, SA wanted" acq_content "$ia"
	check "$name: 10 packets dropped as out-no-sa" [ $(($(gstat gw1 out-no-sa) - ns0)) = 10 ]
	check "$name: 8 acquires suppressed" [ $(($(gstat gw1 acquire-suppressed) - sup0)) = 8 ]
	check "$name: 2 acquires counted" [ $(($(gstat gw1 acquire) - acq0)) = 2 ]
	check "$name: /proc/net/espah_stat XfrmOutNoStates = out-no-sa" \
		[ "$(espah_stat gw1 XfrmOutNoStates)" = "$(gstat gw1 out-no-sa)" ]
	check "$name: text monitor: Acquire line" grep -q "^Acquire src 10.0.12.1 dst 10.0.12.2 proto esp reqid 7" "$MONT"
	# 1 s interval, 11 packets over 2 s: events at about 0, 1 and 2 s
	echo 1000 >"$PARAM"
	sleep 1
	nsx h1 ping -c 11 -i 0.2 -W 1 10.0.2.1 >/dev/null 2>&1
	sleep 0.3
	n=$(acq_count "$ia")
	check "$name: 1 s interval: 2 or 3 more events for 11 packets over 2 s (got $((n - 1)))" \
		eval '[ $((n - 1)) -ge 2 ] && [ $((n - 1)) -le 3 ]'
}

# ---- make-before-break rekey under TCP --------------------------------------
case_rekey() {
	local name="rekey under TCP"
	local pid rt0 rt1 ns0 in0 xin0 old
	if ! tun_up "" ""; then not_ok "$name: configure"; return; fi
	rt0=$(tcp_snmp h1 RetransSegs); rt1=$(tcp_snmp h2 RetransSegs)
	ns0=$(gstat gw1 out-no-sa); in0=$(gstat gw1 in-no-sa)
	xin0=$(xfrm_stat gw2 XfrmInNoStates)
	tcp_xfer h1 h2 10.0.2.1 6 &
	pid=$!
	sleep 1.5
	# new inbound first, then the new outbound; old outbound goes, then old inbound
	sa native gw2 $O1 $O2 0x1002 tunnel in gcm 11
	sa espah gw1 $O1 $O2 0x1002 tunnel out gcm 11 sel src $N1 dst $N2
	sa espah gw1 $O2 $O1 0x2002 tunnel in gcm 12 sel src $N2 dst $N1
	sa native gw2 $O2 $O1 0x2002 tunnel out gcm 12
	sleep 0.5
	old=$(sastat gw1 0x1001 packets)
	check "$name: still transferring when the old SAs go" kill -0 $pid
	E gw1 state delete src $O1 dst $O2 proto esp spi 0x1001
	nsx gw2 ip xfrm state delete src $O2 dst $O1 proto esp spi 0x2001
	sleep 0.5
	nsx gw2 ip xfrm state delete src $O1 dst $O2 proto esp spi 0x1001
	E gw1 state delete src $O2 dst $O1 proto esp spi 0x2001
	check "$name: 6 MB intact" wait $pid
	check "$name: old out SA carried part of it ($old packets)" ge "$old" 100
	check "$name: new out SA carried the rest" ge "$(sastat gw1 0x1002 packets)" 100
	check "$name: new in SA carried ACKs" ge "$(sastat gw1 0x2002 packets)" 10
	check "$name: no packet without SA on espah (out)" [ "$(gstat gw1 out-no-sa)" = "$ns0" ]
	check "$name: no packet without SA on espah (in)" [ "$(gstat gw1 in-no-sa)" = "$in0" ]
	check "$name: no packet without SA on native" [ "$(xfrm_stat gw2 XfrmInNoStates)" = "$xin0" ]
	check "$name: zero TCP retransmissions" \
		eval '[ "$(tcp_snmp h1 RetransSegs)" = "$rt0" ] && [ "$(tcp_snmp h2 RetransSegs)" = "$rt1" ]'
	check "$name: reorder histogram shown by -s" \
		eval 'E gw1 -s state list | grep -Eq "reorder: max [0-9]+ hist 0:[1-9]"'
}

# ---- netns isolation and deletion under traffic --------------------------------
case_netns() {
	local name="netns" i pid
	if ! tun_up "limit time-hard 100 limit time-use-soft 50" "limit time-hard 100"; then
		not_ok "$name: configure"; return
	fi
	for i in $(seq 1 20); do
		echo "state add src $O1 dst 10.0.12.$((100 + i)) proto esp spi $((0x4000 + i)) dir out limit time-hard $((10 + i)) limit byte-hard 100000 $(alg gcm $i)"
	done >/tmp/life-batch
	check "$name: 20 more SAs with pending deadlines" E gw1 -b /tmp/life-batch
	check "$name: traffic flows" pings h1 10.0.2.1 2
	check "$name: gw1 holds its 22 SAs" [ "$(E gw1 state count)" = "SAD count 22" ]
	check "$name: gw2 sees none of gw1's SAs" [ "$(E gw2 state count)" = "SAD count 0" ]
	check "$name: gw2 espah counters untouched by gw1's traffic" \
		[ "$(espah_stat gw2 EspahOutPackets)" = 0 ]
	check "$name: gw1 counters moved" ge "$(espah_stat gw1 EspahOutPackets)" 2
	nsx h1 ping -q -i 0.02 -c 200 -W 1 10.0.2.1 >/dev/null 2>&1 &
	pid=$!
	sleep 1
	mon_stop
	check "$name: delete gw1 under traffic" ip netns del gw1
	wait $pid
	sleep 2
	check "$name: espah still answers in other namespaces" E gw2 state count
	check "$name: no warning in the kernel log" \
		eval '! dmesg | grep -E "WARNING:|BUG:|UBSAN|KASAN" | grep -v "kmemleak"'
}

topo_up
echo 1000 >"$PARAM" || not_ok "acquire_interval_ms parameter writable"
mon_start
diag "t=${SECONDS}s"; mon_mark; case_in_packets_seq
diag "t=${SECONDS}s"; mon_mark; case_out_packets
diag "t=${SECONDS}s"; mon_mark; case_out_bytes
diag "t=${SECONDS}s"; mon_mark; case_time
diag "t=${SECONDS}s"; mon_mark; case_acquire
diag "t=${SECONDS}s"; mon_mark; case_rekey
diag "t=${SECONDS}s"; mon_mark; case_netns
mon_stop
if [ "$T_FAIL" -gt 0 ]; then
	sed 's/^/# mon: /' "$MONJ" | tail -40
fi
echo 1000 >"$PARAM"
ipsec_flush 2>/dev/null
topo_down
finish
