#!/bin/bash
# Transport mode between the gateways (host to host), espah against
# native XFRM, IPv4 and IPv6, two algorithms.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh

# tr_up FAMILY ALG: espah on gw1, native on gw2, host to host; sets the
# caller's l and r to gw1's and gw2's addresses
tr_up() {
	local p
	if [ "$1" = v4 ]; then l=10.0.12.1 r=10.0.12.2 p=32
	else l=fd00:12::1 r=fd00:12::2 p=128; fi
	ipsec_flush
	gw_side espah gw1 $l $r $l/$p $r/$p transport "$2" 0x3001 0x4001 3 4 &&
	gw_side native gw2 $r $l $r/$p $l/$p transport "$2" 0x4001 0x3001 4 3
}

# tcase FAMILY ALG MB
tcase() {
	local f=$1 a=$2 mb=$3 l r name
	name="transport $f $a gw1=espah gw2=native"
	if ! tr_up "$f" "$a"; then
		not_ok "$name: configure"
		return
	fi
	check "$name: ping gw1->gw2" pings gw1 $r 3
	check "$name: ping gw2->gw1" pings gw2 $l 3
	if [ "$mb" -gt 0 ]; then
		local f0 c0
		f0=$(fragcreates gw1)
		c0=$(gstat gw1 mss-clamped)
		check "$name: tcp ${mb}MB gw1->gw2 intact" tcp_xfer gw1 gw2 $r "$mb"
		check "$name: tcp ${mb}MB gw2->gw1 intact" tcp_xfer gw2 gw1 $l "$mb"
		# Both connections' SYN and SYN-ACK crossed gw1's SAs: each
		# had its MSS lowered (net/mss.c), so no segment needed
		# fragmenting once encapsulated.
		check "$name: SYN MSS clamped (4 SYNs)" \
			ge "$(($(gstat gw1 mss-clamped) - c0))" 4
		check "$name: no fragments on gw1" numeq "$(fragcreates gw1)" "$f0"
	fi
	check "$name: espah out SA counted" ge "$(sastat gw1 0x3001 packets)" 6
	check "$name: espah in SA counted" ge "$(sastat gw1 0x4001 packets)" 6
	check "$name: native peer decrypted espah's packets" \
		ge "$(nstat_pkts gw2 0x3001)" 6
}

# The same with mss_clamp=0: nothing clamped, and full-sized segments
# become ESP packets over the MTU that gw1 fragments (what the clamping
# above avoids; this proves the "no fragments" check can fail).
noclamp() {
	local p=/sys/module/espah/parameters/mss_clamp name="transport v4 gcm mss_clamp=0"
	local f0 c0 l r
	if ! echo 0 > $p || ! tr_up v4 gcm; then
		not_ok "$name: configure"
		echo 1 > $p
		return
	fi
	f0=$(fragcreates gw1)
	c0=$(gstat gw1 mss-clamped)
	check "$name: tcp 1MB gw1->gw2 intact" tcp_xfer gw1 gw2 $r 1
	check "$name: nothing clamped" numeq "$(gstat gw1 mss-clamped)" "$c0"
	check "$name: gw1 fragmented its ESP packets" \
		ge "$(fragcreates gw1)" "$((f0 + 2))"
	echo 1 > $p
}

topo_up
tcase v4 gcm "$BIG_MB"
noclamp
tcase v4 cbc 1
tcase v6 gcm 1
tcase v6 cbc 0
ipsec_flush
topo_down
finish
