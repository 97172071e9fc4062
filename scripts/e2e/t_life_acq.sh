#!/bin/bash
# SA lifecycle, part 2: acquire events (content, one per policy per
# interval), two make-before-break rekeys under one paced TCP transfer
# with zero loss (sha256) and no more TCP retransmissions than the same
# transfer without rekey, netns isolation and deletion under traffic with SAs, policies
# and pending lifetime deadlines (kmemleak checks the debug run). espah on
# gw1, native XFRM on gw2.
# shellcheck source=scripts/e2e/lib.sh
# shellcheck disable=SC2086,SC2046,SC2016,SC2034
cd "$(dirname "$0")" && . ./lib.sh && . ./life_lib.sh

# ---- acquire --------------------------------------------------------------
# acq_count INDEX: acquire events of policy INDEX
acq_count() {
	local l n=0
	mon_lines
	for l in "${MON_L[@]}"; do
		[[ $l == *'"event":"acquire"'* && $l == *"\"index\":$1,"* ]] &&
			n=$((n + 1))
	done
	echo $n
}

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
	E gw1 -b - <<<$'state flush\npolicy flush'
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
	nap 0.3
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
	nap 1
	nsx h1 ping -c 11 -i 0.2 -W 1 10.0.2.1 >/dev/null 2>&1
	nap 0.3
	n=$(acq_count "$ia")
	check "$name: 1 s interval: 2 or 3 more events for 11 packets over 2 s (got $((n - 1)))" \
		eval '[ $((n - 1)) -ge 2 ] && [ $((n - 1)) -le 3 ]'
}

# ---- make-before-break rekey under TCP --------------------------------------
# A paced TCP transfer h1 -> h2 that runs until told to stop, so that it
# spans both rekeys however slow the guest is; its bytes are random and
# compared by sha256 (sender's running hash against the file received).
REKEY_RATE=300000
[ "${ESPAH_KIND:-}" = debug ] && REKEY_RATE=100000
RK_STOP=/tmp/rk-stop RK_LOG=/tmp/rk-xfer.log

# xfer_start: start it in the background (pid in RK_PID); xfer_stop: stop
# it and report whether every byte arrived intact
xfer_start() {
	local port=$((6000 + RANDOM % 1000))
	rm -f "$RK_STOP" /tmp/rk-dst "$RK_LOG"
	nc_listen h2 300 "$port" /tmp/rk-dst || return 1
	RK_NC=$NC_PID
	nsx h1 timeout 300 "$PY" - 10.0.2.1 "$port" "$REKEY_RATE" "$RK_STOP" >"$RK_LOG" 2>&1 <<'PYEOF' &
import hashlib, os, socket, sys, time
addr, port, rate, stop = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
s = socket.create_connection((addr, port))
h, sent, t0, chunk = hashlib.sha256(), 0, time.monotonic(), 16384
while not os.path.exists(stop):
    b = os.urandom(chunk)
    h.update(b)
    s.sendall(b)
    sent += chunk
    d = t0 + sent / rate - time.monotonic()
    if d > 0:
        time.sleep(d)
s.shutdown(socket.SHUT_WR)
s.recv(1)  # until the receiver closes: everything was delivered
print(sent, h.hexdigest())
PYEOF
	RK_PID=$!
	RK_T0=$SECONDS
}

xfer_stop() {
	local want got n
	touch "$RK_STOP"
	wait "$RK_PID"
	wait "$RK_NC"
	RK_SECS=$((SECONDS - RK_T0))
	read -r n want <"$RK_LOG"
	got=$(sha256sum </tmp/rk-dst | cut -d' ' -f1)
	diag "transfer: ${n:-?} bytes sent in ${RK_SECS} s, $(stat -c %s /tmp/rk-dst) received"
	[ -n "$want" ] && [ "$want" = "$got" ] && [ "$(stat -c %s /tmp/rk-dst)" = "$n" ] && return 0
	sed 's/^/# sender: /' "$RK_LOG"
	tcp_diag h1 h2
	return 1
}

# espah_errs: gw1's /proc/net/espah_stat but the traffic counters
# (packets, SYNs clamped)
espah_errs() {
	local n v
	nsnet gw1 espah_stat || return 1
	while read -r n v; do
		case $n in *Packets*|*MssClamped*) ;; *) echo "$n $v" ;; esac
	done < "$NSNET"
}

# tcpext NS FIELD: a TcpExt counter of /proc/net/netstat
tcpext() {
	snmp "$1" netstat TcpExt "$2"
}

# retrans: "ALL LOST": TCP retransmissions of both ends so far, and those
# of them the receiver did not report as duplicates (DSACK). The paced
# transfer's segments are reordered now and then (two vCPUs, per-CPU
# crypto queues, with or without a rekey): the sender then retransmits
# what was only late, and the receiver's DSACK says so. A segment that
# IPsec lost is retransmitted and never DSACKed.
retrans() {
	local a=0 l=0 ns r
	for ns in h1 h2; do
		r=$(tcp_snmp $ns RetransSegs)
		a=$((a + r))
		l=$((l + r - $(tcpext $ns TCPDSACKRecvSegs)))
	done
	echo "$a $l"
}

# wait_pkts SPI N: until gw1's SA SPI carried N packets (20 s at most)
wait_pkts() {
	local i
	for i in $(seq 100); do
		ge "$(sastat gw1 "$1" packets)" "$2" && return 0
		nap 0.2
	done
	return 1
}

# rekey NAME PID OLD NEW KEY: make before break while PID transfers; gw1's
# outbound (and gw2's inbound) OLD -> NEW with key KEY, the reverse
# direction OLD+0x1000 -> NEW+0x1000 with key KEY+1
rekey() {
	local name=$1 pid=$2 old=$3 new=$4 k=$5
	local rold=$(($3 + 0x1000)) rnew=$(($4 + 0x1000))
	# new inbound first, then the new outbound; old outbound goes, then old inbound
	sa native gw2 $O1 $O2 $new tunnel in gcm $k
	sa espah gw1 $O1 $O2 $new tunnel out gcm $k sel src $N1 dst $N2
	sa espah gw1 $O2 $O1 $rnew tunnel in gcm $((k + 1)) sel src $N2 dst $N1
	sa native gw2 $O2 $O1 $rnew tunnel out gcm $((k + 1))
	nap 0.5
	check "$name: still transferring when the old SAs ($(printf 0x%x $old)) go" kill -0 "$pid"
	E gw1 state delete src $O1 dst $O2 proto esp spi $old
	nsx gw2 ip xfrm state delete src $O2 dst $O1 proto esp spi $rold
	nap 0.5
	nsx gw2 ip xfrm state delete src $O1 dst $O2 proto esp spi $old
	E gw1 state delete src $O2 dst $O1 proto esp spi $rold
}

# tcp_quiet on|off: h1 and h2 retransmit only on loss, not on a guest stall
# (TCG under host load stalls for longer than the 200 ms minimum RTO):
# 5 s minimum RTO on their routes, no tail loss probe. Loss is still
# repaired (and counted) by fast retransmit from the duplicate ACKs the
# paced transfer's next segments cause.
tcp_quiet() {
	local rto="rto_min 5s" er=0
	[ "$1" = on ] || rto="" er=3
	nsx h1 ip route replace default via 10.0.1.254 $rto
	nsx h2 ip route replace default via 10.0.2.254 $rto
	nsx h1 sysctl -qw net.ipv4.tcp_early_retrans=$er
	nsx h2 sysctl -qw net.ipv4.tcp_early_retrans=$er
}

# pmtu_warm: h1 learns the tunnel's path MTU before a measured transfer
# (otherwise its first full-sized segments draw "fragmentation needed"
# from gw1 and are retransmitted smaller: TCPSlowStartRetrans, not loss)
pmtu_warm() {
	nsx h1 ping -q -M "do" -s 1472 -c 2 -i 0.2 -W 1 10.0.2.1 >/dev/null 2>&1
	diag "h1: $(nsx h1 ip route get 10.0.2.1 | head -2 | paste -sd' ')"
}

case_rekey() {
	local name="rekey under TCP"
	local ns0 in0 xin0 xs0 es0 s a0 l0 a1 l1 ba bl
	if ! tun_up "" ""; then not_ok "$name: configure"; return; fi
	tcp_quiet on
	# the same start for both transfers: no path MTU known yet
	nsx h1 ip route flush cache
	pmtu_warm
	read -r a0 l0 < <(retrans)
	ns0=$(gstat gw1 out-no-sa); in0=$(gstat gw1 in-no-sa)
	xin0=$(xfrm_stat gw2 XfrmInNoStates)
	xs0=$(proc_net gw2 xfrm_stat)
	# every counter but the traffic ones (packets, SYNs clamped)
	es0=$(espah_errs)
	for s in h1 h2 gw1 gw2; do NSTAT_HISTORY=/tmp/rk-nstat.$s nsx $s nstat -n; done
	xfer_start
	# each rekey once the SA in use carries the transfer
	check "$name: first SA carries the transfer" wait_pkts 0x1001 200
	diag "retransmissions (all, not DSACKed) before the first rekey: $(retrans)"
	rekey "$name" $RK_PID 0x1001 0x1002 11
	check "$name: second SA carries the transfer" wait_pkts 0x1002 200
	diag "retransmissions before the second rekey: $(retrans)"
	rekey "$name" $RK_PID 0x1002 0x1003 21
	check "$name: third SA carries the transfer" wait_pkts 0x1003 200
	diag "retransmissions after the second rekey: $(retrans)"
	check "$name: still transferring after the second rekey" kill -0 $RK_PID
	check "$name: every byte intact (sha256) across two rekeys" xfer_stop
	read -r a1 l1 < <(retrans)
	a1=$((a1 - a0)) l1=$((l1 - l0))
	# what explains retransmissions, if any
	[ "$a1" = 0 ] || for s in h1 h2 gw1 gw2; do
		NSTAT_HISTORY=/tmp/rk-nstat.$s nsx $s nstat |
			awk -v ns=$s '/^(Tcp|Ip|Icmp)/ && !/Octets|InReceives|InDelivers|OutRequests|InSegs|OutSegs|NoECT/ && $2 != 0 { print "# " ns ": " $1 " " $2 }'
	done
	check "$name: new in SA carried ACKs" ge "$(sastat gw1 0x2003 packets)" 10
	check "$name: no packet without SA on espah (out)" [ "$(gstat gw1 out-no-sa)" = "$ns0" ]
	check "$name: no packet without SA on espah (in)" [ "$(gstat gw1 in-no-sa)" = "$in0" ]
	check "$name: no packet without SA on native" [ "$(xfrm_stat gw2 XfrmInNoStates)" = "$xin0" ]
	check "$name: native XFRM counted no error of any kind" \
		[ "$(proc_net gw2 xfrm_stat)" = "$xs0" ]
	check "$name: espah counted no drop of any kind" \
		[ "$(espah_errs)" = "$es0" ]
	s=0x2003
	check "$name: last in SA: no replay, ICV, padding or other drop" \
		[ $(($(sastat gw1 $s replay) + $(sastat gw1 $s old) + $(sastat gw1 $s icv-fail) +
		     $(sastat gw1 $s pad-err) + $(sastat gw1 $s malformed) + $(sastat gw1 $s nomem))) = 0 ]
	check "$name: reorder histogram shown by -s" \
		eval 'E gw1 -s state list | grep -Eq "reorder: max [0-9]+ hist 0:[1-9]"'

	check "$name: no retransmission for loss across the rekeys ($l1 of $a1 not DSACKed)" \
		[ "$l1" = 0 ]
	# Only if that failed: the same paced transfer for as long, same
	# tunnel, no rekey, to tell the rekeys' losses from the guest's.
	if [ "$l1" != 0 ]; then
		s=$RK_SECS
		if ! tun_up "" ""; then not_ok "$name: configure baseline"; return; fi
		nsx h1 ip route flush cache
		pmtu_warm
		read -r a0 l0 < <(retrans)
		xfer_start
		nap "$s"
		check "$name: baseline: every byte intact without rekey" xfer_stop
		read -r ba bl < <(retrans)
		ba=$((ba - a0)) bl=$((bl - l0))
		diag "TCP retransmissions: rekey $a1 (not DSACKed: $l1), baseline $ba (not DSACKed: $bl)"
	fi
	tcp_quiet off
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
	nap 1
	mon_stop
	check "$name: delete gw1 under traffic" ns_del gw1
	wait $pid
	nap 2
	check "$name: espah still answers in other namespaces" E gw2 state count
	check "$name: no warning in the kernel log" \
		eval '! dmesg | grep -E "WARNING:|BUG:|UBSAN|KASAN" | grep -v "kmemleak"'
}

topo_up
echo 1000 >"$PARAM" || not_ok "acquire_interval_ms parameter writable"
mon_start
diag "t=${SECONDS}s"; mon_mark; case_acquire
diag "t=${SECONDS}s"; mon_mark; case_rekey
diag "t=${SECONDS}s"; mon_mark; case_netns
diag "t=${SECONDS}s"
mon_stop
if [ "$T_FAIL" -gt 0 ]; then
	sed 's/^/# mon: /' "$MONJ" | tail -40
fi
echo 1000 >"$PARAM"
topo_down
finish
