#!/bin/bash
# Packet sizes on an espah tunnel gateway (gw1) facing a native XFRM
# gateway (gw2): GSO/TSO super-packets are segmented before encryption,
# oversized packets with DF set (and all IPv6) get ICMP "fragmentation
# needed" / "packet too big" carrying an MTU that then fits exactly, those
# with DF clear are sent as fragmented ESP.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh
# shellcheck source=scripts/e2e/tunnel.sh
. ./tunnel.sh

setup() { # setup FAMILY
	local -n o=${1}_o n=${1}_n
	ipsec_flush
	gw_side espah gw1 "${o[0]}" "${o[1]}" "${n[0]}" "${n[1]}" tunnel gcm \
		0x1001 0x2001 1 2 &&
	gw_side native gw2 "${o[1]}" "${o[0]}" "${n[1]}" "${n[0]}" tunnel gcm \
		0x2001 0x1001 2 1
}

# ping_size NS DST SIZE [ping options]: one echo of SIZE payload bytes
ping_size() {
	local ns=$1 dst=$2 size=$3
	shift 3
	nsx "$ns" ping -q -c 1 -W 3 -s "$size" "$@" "$dst" >/dev/null 2>&1
}

# reported_mtu NS DST: the PMTU the route cache of NS holds for DST
reported_mtu() {
	nsx "$1" ip route get "$2" | sed -n 's/.* mtu \([0-9]*\).*/\1/p' | head -1
}

topo_up
# GCM over IPv4: ESP header 8 + IV 8 + ICV 16 + trailer 2 + outer 20 = 54,
# payload padded to 4: the largest inner packet is 1446 (1500 - 54), and
# so the MTU the gateway must report.
setup v4 || not_ok "v4: configure"
nsx h1 ip route flush cache
b_seg=$(sastat gw1 0x1001 packets)
check "v4: tcp 4MB h1->h2 through GSO segmentation" tcp_xfer h1 h2 10.0.2.1 4
check "v4: inner packet of exactly the limit passes with DF" \
	ping_size h1 10.0.2.1 $((1446 - 28)) -M do
if ping_size h1 10.0.2.1 $((1447 - 28)) -M do; then
	not_ok "v4: one byte over the limit with DF must fail the first time"
else
	ok "v4: one byte over the limit with DF fails the first time"
fi
check "v4: frag-needed reported MTU 1446" [ "$(reported_mtu h1 10.0.2.1)" = 1446 ]
check "v4: DF clear, 1472-byte payload passes (fragmented ESP)" \
	ping_size h1 10.0.2.1 1472 -M dont
check "v4: 4000-byte ping passes (fragmented inner)" ping_size h1 10.0.2.1 4000 -M dont
check "v4: espah out SA counted the segments" ge "$(( $(sastat gw1 0x1001 packets) - b_seg ))" 2000
# a smaller MTU on the route to the peer gateway: the limit follows it
nsx gw1 ip route replace 10.0.12.2/32 dev eth2 mtu 1400
nsx h1 ip route flush cache
ping_size h1 10.0.2.1 1400 -M do
check "v4: route mtu 1400 to the peer: reported MTU 1346" [ "$(reported_mtu h1 10.0.2.1)" = 1346 ]
check "v4: inner packet of 1346 passes" ping_size h1 10.0.2.1 $((1346 - 28)) -M do
nsx gw1 ip route del 10.0.12.2/32 dev eth2 mtu 1400

# a router on the path says "fragmentation needed" about espah's ESP
# packets: the tunnel's limit follows; about an unknown SPI: nothing moves
nsx h1 ip route flush cache
nsx gw1 ip route flush cache
icmp_fn() { # icmp_fn SPI MTU
	scapy gw2 "send(IP(src='10.0.12.2', dst='10.0.12.1')/ICMP(type=3, code=4, nexthopmtu=$2)/IP(src='10.0.12.1', dst='10.0.12.2', proto=50, flags='DF')/ESP(spi=$1, seq=5)/Raw(b'x' * 8))"
}
icmp_fn 0x7777 1200
check "v4: frag-needed for an unknown SPI changes nothing" \
	[ -z "$(reported_mtu gw1 10.0.12.2)" ]
icmp_fn 0x1001 1300
check "v4: frag-needed for espah's SPI sets the PMTU to the peer" \
	[ "$(reported_mtu gw1 10.0.12.2)" = 1300 ]
ping_size h1 10.0.2.1 1400 -M do
check "v4: the tunnel then reports MTU 1246" [ "$(reported_mtu h1 10.0.2.1)" = 1246 ]
check "v4: inner packet of 1246 passes" ping_size h1 10.0.2.1 $((1246 - 28)) -M do
nsx gw1 ip route flush cache

# IPv6 in IPv6: ESP 54 - 20 + 40 = 74 bytes of overhead -> 1426, rounded so
# that payload + trailer is a multiple of 4: (1500-40-32) = 1428 -> 1426.
setup v6 || not_ok "v6: configure"
nsx h1 ip -6 route flush cache
check "v6: tcp 4MB h1->h2" tcp_xfer h1 h2 fd00:2::1 4
if ping_size h1 fd00:2::1 1452 -M do; then
	not_ok "v6: 1500-byte packet must get packet-too-big the first time"
else
	ok "v6: 1500-byte packet gets packet-too-big the first time"
fi
check "v6: packet-too-big reported MTU 1426" [ "$(reported_mtu h1 fd00:2::1)" = 1426 ]
# (three tries: the first reply meets the native gateway's tunnel MTU and
# only teaches h2 to fragment)
check "v6: 1500-byte pings pass once the source fragments" \
	nsx h1 ping -q -c 3 -i 0.3 -W 3 -s 1452 fd00:2::1
check "v6: inner packet of exactly the limit passes" ping_size h1 fd00:2::1 $((1426 - 48)) -M do
# (1400 - 74 rounded: 1326; an MTU that left less than 1280 could not be
# reported, and the ESP packets would be fragmented instead)
scapy gw2 "send(IPv6(src='fd00:12::2', dst='fd00:12::1')/ICMPv6PacketTooBig(mtu=1400)/IPv6(src='fd00:12::1', dst='fd00:12::2', nh=50)/ESP(spi=0x1001, seq=5)/Raw(b'x' * 8))"
check "v6: packet-too-big for espah's SPI sets the PMTU to the peer" \
	[ "$(reported_mtu gw1 fd00:12::2)" = 1400 ]
nsx h1 ip -6 route flush cache
ping_size h1 fd00:2::1 1400 -M do
check "v6: the tunnel then reports MTU 1326" [ "$(reported_mtu h1 fd00:2::1)" = 1326 ]

# Transport mode from the gateway itself: its own ESP packets take the
# same route, so they are fragmented instead of shrinking the PMTU.
ipsec_flush
gw_side espah gw1 10.0.12.1 10.0.12.2 10.0.12.1/32 10.0.12.2/32 transport gcm 0x3001 0x4001 3 4 &&
gw_side native gw2 10.0.12.2 10.0.12.1 10.0.12.2/32 10.0.12.1/32 transport gcm 0x4001 0x3001 4 3 ||
	not_ok "transport: configure"
check "transport: 1472-byte ping with DF from gw1 passes" ping_size gw1 10.0.12.2 1472 -M do
check "transport: tcp 2MB gw1->gw2" tcp_xfer gw1 gw2 10.0.12.2 2
b=$(sastat gw1 0x4001 packets)
check "transport: 3000-byte ping from the native peer (fragmented ESP)" \
	ping_size gw2 10.0.12.1 3000
check "transport: espah decrypted the reassembled ESP" \
	[ $(( $(sastat gw1 0x4001 packets) - b )) = 1 ]

# IPv6: the native peer fragments its ESP packets; espah must see them
# reassembled (IPv6 reassembles after LOCAL_IN unless defrag runs early)
ipsec_flush
gw_side espah gw1 fd00:12::1 fd00:12::2 fd00:12::1/128 fd00:12::2/128 transport gcm 0x3001 0x4001 3 4 &&
gw_side native gw2 fd00:12::2 fd00:12::1 fd00:12::2/128 fd00:12::1/128 transport gcm 0x4001 0x3001 4 3 ||
	not_ok "transport v6: configure"
b=$(sastat gw1 0x4001 packets)
check "transport v6: 3000-byte ping from the native peer (fragmented ESP)" \
	ping_size gw2 fd00:12::1 3000
check "transport v6: espah decrypted the reassembled ESP" \
	[ $(( $(sastat gw1 0x4001 packets) - b )) = 1 ]
check "transport v6: 3000-byte ping from espah (fragmented ESP)" \
	ping_size gw1 fd00:12::2 3000
check "transport v6: tcp 2MB gw2->gw1" tcp_xfer gw2 gw1 fd00:12::1 2
ipsec_flush
topo_down
finish
