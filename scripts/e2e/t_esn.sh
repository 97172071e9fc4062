#!/bin/bash
# Extended sequence numbers across the 2^32 boundary, espah against native
# XFRM in both directions (espah sends across the boundary; native sends
# across it), IPv4 tunnel, AEAD and authencesn.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh

# Both senders start just below 2^32; so do both receivers' windows (RFC
# 4303 App. A infers the high half from the window: a receiver left at 0
# would place 0xfffffff1 in the subspace before it).
START=0xfffffff0

ecase() {
	local a=$1 name="esn $1"
	ipsec_flush
	if ! { sa espah gw1 $O1 $O2 0x1001 tunnel out "$a" 1 flag esn replay-oseq $START &&
	       sa espah gw1 $O2 $O1 0x2001 tunnel in "$a" 2 flag esn replay-seq $START &&
	       pol espah gw1 $N1 $N2 out $O1 $O2 tunnel &&
	       pol espah gw1 $N2 $N1 in $O2 $O1 tunnel &&
	       pol espah gw1 $N2 $N1 fwd $O2 $O1 tunnel &&
	       sa native gw2 $O2 $O1 0x2001 tunnel out "$a" 2 flag esn replay-oseq $START &&
	       sa native gw2 $O1 $O2 0x1001 tunnel in "$a" 1 flag esn replay-seq $START &&
	       pol native gw2 $N2 $N1 out $O2 $O1 tunnel &&
	       pol native gw2 $N1 $N2 in $O1 $O2 tunnel &&
	       pol native gw2 $N1 $N2 fwd $O1 $O2 tunnel; }; then
		not_ok "$name: configure"
		return
	fi
	check "$name: 40 pings h1->h2 across 2^32" pings h1 10.0.2.1 40
	check "$name: tcp 1MB" tcp_xfer h1 h2 10.0.2.1 1
	check "$name: espah sent across the boundary" \
		ge "$(E gw1 -j state list | $PY -c '
import json,sys
print(max(s.get("oseq", 0) for s in json.load(sys.stdin)))')" $((0x100000000))
	check "$name: espah in SA counted" ge "$(sastat gw1 0x2001 packets)" 40
	if [ "$T_FAIL" -gt 0 ]; then
		E gw1 -s state list | sed 's/^/# espah: /'
		nsx gw2 ip -s xfrm state | grep -E "spi|seq|packets|replay|failed" |
			sed 's/^/# native: /'
	fi
	check "$name: espah accepted across the boundary" \
		ge "$(E gw1 -j state list | $PY -c '
import json,sys
print(max(s.get("seq", 0) for s in json.load(sys.stdin)))')" $((0x100000000))
}

topo_up
ecase gcm
ecase cbc
ipsec_flush
topo_down
finish
