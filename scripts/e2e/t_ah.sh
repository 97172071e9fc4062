#!/bin/bash
# AH (RFC 4302) end to end: transport and tunnel, IPv4 and IPv6, every
# algorithm, espah against native XFRM in both roles (AES-GMAC for AH is
# espah against espah: native AH lacks it), ESN, and an ESP+AH bundle
# against a native two-template policy.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh
# shellcheck source=scripts/e2e/ah.sh
. ./ah.sh

# peer_pkts NS IMPL SPI: packets the SA SPI of NS has processed
peer_pkts() {
	if [ "$2" = espah ]; then sastat "$1" "$3" packets
	else nstat_pkts "$1" "$3"; fi
}

# tcase FAMILY MODE ALG IMPL_GW1 IMPL_GW2 [EXTRA SA WORDS...]
tcase() {
	local f=$1 m=$2 a=$3 i1=$4 i2=$5 l r ln rn a1 a2 from1 from2
	shift 5
	if [ "$f" = v4 ]; then
		l=10.0.12.1 r=10.0.12.2
		if [ "$m" = tunnel ]; then ln=10.0.1.0/24 rn=10.0.2.0/24 a1=10.0.1.1 a2=10.0.2.1
		else ln=$l/32 rn=$r/32 a1=$l a2=$r; fi
	else
		l=fd00:12::1 r=fd00:12::2
		if [ "$m" = tunnel ]; then ln=fd00:1::/64 rn=fd00:2::/64 a1=fd00:1::1 a2=fd00:2::1
		else ln=$l/128 rn=$r/128 a1=$l a2=$r; fi
	fi
	if [ "$m" = tunnel ]; then from1=h1 from2=h2; else from1=gw1 from2=gw2; fi
	local name="ah $m $f $a gw1=$i1 gw2=$i2${1:+ $*}" f0=$T_FAIL
	ipsec_flush
	if ! ah_side "$i1" gw1 $l $r $ln $rn "$m" "$a" 0x5001 0x6001 5 6 "$@" ||
	   ! ah_side "$i2" gw2 $r $l $rn $ln "$m" "$a" 0x6001 0x5001 6 5 "$@"; then
		not_ok "$name: configure"
		return
	fi
	check "$name: ping gw1 side -> gw2 side" pings $from1 $a2 2
	check "$name: ping gw2 side -> gw1 side" pings $from2 $a1 2
	# each SA carried both pings' requests or replies: 4 packets
	check "$name: gw1 out SA counted" ge "$(peer_pkts gw1 "$i1" 0x5001)" 4
	check "$name: gw1 in SA counted" ge "$(peer_pkts gw1 "$i1" 0x6001)" 4
	check "$name: gw2 verified gw1's AH" ge "$(peer_pkts gw2 "$i2" 0x5001)" 4
	check "$name: gw2 out SA counted" ge "$(peer_pkts gw2 "$i2" 0x6001)" 4
	[ "$T_FAIL" -eq "$f0" ] || E gw1 -s state list | sed 's/^/# /'
}

# bundle FAMILY: ESP inside AH, transport, espah gw1 against native gw2
bundle() {
	local f=$1 l r p name
	if [ "$f" = v4 ]; then l=10.0.12.1 r=10.0.12.2 p=32
	else l=fd00:12::1 r=fd00:12::2 p=128; fi
	name="bundle esp+ah transport $f gw1=espah gw2=native"
	ipsec_flush
	local i
	for i in espah native; do
		local ns=gw1 lo=$l re=$r o=1 n=2
		[ $i = native ] && ns=gw2 lo=$r re=$l o=2 n=1
		if ! sa $i $ns $lo $re 0x${o}101 transport out gcm $o ||
		   ! sa $i $ns $re $lo 0x${n}101 transport in gcm $n ||
		   ! ah_sa $i $ns $lo $re 0x${o}102 transport out sha256 $((o + 10)) ||
		   ! ah_sa $i $ns $re $lo 0x${n}102 transport in sha256 $((n + 10)) ||
		   ! ah_pol $i $ns $lo/$p $re/$p out $lo $re transport bundle ||
		   ! ah_pol $i $ns $re/$p $lo/$p in $re $lo transport bundle; then
			not_ok "$name: configure $i"
			return
		fi
	done
	check "$name: ping gw1->gw2" pings gw1 $r 2
	check "$name: ping gw2->gw1" pings gw2 $l 2
	check "$name: espah ESP out" ge "$(sastat gw1 0x1101 packets)" 4
	check "$name: espah AH out" ge "$(sastat gw1 0x1102 packets)" 4
	check "$name: espah ESP in" ge "$(sastat gw1 0x2101 packets)" 4
	check "$name: espah AH in" ge "$(sastat gw1 0x2102 packets)" 4
	check "$name: native decrypted espah's ESP" ge "$(nstat_pkts gw2 0x1101)" 4
	check "$name: native verified espah's AH" ge "$(nstat_pkts gw2 0x1102)" 4
	[ "$T_FAIL" -eq 0 ] || E gw1 -s state list | sed 's/^/# /'

	# the inbound bundle policy refuses a packet that had ESP only
	local before
	before=$(gstat gw1 in-policy-drop)
	nsx gw2 ip xfrm policy del src $r/$p dst $l/$p dir out
	pol native gw2 $r/$p $l/$p out $r $l transport
	if pings gw2 $l 2; then not_ok "$name: ESP-only packet must not pass"
	else ok "$name: ESP-only packet does not pass"; fi
	check "$name: ESP-only refused by the bundle policy (in-policy-drop)" \
		ge "$(gstat gw1 in-policy-drop)" "$((before + 2))"
}

topo_up
tcase v4 transport sha1 espah native
tcase v4 transport sha384 native espah
tcase v4 transport gmac espah espah
tcase v6 transport sha512 espah native
tcase v4 transport sha256 espah native flag esn
tcase v4 tunnel xcbc native espah
tcase v6 tunnel sha256 espah native
tcase v6 tunnel gmac espah espah
bundle v4
ipsec_flush
topo_down
finish
