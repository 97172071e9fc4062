#!/bin/bash
# Hold queues (issue 5): an outbound protect policy with "hold N" keeps
# packets that find no SA and sends them when the SA arrives. Delivery is
# counted at the receiver (h2's UDP NoPorts counter: every datagram that
# arrives there is counted once, nothing else sends UDP to h2), the bound
# and the timeout by their counters, the case without hold by out-no-sa.
# Policy update, flush and netns deletion with packets held (kmemleak
# checks the debug run). espah on gw1, native XFRM on gw2.
# shellcheck source=scripts/e2e/lib.sh
# shellcheck disable=SC2086,SC2046,SC2016,SC2034
cd "$(dirname "$0")" && . ./lib.sh && . ./life_lib.sh

TMO=/sys/module/espah/parameters/hold_timeout_ms
S0=/tmp/hold-s0 S1=/tmp/hold-s1

# gw2: native, with one inbound SA per case (each case's espah outbound SA
# starts at sequence number 1 again)
gw2_up() {
	{
		echo "xfrm state flush"
		echo "xfrm policy flush"
		echo "xfrm state add src $O2 dst $O1 proto esp spi 0x2001 mode tunnel reqid 1 replay-window 64 $(alg gcm 2)"
		for s in 1 2 3 4 5 6; do
			echo "xfrm state add src $O1 dst $O2 proto esp spi 0x110$s mode tunnel reqid 1 replay-window 64 $(alg gcm 1)"
		done
		echo "xfrm policy add src $N2 dst $N1 dir out tmpl src $O2 dst $O1 proto esp mode tunnel reqid 1"
		echo "xfrm policy add src $N1 dst $N2 dir in tmpl src $O1 dst $O2 proto esp mode tunnel reqid 1"
		echo "xfrm policy add src $N1 dst $N2 dir fwd tmpl src $O1 dst $O2 proto esp mode tunnel reqid 1"
	} | nsx gw2 ip -batch -
}

# gw1_hold "OUT-POLICY-WORDS": gw1's inbound SA and policies, no outbound SA
gw1_hold() {
	E gw1 -b - <<EOF
state flush
policy flush
state add src $O2 dst $O1 proto esp spi 0x2001 mode tunnel reqid 1 dir in replay-window 64 sel src $N2 dst $N1 $(alg gcm 2)
policy add src $N1 dst $N2 dir out $1 tmpl src $O1 dst $O2 proto esp mode tunnel reqid 1
policy add src $N2 dst $N1 dir in tmpl src $O2 dst $O1 proto esp mode tunnel reqid 1
policy add src $N2 dst $N1 dir fwd tmpl src $O2 dst $O1 proto esp mode tunnel reqid 1
EOF
}

# out_sa SPI: the outbound SA the held packets wait for
out_sa() {
	E gw1 state add src $O1 dst $O2 proto esp spi "$1" mode tunnel reqid 1 \
		dir out replay-window 64 sel src $N1 dst $N2 $(alg gcm 1)
}

# udp_send N: N datagrams h1 -> h2 (a closed port: h2 counts NoPorts)
udp_send() {
	nsx h1 bash -c "for i in \$(seq $1); do echo hold\$i >/dev/udp/10.0.2.1/9999; done" 2>/dev/null
}

# h2_udp: datagrams that reached h2
h2_udp() {
	snmp h2 snmp Udp NoPorts
}

# snap FILE: gw1's counters and h2's arrivals, in one go
snap() { { E gw1 stats; echo "h2-udp $(h2_udp)"; } >"$1"; }
# d NAME: how much NAME moved from $S0 to $S1
d() {
	awk -v n="$1" 'FNR == NR { if ($1 == n) a = $2; next }
		$1 == n { b = $2 } END { print b - a }' "$S0" "$S1"
}
# eq NAME VALUE: NAME moved by exactly VALUE (the difference is shown)
eq() {
	local v
	v=$(d "$1")
	[ "$v" = "$2" ] || { diag "$1 moved by $v, expected $2"; return 1; }
}

case_deliver() {
	local name="held then delivered" pid
	# hold_timeout_ms is 20 s: only the SA's arrival can release them in time
	if ! gw1_hold "hold 10"; then not_ok "$name: configure"; return; fi
	check "$name: policy list shows hold 10" eval 'E gw1 policy list dir out | grep -q " hold 10$"'
	check "$name: -j policy list: \"hold\":10" eval 'E gw1 -j policy list | grep -q "\"hold\":10"'
	snap $S0
	nsx h1 ping -c 3 -i 0.2 -W 20 10.0.2.1 >/tmp/hold-ping 2>&1 &
	pid=$!
	udp_send 6
	nap 1
	snap $S1
	check "$name: 3 echo requests and 6 datagrams held" eq hold-queued 9
	check "$name: none dropped as out-no-sa" eq out-no-sa 0
	check "$name: none dropped as hold-full" eq hold-full 0
	check "$name: an acquire event went out" ge "$(d acquire)" 1
	check "$name: nothing reached h2 yet" eq h2-udp 0
	out_sa 0x1101
	nap 1
	snap $S1
	check "$name: within 1 s of the SA: the 6 datagrams reached h2" eq h2-udp 6
	check "$name: within 1 s of the SA: 9 released" eq hold-released 9
	wait $pid
	check "$name: the 3 pings answered" grep -q "3 packets transmitted, 3 received" /tmp/hold-ping
	check "$name: the new SA carried exactly those 9" [ "$(sastat gw1 0x1101 packets)" = 9 ]
	check "$name: no timeout, flush or out-error" \
		eval 'eq hold-timeout 0 && eq hold-flushed 0 && eq out-error 0'
	check "$name: /proc/net/espah_stat EspahHoldReleased = hold-released" \
		[ "$(espah_stat gw1 EspahHoldReleased)" = "$(gstat gw1 hold-released)" ]
}

case_bound() {
	local name="bound and timeout"
	echo 5000 >"$TMO"
	if ! gw1_hold "hold 5"; then not_ok "$name: configure"; return; fi
	snap $S0
	udp_send 12
	snap $S1
	check "$name: 5 held" eq hold-queued 5
	check "$name: 7 over the bound dropped as hold-full" eq hold-full 7
	check "$name: none counted out-no-sa" eq out-no-sa 0
	check "$name: none timed out before 5 s" eq hold-timeout 0
	nap 6
	snap $S1
	check "$name: the 5 held dropped as hold-timeout" eq hold-timeout 5
	out_sa 0x1102
	nap 1
	snap $S1
	check "$name: nothing released after the timeout" eq hold-released 0
	check "$name: nothing reached h2" eq h2-udp 0
	echo 20000 >"$TMO"
}

case_nohold() {
	local name="without hold"
	if ! gw1_hold ""; then not_ok "$name: configure"; return; fi
	check "$name: policy list shows no hold" eval '! E gw1 policy list dir out | grep -q " hold "'
	snap $S0
	udp_send 4
	snap $S1
	check "$name: 4 dropped as out-no-sa" eq out-no-sa 4
	check "$name: none held" eq hold-queued 0
	out_sa 0x1103
	nap 1
	snap $S1
	check "$name: none released once the SA came" eq hold-released 0
	check "$name: nothing reached h2" eq h2-udp 0
	check "$name: the new SA carried nothing" [ "$(sastat gw1 0x1103 packets)" = 0 ]
}

case_update() {
	local name="policy update"
	if ! gw1_hold "hold 6"; then not_ok "$name: configure"; return; fi
	snap $S0
	udp_send 5
	E gw1 policy update src $N1 dst $N2 dir out hold 2 \
		tmpl src $O1 dst $O2 proto esp mode tunnel reqid 1
	snap $S1
	check "$name: 5 held" eq hold-queued 5
	check "$name: update to hold 2 drops the 3 beyond it" eq hold-flushed 3
	check "$name: policy list shows hold 2" eval 'E gw1 policy list dir out | grep -q " hold 2$"'
	out_sa 0x1104
	nap 1
	snap $S1
	check "$name: the 2 kept released" eq hold-released 2
	check "$name: the 2 kept reached h2" eq h2-udp 2
}

case_flush() {
	local name="policy flush"
	if ! gw1_hold "hold 8"; then not_ok "$name: configure"; return; fi
	snap $S0
	udp_send 8
	E gw1 policy flush
	snap $S1
	check "$name: 8 held" eq hold-queued 8
	check "$name: flush drops the 8 as hold-flushed" eq hold-flushed 8
	check "$name: none released" eq hold-released 0
}

case_refuse() {
	local name="refused"
	# the policy refuses it: the kernel's range message, the attribute
	# named by its offset ("(attribute POL_HOLD)")
	check "$name: hold 101: extack names POL_HOLD" eval \
		'E gw1 policy add src 10.0.9.0/24 dst $N2 dir out hold 101 tmpl proto esp 2>&1 | grep -q "out of range (attribute POL_HOLD)"'
	check "$name: hold 101 not added" eval '! E gw1 policy list | grep -q 10.0.9.0'
	check "$name: dir in with hold: extack names ESPAH_A_POL_HOLD" eval \
		'E gw1 policy add src $N2 dst 10.0.9.0/24 dir in hold 5 tmpl proto esp 2>&1 | grep -q ESPAH_A_POL_HOLD'
	check "$name: hold 100 (the maximum) accepted" \
		E gw1 policy add src 10.0.9.0/24 dst $N2 dir out hold 100 tmpl proto esp
	E gw1 policy delete src 10.0.9.0/24 dst $N2 dir out 2>/dev/null
}

# last: gw1 goes away with packets held, forwarded ones and its own (UDP
# and a TCP SYN, which carry socket references)
case_netns() {
	local name="netns deletion with packets held" pid i
	if ! gw1_hold "hold 10"; then not_ok "$name: configure"; return; fi
	E gw1 policy add src $O1/32 dst $O2/32 proto tcp dport 7777 dir out hold 5 \
		tmpl proto esp reqid 9
	E gw1 policy add src $O1/32 dst $O2/32 proto udp dport 7777 dir out hold 5 \
		tmpl proto esp reqid 9
	snap $S0
	udp_send 10
	nsx gw1 bash -c 'for i in 1 2 3; do echo x >/dev/udp/10.0.12.2/7777; done' 2>/dev/null
	nsx gw1 timeout 5 bash -c 'echo x >/dev/tcp/10.0.12.2/7777' 2>/dev/null &
	pid=$!
	for i in $(seq 25); do
		snap $S1
		ge "$(d hold-queued)" 14 && break
		nap 0.2
	done
	diag "$(d hold-queued) held"
	check "$name: 10 forwarded, 3 local UDP and at least a SYN held" ge "$(d hold-queued)" 14
	check "$name: delete gw1" ns_del gw1
	wait $pid
	nap 2
	check "$name: espah still answers in other namespaces" eval 'E gw2 state count >/dev/null'
	check "$name: no warning in the kernel log" \
		eval '! dmesg | grep -E "WARNING:|BUG:|UBSAN|KASAN|unregister_netdevice" | grep -v kmemleak'
}

# very last: packets left held in the initial namespace for a minute, so
# that the module unload after the suite (scripts/guest/suites.sh,
# guest-init.sh) has to drop them (kmemleak checks the debug run)
case_unload() {
	local name="left held for rmmod" q0
	echo 60000 >"$TMO"
	ip route add 198.51.100.0/24 dev lo 2>/dev/null
	q0=$("$ESPAH_TOOL" stats | awk '$1 == "hold-queued" { print $2 }')
	"$ESPAH_TOOL" policy add src 0.0.0.0/0 dst 198.51.100.7/32 proto udp dir out hold 5 \
		tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel reqid 77
	bash -c 'for i in 1 2 3; do echo x >/dev/udp/198.51.100.7/9999; done' 2>/dev/null
	check "$name: 3 held in the initial namespace" \
		[ $(($("$ESPAH_TOOL" stats | awk '$1 == "hold-queued" { print $2 }') - q0)) = 3 ]
	ip route del 198.51.100.0/24 dev lo 2>/dev/null
}

topo_up
[ -w "$TMO" ] || not_ok "hold_timeout_ms parameter writable"
# long enough for a slow guest: only case_bound is about the timeout
echo 20000 >"$TMO"
if gw2_up; then ok "gw2 native configured"; else not_ok "gw2 native configured"; fi
diag "t=${SECONDS}s"; case_deliver
diag "t=${SECONDS}s"; case_bound
diag "t=${SECONDS}s"; case_nohold
diag "t=${SECONDS}s"; case_update
diag "t=${SECONDS}s"; case_flush
diag "t=${SECONDS}s"; case_refuse
diag "t=${SECONDS}s"; case_netns
diag "t=${SECONDS}s"
topo_down
case_unload
finish
