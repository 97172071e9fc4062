#!/bin/bash
# Tunnel mode IPv4-in-IPv4 between the gateways, espah against native XFRM,
# both roles, AEAD and cipher+HMAC.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh
# shellcheck source=scripts/e2e/tunnel.sh
. ./tunnel.sh

topo_up
tcase espah native v4 v4 gcm "$BIG_MB"
tcase espah native v4 v4 cbc 1
tcase native espah v4 v4 gcm 1
tcase native espah v4 v4 cbc 0
ipsec_flush
topo_down
finish
