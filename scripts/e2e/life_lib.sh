#!/bin/bash
# shellcheck shell=bash
# Helpers of the SA lifecycle suites (t_life.sh, t_life_acq.sh): the tunnel
# with limits on espah's side, gw1's monitors with a per-case event window,
# event queries on the JSON monitor, counters.
# shellcheck disable=SC2086,SC2046,SC2016,SC2034

N1=10.0.1.0/24 N2=10.0.2.0/24 O1=10.0.12.1 O2=10.0.12.2
MONJ=/tmp/life-mon.json MONT=/tmp/life-mon.txt MONPID=/tmp/life-mon.pid
PARAM=/sys/module/espah/parameters/acquire_interval_ms

# tun_up "GW1_OUT_EXTRA" "GW1_IN_EXTRA": a fresh tunnel, limits on espah's
# SAs; one batch per gateway (every process start is slow under TCG).
# Fresh keys each time: an outbound SA deleted and added again with the
# same SPI and keys within 60 s continues its sequence numbers (no number
# twice under one key), and a case may have left it near 2^32. TUN_KO:
# the outbound SA's algorithm and key words.
TUN_GEN=0
tun_up() {
	local ki
	TUN_GEN=$((TUN_GEN + 1))
	TUN_KO=$(alg gcm $((TUN_GEN * 2 + 1))) ki=$(alg gcm $((TUN_GEN * 2 + 2)))
	E gw1 -b - <<EOF || return 1
state flush
policy flush
state add src $O1 dst $O2 proto esp spi 0x1001 mode tunnel reqid 1 dir out replay-window 64 sel src $N1 dst $N2 $1 $TUN_KO
state add src $O2 dst $O1 proto esp spi 0x2001 mode tunnel reqid 1 dir in replay-window 64 sel src $N2 dst $N1 $2 $ki
policy add src $N1 dst $N2 dir out tmpl src $O1 dst $O2 proto esp mode tunnel reqid 1
policy add src $N2 dst $N1 dir in tmpl src $O2 dst $O1 proto esp mode tunnel reqid 1
policy add src $N2 dst $N1 dir fwd tmpl src $O2 dst $O1 proto esp mode tunnel reqid 1
EOF
	nsx gw2 ip -batch - <<EOF
xfrm state flush
xfrm policy flush
xfrm state add src $O2 dst $O1 proto esp spi 0x2001 mode tunnel reqid 1 replay-window 64 $ki
xfrm state add src $O1 dst $O2 proto esp spi 0x1001 mode tunnel reqid 1 replay-window 64 $TUN_KO
xfrm policy add src $N2 dst $N1 dir out tmpl src $O2 dst $O1 proto esp mode tunnel reqid 1
xfrm policy add src $N1 dst $N2 dir in tmpl src $O1 dst $O2 proto esp mode tunnel reqid 1
xfrm policy add src $N1 dst $N2 dir fwd tmpl src $O1 dst $O2 proto esp mode tunnel reqid 1
EOF
}

# received FROM DST COUNT: how many of COUNT echo requests were answered
received() {
	nsx "$1" ping -c "$3" -i 0.2 -W 1 "$2" 2>/dev/null |
		awk '/packets transmitted/ { print $4; f = 1 } END { if (!f) print -1 }'
}

# has_sa NS SPI: the SA is listed
has_sa() { E "$1" state list | grep -q "spi $(printf '0x%08x' "$2")"; }

# mon_start: text and JSON monitors of gw1 (JSON lines time-stamped). Not
# through the E/nsx functions: `ip netns exec` execs the tool, so the pids
# recorded are the monitors' own and mon_stop can end them.
mon_start() {
	rm -f "$MONJ" "$MONT" "$MONPID"
	ip netns exec gw1 "$ESPAH_TOOL" monitor >"$MONT" 2>&1 &
	echo $! >>"$MONPID"
	MON_JOBS=$!
	{ ip netns exec gw1 "$ESPAH_TOOL" -j monitor & echo $! >>"$MONPID"; wait; } |
		while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done >"$MONJ" &
	MON_JOBS="$MON_JOBS $!"
	nap 0.5
}

mon_stop() {
	local p
	while read -r p; do kill "$p" 2>/dev/null; done <"$MONPID"
	wait $MON_JOBS 2>/dev/null
	MON_JOBS=""
	: >"$MONPID"
}

# The monitors' output is read with shell builtins alone (a process start
# costs up to a second in the debug guest).
# mon_mark: events from here on are the current case's
mon_mark() {
	local -a all
	mapfile -t all < "$MONJ"
	MON_FROM=${#all[@]}
}
# mon_lines: the case's JSON monitor lines, into the array MON_L
mon_lines() { mapfile -t -s "${MON_FROM:-0}" MON_L < "$MONJ"; }

# ev_grep SPI HARD [REASON]: the case's sa-expire lines (HARD: 0 or 1);
# status 1 if none
ev_grep() {
	local h=false l re r=1
	[ "$2" = 1 ] && h=true
	re="\"event\":\"sa-expire\".*\"spi\":$(($1)),.*\"hard\":$h,\"reason\":\"${3:-[a-z-]+}\""
	mon_lines
	for l in "${MON_L[@]}"; do
		[[ $l =~ $re ]] || continue
		echo "$l"
		r=0
	done
	return $r
}

# ev_count SPI HARD REASON: how many such expires were seen
ev_count() {
	local -a m
	mapfile -t m < <(ev_grep "$@")
	echo ${#m[@]}
}

# ev_order SPI: the expires of SPI in order, "soft hard" if soft came first
ev_order() {
	local l re="\"event\":\"sa-expire\".*\"spi\":$(($1)),.*\"hard\":(true|false)"
	local -a o=()
	mon_lines
	for l in "${MON_L[@]}"; do
		[[ $l =~ $re ]] || continue
		if [ "${BASH_REMATCH[1]}" = true ]; then o+=(hard); else o+=(soft); fi
	done
	echo "${o[*]}"
}

# ev_time SPI HARD: when that expire was seen (epoch seconds), 0 if never
ev_time() {
	local l
	l=$(ev_grep "$1" "$2") || { echo 0; return; }
	l=${l%%$'\n'*}
	echo "${l%% *}"
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
	for ((i = 0; i < $3 * 10; i++)); do
		ev_grep "$1" "$2" >/dev/null && return 0
		nap 0.1
	done
	return 1
}

now() { echo "$EPOCHREALTIME"; }

# snmp NS FIELD: a Tcp counter of /proc/net/snmp
tcp_snmp() {
	snmp "$1" snmp Tcp "$2"
}

xfrm_stat() { kv "$1" xfrm_stat "$2" ""; }
espah_stat() { kv "$1" espah_stat "$2" -1; }

