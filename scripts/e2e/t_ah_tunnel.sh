#!/bin/bash
# AH (RFC 4302) tunnel mode end to end, IPv4 and IPv6, host to host
# through the gateways: espah against native ah4/ah6 in both roles
# (pings both ways in each case), AES-GMAC for AH espah against espah.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh
# shellcheck source=scripts/e2e/ah.sh
. ./ah.sh

topo_up
tcase v4 tunnel xcbc native espah
tcase v4 tunnel sha384 espah native
tcase v6 tunnel sha256 espah native
tcase v6 tunnel gmac espah espah
ipsec_flush
topo_down
finish
