#!/bin/bash
# AH (RFC 4302) transport mode end to end, IPv4 and IPv6: espah against
# native ah4/ah6 (each case pings both ways, so espah both sends to and
# verifies from the kernel's AH), AES-GMAC for AH espah against espah
# (native AH lacks it), ESN. Tunnel mode: t_ah_tunnel.sh; bundles:
# t_ah_bundle.sh; negative cases: t_ah_neg.sh.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh
# shellcheck source=scripts/e2e/ah.sh
. ./ah.sh

topo_up
tcase v4 transport sha1 espah native
tcase v6 transport sha512 native espah
tcase v6 transport gmac espah espah
# IPv4 with a 128-bit ICV: the header is 28 bytes, padded to 32 by default
# on both sides (native accepts nothing else), left at 28 with align4
tcase v4 transport sha256 espah native flag esn
tcase v4 transport sha256 native espah flag align4
tcase v4 transport sha384 espah native

# TCP over AH alone: the SYN gw1 receives is clamped on input as over ESP
# (one pipeline, net/decap.c), its SYN-ACK on output: two per connection.
ipsec_flush
if ah_side espah gw1 10.0.12.1 10.0.12.2 10.0.12.1/32 10.0.12.2/32 transport sha256 0x5001 0x6001 5 6 &&
   ah_side native gw2 10.0.12.2 10.0.12.1 10.0.12.2/32 10.0.12.1/32 transport sha256 0x6001 0x5001 6 5; then
	c0=$(gstat gw1 mss-clamped)
	check "ah transport: tcp 1 MB gw2->gw1 intact" tcp_xfer gw2 gw1 10.0.12.1 1
	check "ah transport: SYN clamped on input and SYN-ACK on output" \
		numeq "$(($(gstat gw1 mss-clamped) - c0))" 2
else
	not_ok "ah transport tcp: configure"
fi
ipsec_flush
topo_down
finish
