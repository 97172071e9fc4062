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
tcase v4 transport sha256 espah native flag esn
ipsec_flush
topo_down
finish
