#!/bin/bash
# Demo (guest side): two LANs joined by an ESP tunnel between two gateways.
# gw-a runs espah, gw-b runs the kernel's native XFRM: the same SPIs and keys
# on both ends, so every packet that crosses proves interoperability.
#
#   host-a 10.1.0.2 -- gw-a 10.1.0.1 | 192.0.2.1 ==ESP== 192.0.2.2 | 10.2.0.1 gw-b -- 10.2.0.2 host-b
set -uo pipefail
E=$ESPAH_TOOL
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { echo "\$ $*"; "$@"; }

for n in host-a gw-a gw-b host-b; do ip netns add $n; ip -n $n link set lo up; done
ip link add a0 netns host-a type veth peer name a1 netns gw-a
ip link add w0 netns gw-a type veth peer name w1 netns gw-b
ip link add b0 netns gw-b type veth peer name b1 netns host-b
ip -n host-a addr add 10.1.0.2/24 dev a0
ip -n gw-a addr add 10.1.0.1/24 dev a1
ip -n gw-a addr add 192.0.2.1/24 dev w0
ip -n gw-b addr add 192.0.2.2/24 dev w1
ip -n gw-b addr add 10.2.0.1/24 dev b0
ip -n host-b addr add 10.2.0.2/24 dev b1
for l in host-a:a0 gw-a:a1 gw-a:w0 gw-b:w1 gw-b:b0 host-b:b1; do
	ip -n ${l%:*} link set ${l#*:} up
done
ip -n host-a route add default via 10.1.0.1
ip -n host-b route add default via 10.2.0.1
ip -n gw-a route add 10.2.0.0/24 via 192.0.2.2
ip -n gw-b route add 10.1.0.0/24 via 192.0.2.1
for g in gw-a gw-b; do ip netns exec $g sysctl -qw net.ipv4.ip_forward=1; done

K1=0x4a2cbfe1d3a4bd5e6f7a8b9c0d1e2f3a4b5c6d7e
K2=0x1f2e3d4c5b6a79881f2e3d4c5b6a798811223344
AEAD='rfc4106(gcm(aes))'

say "espah $(modinfo -F version "$ESPAH_BUILD/espah.ko") on $(uname -r)"
run ip netns exec gw-a $E features | head -5

say "gw-a: espah SAs and policies"
ip netns exec gw-a $E state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 \
	mode tunnel reqid 1 dir out replay-window 128 aead "$AEAD" $K1 128 || exit 1
ip netns exec gw-a $E state add src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x2001 \
	mode tunnel reqid 1 dir in replay-window 128 aead "$AEAD" $K2 128 || exit 1
ip netns exec gw-a $E policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir out \
	tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel reqid 1 || exit 1
ip netns exec gw-a $E policy add src 10.2.0.0/24 dst 10.1.0.0/24 dir in \
	tmpl src 192.0.2.2 dst 192.0.2.1 proto esp mode tunnel reqid 1 || exit 1
run ip netns exec gw-a $E state list
run ip netns exec gw-a $E policy list

say "gw-b: native XFRM with the same SPIs and keys"
ip -n gw-b xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 \
	mode tunnel reqid 1 replay-window 128 aead "$AEAD" $K1 128
ip -n gw-b xfrm state add src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x2001 \
	mode tunnel reqid 1 aead "$AEAD" $K2 128
ip -n gw-b xfrm policy add src 10.2.0.0/24 dst 10.1.0.0/24 dir out \
	tmpl src 192.0.2.2 dst 192.0.2.1 proto esp mode tunnel reqid 1
ip -n gw-b xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir fwd \
	tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel reqid 1
ip -n gw-b xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir in \
	tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel reqid 1

say "traffic: host-a pings host-b through the tunnel (ESP on the wire)"
ip netns exec gw-b tcpdump -l -n -c 4 -i w1 esp > /tmp/wire.txt 2>/dev/null &
tp=$!
sleep 1
run ip netns exec host-a ping -c 5 -i 0.2 -W 2 10.2.0.2
prc=$?
sleep 0.5
kill $tp 2>/dev/null
wait $tp 2>/dev/null
echo "--- on the wire between the gateways:"
cat /tmp/wire.txt

say "what espah saw (gw-a)"
run ip netns exec gw-a $E -s state list
run ip netns exec gw-a $E stats
say "what native XFRM saw (gw-b)"
run ip -n gw-b -s xfrm state list | grep -E 'src|proto|lifetime current|bytes'
exit $prc
