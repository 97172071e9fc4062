#!/bin/bash
# Every ESP algorithm of issue 3 on the wire: transport mode between the
# gateways, espah (gw1) against native XFRM (gw2), IPv4; AES-GCM 128/192
# with 64/96/128-bit ICVs, CCM 128/256, GMAC (integrity only), ChaCha20-
# Poly1305, CBC with HMAC-SHA1/256/384/512 and AES-XCBC, CTR, the null
# cipher with HMAC, and a real cipher with digest_null. Both directions
# must be decrypted by the other implementation, counted on both sides.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh

acase() { # acase ALG
	local a=$1 l=10.0.12.1 r=10.0.12.2 name="algorithm $1"
	ipsec_flush
	if ! gw_side espah gw1 $l $r $l/32 $r/32 transport "$a" 0x3001 0x4001 3 4 ||
	   ! gw_side native gw2 $r $l $r/32 $l/32 transport "$a" 0x4001 0x3001 4 3; then
		not_ok "$name: configure"
		return
	fi
	check "$name: ping gw1->gw2" pings gw1 $r 2
	check "$name: espah sent" ge "$(sastat gw1 0x3001 packets)" 2
	check "$name: native decrypted espah's packets" ge "$(nstat_pkts gw2 0x3001)" 2
	check "$name: native sent, espah decrypted" ge "$(sastat gw1 0x4001 packets)" 2
}

topo_up
for a in gcm gcm192-64 gcm-96 gcm256 ccm ccm256-64 gmac chacha cbc1 cbc \
	cbc256-384 cbc-512 cbc-xcbc ctr null-sha1 cbc-null; do
	acase "$a"
done
ipsec_flush
topo_down
finish
