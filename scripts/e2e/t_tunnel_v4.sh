#!/bin/bash
# Tunnel mode IPv4-in-IPv4 between the gateways, espah against native XFRM,
# both roles, AEAD and cipher+HMAC.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh
# shellcheck source=scripts/e2e/tunnel.sh
. ./tunnel.sh

# devstat NS DEV COUNTER: one of the device's statistics
devstat() { nsxs "$1" cat "/sys/class/net/$2/statistics/$3"; }

# GRO on gw2's ESP-facing device (veth has it off by default): espah
# re-injects what it decapsulates through GRO cells, so the segments of
# h1's stream leave gw2 towards h2 coalesced, larger than the MTU (with
# netif_rx() instead each would leave on its own).
gro_case() {
	local name="tunnel v4-in-v4 gcm gw1=native gw2=espah, GRO on gw2"
	local p0 b0 p1 b1
	ipsec_flush
	if ! gw_side native gw1 10.0.12.1 10.0.12.2 10.0.1.0/24 10.0.2.0/24 \
		tunnel gcm 0x1001 0x2001 1 2 ||
	   ! gw_side espah gw2 10.0.12.2 10.0.12.1 10.0.2.0/24 10.0.1.0/24 \
		tunnel gcm 0x2001 0x1001 2 1 ||
	   ! nsx gw2 ethtool -K eth2 gro on >/dev/null; then
		not_ok "$name: configure"
		return
	fi
	p0=$(devstat gw2 eth1 tx_packets) b0=$(devstat gw2 eth1 tx_bytes)
	check "$name: tcp 2MB h1->h2 intact" tcp_xfer h1 h2 10.0.2.1 2
	p1=$(devstat gw2 eth1 tx_packets) b1=$(devstat gw2 eth1 tx_bytes)
	diag "gw2 -> h2: $((p1 - p0)) packets, $((b1 - b0)) bytes"
	check "$name: decapsulated segments coalesced (average > 1500 B)" \
		[ $((p1 > p0 ? (b1 - b0) / (p1 - p0) : 0)) -gt 1500 ]
	check "$name: espah in SA counted" ge "$(sastat gw2 0x1001 packets)" 100
	nsx gw2 ethtool -K eth2 gro off >/dev/null
}

topo_up
gro_case
tcase espah native v4 v4 gcm "$BIG_MB"
tcase espah native v4 v4 cbc 1
tcase native espah v4 v4 gcm 1
tcase native espah v4 v4 cbc 0
ipsec_flush
topo_down
finish
