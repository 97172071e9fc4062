#!/bin/bash
# Demo (guest side): two LANs joined by an ESP tunnel between two gateways.
# gw-a runs espah, gw-b runs the kernel's native XFRM: the same SPIs and keys
# on both ends, so every packet that crosses proves interoperability. Then
# the same tunnel keyed by IKEv2: strongSwan's charon on both gateways,
# espah under gw-a's charon through the xfrm layer.
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
[ $prc -eq 0 ] || exit $prc

# Part two: the same tunnel negotiated by IKEv2. Each gateway runs
# strongSwan's charon (scripts/e2e/ike.sh, as the IKE suite does); gw-a's
# charon installs its CHILD_SAs with if_id 42 through the kernel's xfrm
# layer, and gw-a's espah, attached with that tag, carries them.
BB=/bin/busybox
nap() { sleep "$1"; }
diag() { echo "# $*"; }
IKE_GWS="gw-a gw-b"
# shellcheck source=scripts/e2e/ike.sh
. "$ESPAH_ROOT/scripts/e2e/ike.sh"
# at the end: the daemons remove their SAs and policies, and espah hands
# gw-a back to native XFRM (a namespace attached keeps the module loaded)
trap 'ike_stop gw-a gw-b; ip netns exec gw-a $E xfrm detach; rm -rf "$IKE_DIR"' EXIT

say "IKEv2: charon on both gateways; espah on gw-a attached to the xfrm layer"
ip netns exec gw-a $E state flush && ip netns exec gw-a $E policy flush || exit 1
ip -n gw-b xfrm state flush && ip -n gw-b xfrm policy flush
run ip netns exec gw-a $E xfrm attach if-id 42 || exit 1
ike_conf gw-a 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/24 42
ike_conf gw-b 192.0.2.2 192.0.2.1 10.2.0.0/24 10.1.0.0/24 ""
echo "--- gw-a's swanctl.conf (gw-b's is the same without the if_id lines):"
sed -n '/children/,/^ }/p' "$IKE_DIR/gw-a/swanctl.conf"
ike_start gw-a && ike_start gw-b || exit 1
run sw gw-a --initiate --child net --timeout 30 > "$IKE_DIR/initiate.out" 2>&1 || {
	tail -5 "$IKE_DIR/initiate.out"
	exit 1
}
grep -E 'CHILD_SA .* established' "$IKE_DIR/initiate.out"

say "traffic over the negotiated CHILD_SA"
run ip netns exec host-a ping -c 5 -i 0.2 -W 2 10.2.0.2
prc=$?

sleep 1.5 # espah writes its counts into native's SAs every second
say "gw-a: what charon negotiated (swanctl --list-sas) ..."
echo "\$ swanctl --list-sas"
sw gw-a --list-sas
say "... is what espah carries (espah -s state list: its counters)"
run ip netns exec gw-a $E -s state list
say "... and native XFRM's view of the same SAs shows espah's counts"
run ip -n gw-a -s xfrm state list | grep -E 'src|proto|if_id|lifetime current|bytes'
exit $prc
