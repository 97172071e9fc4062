#!/bin/bash
# Tunnel mode across families (IPv4 in IPv6, IPv6 in IPv4), espah against
# native XFRM, both roles.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh
# shellcheck source=scripts/e2e/tunnel.sh
. ./tunnel.sh

topo_up
tcase espah native v6 v4 gcm "$BIG_MB"
tcase espah native v4 v6 gcm 1
tcase native espah v6 v4 gcm 0
tcase native espah v4 v6 cbc 0
ipsec_flush
topo_down
finish
