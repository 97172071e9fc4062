#!/bin/bash
# ESP inside AH (RFC 4301 nesting), transport mode: an espah two-template
# policy against a native two-template policy, pings both ways, every SA
# of both sides counted; then a packet with ESP only is refused by the
# inbound bundle policy.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh
# shellcheck source=scripts/e2e/ah.sh
. ./ah.sh

# bundle FAMILY: ESP inside AH, transport, espah gw1 against native gw2
bundle() {
	local f=$1 l r p name i p1 p2 f0=$T_FAIL
	if [ "$f" = v4 ]; then l=10.0.12.1 r=10.0.12.2 p=32
	else l=fd00:12::1 r=fd00:12::2 p=128; fi
	name="bundle esp+ah transport $f gw1=espah gw2=native"
	ipsec_flush
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
	p1=$(pkts_of gw1 espah) p2=$(pkts_of gw2 native)
	check "$name: espah ESP out" ge "$(pkts "$p1" 0x1101)" 4
	check "$name: espah AH out" ge "$(pkts "$p1" 0x1102)" 4
	check "$name: espah ESP in" ge "$(pkts "$p1" 0x2101)" 4
	check "$name: espah AH in" ge "$(pkts "$p1" 0x2102)" 4
	check "$name: native decrypted espah's ESP" ge "$(pkts "$p2" 0x1101)" 4
	check "$name: native verified espah's AH" ge "$(pkts "$p2" 0x1102)" 4
	[ "$T_FAIL" -eq "$f0" ] || { diag "gw1: $p1"; diag "gw2: $p2"; }

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
bundle v4
bundle v6
ipsec_flush
topo_down
finish
