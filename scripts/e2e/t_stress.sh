#!/bin/bash
# Concurrency: SA deletion, policy flush, SA replacement, namespace
# deletion and `rmmod espah` while traffic flows through an espah gateway
# (gw1) facing a native XFRM gateway (gw2), with synchronous and
# asynchronous (cryptd) transforms. The checks here are that the tunnel
# recovers and the counters stay sane; the debug kernel adds what matters
# most: no oops, no KASAN/lockdep report, no kmemleak leak (vm.sh fails the
# run on any of them).
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh
# shellcheck source=scripts/e2e/tunnel.sh
. ./tunnel.sh


setup() { # setup ALG
	ipsec_flush
	gw_side espah gw1 $O1 $O2 $N1 $N2 tunnel "$1" 0x1001 0x2001 1 2 &&
	gw_side native gw2 $O2 $O1 $N2 $N1 tunnel "$1" 0x2001 0x1001 2 1
}

# flood SECONDS: ping floods both ways and a UDP stream h1->h2, background
flood() {
	nsx h1 ping -q -f -w "$1" 10.0.2.1 >/dev/null 2>&1 &
	nsx h2 ping -q -f -w "$1" 10.0.1.1 >/dev/null 2>&1 &
	nsx h2 timeout "$(($1 + 2))" iperf3 -s -1 >/dev/null 2>&1 &
	sleep 0.5
	nsx h1 timeout "$(($1 + 2))" iperf3 -u -b 20M -l 1200 -t "$1" -c 10.0.2.1 >/dev/null 2>&1 &
}

churn() { # churn ALG ROUNDS: delete/re-add SAs and flush/re-add policies
	local a=$1 i
	for i in $(seq "$2"); do
		E gw1 state del src $O2 dst $O1 proto esp spi 0x2001
		E gw1 state del src $O1 dst $O2 proto esp spi 0x1001
		sa espah gw1 $O1 $O2 0x1001 tunnel out "$a" 1 sel src $N1 dst $N2
		sa espah gw1 $O2 $O1 0x2001 tunnel in "$a" 2 sel src $N2 dst $N1
		E gw1 policy flush
		pol espah gw1 $N1 $N2 out $O1 $O2 tunnel
		pol espah gw1 $N2 $N1 in $O2 $O1 tunnel
		pol espah gw1 $N2 $N1 fwd $O2 $O1 tunnel
		E gw1 state flush
		sa espah gw1 $O1 $O2 0x1001 tunnel out "$a" 1 sel src $N1 dst $N2
		sa espah gw1 $O2 $O1 0x2001 tunnel in "$a" 2 sel src $N2 dst $N1
	done
}

topo_up
for a in gcm a-gcm a-cbc; do
	name="churn $a"
	setup "$a" || { not_ok "$name: configure"; continue; }
	flood 8
	churn "$a" 15
	wait
	check "$name: tunnel works after the churn" pings h1 10.0.2.1 3
	check "$name: SAD holds exactly the last two SAs" \
		[ "$(E gw1 state count 2>/dev/null | awk '{print $NF}')" = 2 ]
done

# replacing the SAs in place (update) under traffic
setup gcm || not_ok "update: configure"
flood 5
for i in $(seq 10); do
	E gw1 state update src $O2 dst $O1 proto esp spi 0x2001 mode tunnel \
		reqid 1 dir in replay-window 64 $(alg gcm 2) sel src $N2 dst $N1 ||
		break
done
wait
check "update: ten updates under traffic succeeded" [ "$i" = 10 ]
check "update: tunnel works" pings h1 10.0.2.1 3

# deleting the namespace of the espah gateway under traffic (its SAD, SPD,
# hooks and in-flight packets go with it)
setup a-gcm || not_ok "netns delete: configure"
flood 4
sleep 2
ip netns del gw1
wait
check "netns delete: namespace gone" sh -c '! ip netns list | grep -qw gw1'
topo_up
setup gcm || not_ok "netns delete: configure again"
check "netns delete: a new gateway namespace works" pings h1 10.0.2.1 3

# rmmod under traffic, with asynchronous transforms in flight
setup a-gcm || not_ok "rmmod: configure"
flood 5
sleep 2
check "rmmod: espah unloads under traffic" rmmod espah
wait
check "rmmod: espah loads again" insmod "$ESPAH_BUILD/espah.ko"
check "rmmod: the new instance starts empty" \
	[ "$(E gw1 state count 2>/dev/null | awk '{print $NF}')" = 0 ]
setup gcm || not_ok "rmmod: configure again"
check "rmmod: tunnel works after reload" pings h1 10.0.2.1 3

ipsec_flush
topo_down
finish
