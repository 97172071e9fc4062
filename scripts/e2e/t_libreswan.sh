#!/bin/bash
# IKEv2 between libreswan's pluto and strongSwan's charon, espah under one
# of them through the xfrm layer, neither daemon knowing espah:
# (a) gw1: charon with if_id 42 on its CHILD_SAs, espah attached with
#     if-id 42; gw2: pluto on native XFRM. Both initiate, traffic, a CHILD_SA
#     rekey by pluto under a running transfer, terminate.
# (b) gw2: pluto with ipsec-interface=42 (its SAs and policies carry if_id
#     42), espah attached there; gw1: charon on native XFRM.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh
# shellcheck source=scripts/e2e/ike.sh
. ./ike.sh
# shellcheck source=scripts/e2e/libreswan.sh
. ./libreswan.sh

N1=10.0.1.0/24 N2=10.0.2.0/24 O1=10.0.12.1 O2=10.0.12.2

# carried NS: espah carries exactly native's SAs in NS, two of them
carried() {
	local e x
	e=$(espah_spis "$1") x=$(xfrm_spis "$1")
	SPIS_SEEN="$1 SPIs: espah [$(echo $e)] xfrm [$(echo $x)]"
	[ "$(grep -c . <<< "$e")" = 2 ] && [ "$e" = "$x" ]
}
check_carried() {
	if wait_for 10 carried "$2"; then ok "$1"; else diag "$SPIS_SEEN"; not_ok "$1"; fi
}

topo_up

# --- (a) charon + espah on gw1, pluto native on gw2 -------------------------
check "gw1: espah attached, if-id 42" E gw1 xfrm attach if-id 42
ike_conf gw1 $O1 $O2 $N1 $N2 42
lsw_conf gw2 $O2 $O1 $N2 $N1 ""
check "gw1: charon up" ike_start gw1
check "gw2: pluto up, connection loaded" lsw_start gw2
check "pluto initiates to charon" wk gw2 --name net --initiate
check_carried "gw1: espah carries the CHILD_SA native holds" gw1
IKE_CARRIER=gw1 traffic "pluto-initiated"
n=0
for s in $(espah_spis gw1); do n=$((n + $(nstat_pkts gw2 "$s"))); done
check "pluto's native SAs on gw2 carried the same traffic ($n packets)" ge "$n" 1000

# a CHILD_SA rekey by pluto under a running transfer
old=$(espah_spis gw1)
tcp_xfer h1 h2 10.0.2.1 3 &
xp=$!
nap 1
check "pluto rekeys the CHILD_SA under TCP" wk gw2 --name net --rekey-ipsec
wait $xp
check "transfer across the rekey intact" [ $? -eq 0 ]
check "rekeyed: espah carries the new SAs, not the old" wait_for 15 \
	eval 'carried gw1 && ! grep -qxF -f <(echo "$old") <(espah_spis gw1)'
IKE_CARRIER=gw1 traffic "after pluto's rekey" nocount

check "pluto terminates" wk gw2 --name net --terminate
check "terminated: espah carries no SA" wait_for 10 eval '[ -z "$(espah_spis gw1)" ]'
check "charon initiates to pluto" eval "sw gw1 --initiate --child net --timeout 30 >/dev/null"
check_carried "charon-initiated: espah carries it" gw1
check "charon-initiated: ping h1->h2" pings h1 10.0.2.1 3
check "charon-initiated: ping h2->h1" pings h2 10.0.1.1 3
[ "$T_FAIL" -eq 0 ] || { ike_log gw1; lsw_log gw2; }
ike_stop gw1
lsw_stop gw2
check "daemons stopped: espah carries nothing on gw1" wait_for 10 \
	eval '[ -z "$(espah_spis gw1)" ]'
check "gw1: detach" E gw1 xfrm detach
ipsec_flush

# --- (b) pluto + espah on gw2, charon native on gw1 -------------------------
f0=$T_FAIL
check "gw2: espah attached, if-id 42" E gw2 xfrm attach if-id 42
ike_conf gw1 $O1 $O2 $N1 $N2 ""
lsw_conf gw2 $O2 $O1 $N2 $N1 42
check "gw1: charon up (native)" ike_start gw1
check "gw2: pluto up with ipsec-interface=42" lsw_start gw2
check "pluto (espah) initiates to charon" wk gw2 --name net --initiate
check_carried "gw2: espah carries pluto's CHILD_SA" gw2
IKE_CARRIER=gw2 traffic "pluto+espah"
[ "$T_FAIL" -eq "$f0" ] || { ike_log gw1; lsw_log gw2; }
lsw_stop gw2
ike_stop gw1
check "pluto stopped: espah carries nothing on gw2" wait_for 10 \
	eval '[ -z "$(espah_spis gw2)" ]'
check "gw2: detach" E gw2 xfrm detach
ip -n gw2 link del ipsec42 2>/dev/null
ipsec_flush
topo_down
rm -rf "$IKE_DIR"
finish
