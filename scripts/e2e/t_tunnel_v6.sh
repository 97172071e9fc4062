#!/bin/bash
# Tunnel mode IPv6-in-IPv6 between the gateways, espah against native XFRM,
# both roles, AEAD and cipher+HMAC.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh
# shellcheck source=scripts/e2e/tunnel.sh
. ./tunnel.sh

topo_up
tcase espah native v6 v6 gcm "$BIG_MB"
tcase espah native v6 v6 cbc 1
tcase native espah v6 v6 gcm 1
ipsec_flush
topo_down
finish
