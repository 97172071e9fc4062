#!/bin/bash
# Asynchronous crypto: espah's transforms run through pcrypt (the driver
# returns -EINPROGRESS and completes from the padata workers), against a
# native XFRM peer running the same algorithms synchronously. Tunnel and
# transport mode (transport input completes by re-injection), IPv4 and
# IPv6, AEAD and authenc; the crypto-async counter proves the
# asynchronous paths ran. pcrypt registers its instances under the
# algorithm's own name: once espah used pcrypt(X), the native peer's next
# SA for X gets pcrypt too. The transport cases come first and configure
# the native side first, so that there espah's asynchronous transform
# faces a synchronous native one (with native XFRM itself on pcrypt in
# transport mode, TCP from the native side stalled on the debug kernel).
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh
# shellcheck source=scripts/e2e/tunnel.sh
. ./tunnel.sh

acase() { # acase NAME CMD...: CMD with crypto-async counted on gw1 or gw2
	local name=$1 b1 b2
	shift
	b1=$(gstat gw1 crypto-async)
	b2=$(gstat gw2 crypto-async)
	"$@"
	check "$name: crypto-async counted" \
		[ $(( $(gstat gw1 crypto-async) - b1 + $(gstat gw2 crypto-async) - b2 )) -ge 12 ]
}

# transport FAMILY ALG: gw1 espah (async) <-> gw2 native
transport() {
	local l=10.0.12.1 r=10.0.12.2 p=32 name="async transport $1 $2"
	[ "$1" = v6 ] && l=fd00:12::1 r=fd00:12::2 p=128
	ipsec_flush
	# native first: its transform is then the synchronous one, before
	# espah's pcrypt instance exists (see the top of this file)
	if ! gw_side native gw2 $r $l $r/$p $l/$p transport "$2" 0x4001 0x3001 4 3 ||
	   ! gw_side espah gw1 $l $r $l/$p $r/$p transport "$2" 0x3001 0x4001 3 4; then
		not_ok "$name: configure"
		return
	fi
	check "$name: ping gw1->gw2" pings gw1 $r 3
	check "$name: tcp 1MB gw2->gw1 intact" tcp_xfer gw2 gw1 $l 1
	check "$name: espah in SA counted" ge "$(sastat gw1 0x4001 packets)" 6
}

two_cpus
topo_up
acase "async transport v4 gcm" transport v4 a-gcm
acase "async transport v6 cbc" transport v6 a-cbc
acase "async tunnel v4 gcm" tcase espah native v4 v4 a-gcm 1
acase "async tunnel v6 cbc" tcase native espah v6 v6 a-cbc 1
acase "async tunnel v4 chacha" tcase espah native v4 v4 a-chacha 0
ipsec_flush
topo_down
finish
