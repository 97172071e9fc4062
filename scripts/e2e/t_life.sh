#!/bin/bash
# SA lifetimes: each kind (packets in and out, bytes, seconds since add,
# seconds since first use, and outbound sequence-number exhaustion) hits
# soft then hard at the right count or time, with the right events seen
# by `espah monitor` (text and -j). espah on gw1, native XFRM on gw2, IPv4
# tunnel, AES-GCM. Acquire, rekey and netns deletion: t_life_acq.sh.
# shellcheck source=scripts/e2e/lib.sh
# shellcheck disable=SC2086,SC2046,SC2016,SC2034
cd "$(dirname "$0")" && . ./lib.sh && . ./life_lib.sh

# ---- inbound packet limit, outbound sequence-number exhaustion ----------
case_in_packets_seq() {
	local name="in packet-soft 2 packet-hard 4, out seq-soft 5"
	if ! tun_up "replay-oseq 0xfffffff0 limit seq-soft 5" \
		    "limit packet-soft 2 limit packet-hard 4"; then
		not_ok "$name: configure"; return
	fi
	check "$name: exactly 4 of 12 replies delivered" \
		[ "$(received h1 10.0.2.1 12)" = 4 ]
	nap 0.3
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
	nap 0.3
	check "$name: soft (packets) once" [ "$(ev_count 0x1001 0 packets)" = 1 ]
	check "$name: hard (packets) once" [ "$(ev_count 0x1001 1 packets)" = 1 ]
	check "$name: soft before hard" [ "$(ev_order 0x1001)" = "soft hard" ]
	check "$name: out SA removed" eval '! has_sa gw1 0x1001'
	check "$name: the 3 others dropped and counted (out-no-sa + out-expired)" \
		[ $(($(gstat gw1 out-no-sa) - ns0 + $(gstat gw1 out-expired) - ne0)) = 3 ]
}

# ---- an update is the same SA with new parameters: its lifetime use stays --
case_update_keeps_use() {
	local name="out packet-hard 6, updated after 3"
	if ! tun_up "limit packet-hard 6" ""; then
		not_ok "$name: configure"; return
	fi
	check "$name: 3 of 3 pings answered" [ "$(received h1 10.0.2.1 3)" = 3 ]
	check "$name: update" E gw1 state update src $O1 dst $O2 proto esp \
		spi 0x1001 mode tunnel reqid 1 dir out sel src $N1 dst $N2 \
		limit packet-hard 6 $TUN_KO
	check "$name: after the update, exactly 3 of 5 more answered" \
		[ "$(received h1 10.0.2.1 5)" = 3 ]
	nap 0.3
	check "$name: hard (packets) once" [ "$(ev_count 0x1001 1 packets)" = 1 ]
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
	nap 0.3
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
	nap 1.5
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

topo_up
mon_start
diag "t=${SECONDS}s"; mon_mark; case_in_packets_seq
diag "t=${SECONDS}s"; mon_mark; case_out_packets
diag "t=${SECONDS}s"; mon_mark; case_update_keeps_use
diag "t=${SECONDS}s"; mon_mark; case_out_bytes
diag "t=${SECONDS}s"; mon_mark; case_time
diag "t=${SECONDS}s"
mon_stop
if [ "$T_FAIL" -gt 0 ]; then
	sed 's/^/# mon: /' "$MONJ" | tail -40
fi
ipsec_flush 2>/dev/null
topo_down
finish
