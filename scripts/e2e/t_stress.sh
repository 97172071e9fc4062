#!/bin/bash
# Concurrency: SA deletion, policy flush, SA replacement, namespace
# deletion and `rmmod espah` while traffic flows through an espah gateway
# (gw1) facing a native XFRM gateway (gw2), with synchronous and
# asynchronous (pcrypt) transforms. The checks here are that the tunnel
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
	nap 0.5
	nsx h1 timeout "$(($1 + 2))" iperf3 -u -b 20M -l 1200 -t "$1" -c 10.0.2.1 >/dev/null 2>&1 &
}

# sa_words DIR ALG KEYNO: an espah SA of gw1, as a batch line
sa_words() {
	if [ "$1" = out ]; then
		echo "state add src $O1 dst $O2 proto esp spi 0x1001 mode tunnel reqid 1 dir out replay-window 64 sel src $N1 dst $N2 $(alg "$2" "$3")"
	else
		echo "state add src $O2 dst $O1 proto esp spi 0x2001 mode tunnel reqid 1 dir in replay-window 64 sel src $N2 dst $N1 $(alg "$2" "$3")"
	fi
}

# churn ALG ROUNDS: delete/re-add SAs, flush/re-add policies, flush the
# SAD, as fast as one batch can go (a process start per command would
# leave the datapath alone most of the time)
churn() {
	local i sout sin
	sout=$(sa_words out "$1" 1)	# once: each key costs processes
	sin=$(sa_words in "$1" 2)
	for i in $(seq "$2"); do
		echo "state del src $O2 dst $O1 proto esp spi 0x2001"
		echo "state del src $O1 dst $O2 proto esp spi 0x1001"
		echo "$sout"
		echo "$sin"
		echo "policy flush"
		echo "policy add src $N1 dst $N2 dir out tmpl src $O1 dst $O2 proto esp mode tunnel reqid 1"
		echo "policy add src $N2 dst $N1 dir in tmpl src $O2 dst $O1 proto esp mode tunnel reqid 1"
		echo "policy add src $N2 dst $N1 dir fwd tmpl src $O2 dst $O1 proto esp mode tunnel reqid 1"
		echo "state flush"
		echo "$sout"
		echo "$sin"
	done | E gw1 -batch -
}

# Rounds: the debug kernel's make test runs a quarter of the churn and
# a third of the updates (KASAN and lockdep see every path in the first
# rounds; the rest is repetition: 100 rounds took 20 to 30 s a transform
# there); `make soak` and the stock kernel run them all.
ROUNDS=200 UPDATES=300
if [ "${ESPAH_KIND:-}" = debug ] && [ "${ESPAH_SOAK:-0}" != 1 ]; then
	ROUNDS=50 UPDATES=100
fi

two_cpus
topo_up
for a in gcm a-gcm a-cbc; do
	name="churn $a"
	setup "$a" || { not_ok "$name: configure"; continue; }
	flood 8
	check "$name: $ROUNDS rounds of churn under traffic" churn "$a" $ROUNDS
	wait
	check "$name: SAD holds exactly the last two SAs" \
		[ "$(E gw1 state count 2>/dev/null | awk '{print $NF}')" = 2 ]
	# the native peer's replay windows remember the churned SAs' numbers:
	# both sides start over, as after a rekey
	setup "$a" || not_ok "$name: configure again"
	check "$name: tunnel works after the churn" pings h1 10.0.2.1 3
done

# updates N: replace both SAs in place N times, one batch
updates() {
	local i u1 u2
	u1=$(sa_words in gcm 2)
	u2=$(sa_words out gcm 1)
	for i in $(seq "$1"); do
		echo "${u1/state add/state update}"
		echo "${u2/state add/state update}"
	done | E gw1 -batch -
}

# replacing the SAs in place (update) under traffic
setup gcm || not_ok "update: configure"
flood 5
check "update: $UPDATES updates of both SAs under traffic" updates $UPDATES
wait
check "update: tunnel works" pings h1 10.0.2.1 3

# deleting the namespace of the espah gateway under traffic (its SAD, SPD,
# hooks and in-flight packets go with it)
setup a-gcm || not_ok "netns delete: configure"
flood 4
nap 2
ns_del gw1
wait
check "netns delete: namespace gone" sh -c '! ip netns list | grep -qw gw1'
topo_up
setup gcm || not_ok "netns delete: configure again"
check "netns delete: a new gateway namespace works" pings h1 10.0.2.1 3

# rmmod under traffic, with asynchronous transforms in flight
setup a-gcm || not_ok "rmmod: configure"
flood 5
nap 2
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
