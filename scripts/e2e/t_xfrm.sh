#!/bin/bash
# The xfrm bridge keyed by hand: on gw1 espah is attached to native XFRM
# with if_id 42 and every SA and policy is installed with `ip xfrm ...
# if_id 42`, as an IKE daemon would; gw2 is plain native XFRM. espah must
# carry exactly the tagged objects, and native XFRM must read back true
# counters and sequence numbers.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh

N1=10.0.1.0/24 N2=10.0.2.0/24 O1=10.0.12.1 O2=10.0.12.2

# x_gw1 [EXTRA...]: gw1's tunnel through ip xfrm, tagged if_id 42
x_gw1() {
	algwords gcm 1 && local out=("${ALGW[@]}") &&
	algwords gcm 2 && local in=("${ALGW[@]}") || return 1
	ip -n gw1 -batch - <<-EOF
	xfrm state add src $O1 dst $O2 proto esp spi 0x1001 mode tunnel reqid 7 replay-window 64 if_id 42 sel src $N1 dst $N2 ${out[*]} $*
	xfrm state add src $O2 dst $O1 proto esp spi 0x2001 mode tunnel reqid 7 replay-window 64 if_id 42 sel src $N2 dst $N1 ${in[*]}
	xfrm policy add src $N1 dst $N2 dir out if_id 42 tmpl src $O1 dst $O2 proto esp mode tunnel reqid 7
	xfrm policy add src $N2 dst $N1 dir in if_id 42 tmpl src $O2 dst $O1 proto esp mode tunnel reqid 7
	xfrm policy add src $N2 dst $N1 dir fwd if_id 42 tmpl src $O2 dst $O1 proto esp mode tunnel reqid 7
	EOF
}

gw2_native() {
	gw_side native gw2 $O2 $O1 $N2 $N1 tunnel gcm 0x2001 0x1001 2 1
}

# nx NS SPI FIELD: from `ip -s xfrm state` of that SPI: packets or oseq
nx() {
	nsx "$1" ip -s xfrm state | awk -v spi="$(printf '0x%08x' "$2")" -v f="$3" '
		$1 == "proto" && $3 == "spi" { cur = (index($4, spi) == 1) }
		cur && f == "packets" && /[0-9]+\(bytes\), [0-9]+\(packets\)/ {
			sub(/\(packets\).*/, "", $2); print $2; exit }
		cur && f != "packets" && (/anti-replay/ || ctx) {
			ctx = 1	# the legacy line, or the esn one and the next
			for (i = 1; i < NF; i++) if ($i == f) { v = $(i + 1); sub(/,/, "", v); print v; exit } }' |
		{ read -r v && echo $((v)); }
}

# espah_seq NS SPI FIELD: an espah SA's seq or oseq (decimal)
espah_seq() {
	E "$1" -j state list | jq -r --argjson spi "$(($2))" --arg f "$3" \
		'.[] | select(.spi == $spi) | .[$f]' | head -1
}

n_carried() { E gw1 state list | grep -c "xfrm if_id 42"; }

topo_up

# --- attach, and what is carried -------------------------------------------
check "xfrm show: not attached at first" bash -c "$ESPAH_TOOL -n gw1 xfrm show | grep -q 'not attached'"
check "attach: if-id 0 refused by the tool" bash -c "! $ESPAH_TOOL -n gw1 xfrm attach if-id 0 2>/dev/null"
check "attach if-id 42" E gw1 xfrm attach if-id 42
check "attach again with another tag refused" bash -c "! $ESPAH_TOOL -n gw1 xfrm attach if-id 43 2>/dev/null"
check "xfrm show: attached if-id 42" bash -c "$ESPAH_TOOL -n gw1 -j xfrm show | jq -e '.[\"if-id\"] == 42' >/dev/null"

ipsec_flush
if x_gw1 && gw2_native; then ok "configure: gw1 by ip xfrm if_id 42, gw2 native"
else not_ok "configure: gw1 by ip xfrm if_id 42, gw2 native"; fi
nap 1
check "espah carries both tagged SAs" numeq "$(n_carried)" 2
check "espah carries the three tagged policies" numeq \
	"$(E gw1 policy list | grep -c 'xfrm index')" 3
check "ping h1->h2 over the carried SAs" pings h1 10.0.2.1 5
check "ping h2->h1" pings h2 10.0.1.1 5
check "tcp 2MB h1->h2 intact" tcp_xfer h1 h2 10.0.2.1 2
check "tcp 1MB h2->h1 intact" tcp_xfer h2 h1 10.0.1.1 1
check "espah's out SA carried the packets" ge "$(sastat gw1 0x1001 packets)" 100
check "espah's in SA carried the packets" ge "$(sastat gw1 0x2001 packets)" 100
nap 2
ep=$(sastat gw1 0x1001 packets) np=$(nx gw1 0x1001 packets)
diag "out SA: espah $ep packets, native curlft $np"
check "native out SA's counters show espah's packets" numeq "$np" "$ep"
check "native in SA's counters show espah's packets" numeq \
	"$(nx gw1 0x2001 packets)" "$(sastat gw1 0x2001 packets)"
eo=$(espah_seq gw1 0x1001 oseq) no=$(nx gw1 0x1001 oseq)
diag "out SA oseq: espah $eo, native $no"
check "native out SA's oseq is espah's" numeq "$no" "$eo"
check "the native peer decrypted them all" numeq "$(nstat_pkts gw2 0x1001)" "$eo"
check "gw1's native policy use time is set" bash -c \
	"ip -n gw1 -s xfrm policy list dir out | grep -q 'use 20'"
# the decapsulated packets carry the native SA's reqid in their sec_path
nsx gw1 nft -f - <<-'EOF'
	table inet xf {
		chain pass {
			type filter hook forward priority 0; policy accept;
			ipsec in reqid 7 counter
			ipsec in reqid 8 counter
		}
	}
	EOF
pings h2 10.0.1.1 3 >/dev/null
ctrs=$(nsx gw1 nft list chain inet xf pass | grep -o 'reqid [0-9]* counter packets [0-9]*' |
	awk '{ printf "%s=%s ", $2, $5 }')
diag "forwarded, by sec_path reqid: $ctrs"
check "nft 'ipsec in reqid 7' matches what the carried SA decapsulated (and reqid 8 not)" \
	bash -c '[[ "$1" =~ 7=([0-9]+)\ 8=0 ]] && [ "${BASH_REMATCH[1]}" -ge 3 ]' _ "$ctrs"
nsx gw1 nft delete table inet xf

# --- what espah's own commands may not touch -----------------------------------
err=$(E gw1 state delete src $O1 dst $O2 proto esp spi 0x1001 2>&1 >/dev/null)
check "espah state delete of a carried SA refused" grep -q "native XFRM" <<< "$err"
err=$(E gw1 policy delete src $N1 dst $N2 dir out 2>&1 >/dev/null)
check "espah policy delete of a carried policy refused" grep -q "native XFRM" <<< "$err"
E gw1 state flush >/dev/null 2>&1
check "espah state flush leaves carried SAs" numeq "$(n_carried)" 2
E gw1 policy flush >/dev/null 2>&1
check "espah policy flush leaves carried policies" numeq \
	"$(E gw1 policy list | grep -c 'xfrm index')" 3
sv=$(E gw1 save 2>&1)
check "espah save leaves the carried SAs and policies out, as comments" \
	bash -c '[ "$(grep -c "^# not saved: .*native XFRM" <<< "$1")" = 5 ] &&
		! grep -q "^state add\|^policy add" <<< "$1"' _ "$sv"

# --- updates, re-adds, sequence numbers -----------------------------------------
o0=$(espah_seq gw1 0x1001 oseq)
algwords gcm 1
ip -n gw1 xfrm state update src $O1 dst $O2 proto esp spi 0x1001 mode tunnel \
	reqid 7 replay-window 64 if_id 42 sel src $N1 dst $N2 "${ALGW[@]}"
nap 1
check "ip xfrm state update: still carried" numeq "$(n_carried)" 2
check "ping after the update" pings h1 10.0.2.1 3
o1=$(espah_seq gw1 0x1001 oseq)
check "update: sequence numbers continue ($o0 -> $o1)" [ "$o1" -gt "$o0" ]
# a daemon's re-add (NAT mapping, MOBIKE): read the state, traffic goes on,
# delete, add with what it read; espah must not send those numbers again
stale=$(nx gw1 0x1001 oseq)
pings h1 10.0.2.1 3
sent=$(espah_seq gw1 0x1001 oseq)
ip -n gw1 xfrm state delete src $O1 dst $O2 proto esp spi 0x1001
ip -n gw1 xfrm state add src $O1 dst $O2 proto esp spi 0x1001 mode tunnel \
	reqid 7 replay-window 64 if_id 42 sel src $N1 dst $N2 "${ALGW[@]}" \
	replay-oseq "$stale"
nap 1
check "re-add: carried again" numeq "$(n_carried)" 2
check "re-add with stale oseq $stale: espah continues at $sent" numeq \
	"$(espah_seq gw1 0x1001 oseq)" "$sent"
check "ping after the re-add" pings h1 10.0.2.1 3
diag "gw2 native in SA: $(ip -n gw2 -s xfrm state | grep -A1 'replay-window' | tr '\n' ' ')"

# --- refusals ---------------------------------------------------------------
r0=$(gstat gw1 xfrm-refused)
ip -n gw1 xfrm state add src $O1 dst 10.0.12.9 proto esp spi 0x3001 mode tunnel \
	reqid 8 if_id 42 extra-flag oseq-may-wrap "${ALGW[@]}"
# encap espinudp-nonike is carried (t_words runs its packets); the other
# reasons native's SAs are refused for are KUnit's (espah_xfrm)
ip -n gw1 xfrm state add src $O1 dst 10.0.12.9 proto esp spi 0x3002 mode tunnel \
	reqid 8 if_id 42 encap espinudp-nonike 4500 4500 0.0.0.0 "${ALGW[@]}"
ip -n gw1 xfrm state add src $O1 dst 10.0.12.9 proto esp spi 0x3003 mode tunnel \
	reqid 8 "${ALGW[@]}"
nap 1
check "extra-flag oseq-may-wrap refused, counted" numeq "$(gstat gw1 xfrm-refused)" $((r0 + 1))
check "refused and untagged SAs not carried, espinudp-nonike carried" numeq "$(n_carried)" 3
check "the refused SAs stay native's" numeq \
	"$(ip -n gw1 xfrm state | grep -c 'spi 0x0000300[13]')" 2
ip -n gw1 xfrm state delete src $O1 dst 10.0.12.9 proto esp spi 0x3001
ip -n gw1 xfrm state delete src $O1 dst 10.0.12.9 proto esp spi 0x3002
ip -n gw1 xfrm state delete src $O1 dst 10.0.12.9 proto esp spi 0x3003

# --- lifetimes through native ------------------------------------------------
ip -n gw1 xfrm state update src $O1 dst $O2 proto esp spi 0x1001 mode tunnel \
	reqid 7 replay-window 64 if_id 42 sel src $N1 dst $N2 "${ALGW[@]}" \
	limit packet-soft 40 limit packet-hard 60
nap 1
nsx h1 ping -q -c 80 -i 0.02 -W 1 10.0.2.1 >/dev/null 2>&1
nap 3
check "hard packet limit: native deleted the SA" bash -c \
	"! ip -n gw1 xfrm state | grep -q 'spi 0x00001001'"
check "hard packet limit: espah no longer carries it" numeq "$(n_carried)" 1
# no SA: the out policy asks native's key managers, as native would
timeout 8 ip -n gw1 xfrm monitor acquire > /tmp/acq.$$ &
mpid=$!
nap 2
pings h1 10.0.2.1 3
wait $mpid
diag "acquire seen: $(head -c 300 /tmp/acq.$$ | tr '\n' ' ')"
check "no SA: acquire reaches ip xfrm monitor with the policy's reqid" \
	grep -q 'reqid 7' /tmp/acq.$$
check "acquire counted" ge "$(gstat gw1 xfrm-acquire)" 1

# --- deletes, detach ------------------------------------------------------------
ip -n gw1 xfrm state delete src $O2 dst $O1 proto esp spi 0x2001
ip -n gw1 xfrm policy delete src $N2 dst $N1 dir fwd if_id 42
nap 1
check "ip xfrm state delete: espah drops the SA" numeq "$(n_carried)" 0
check "ip xfrm policy delete: espah drops the policy" numeq \
	"$(E gw1 policy list | grep -c 'xfrm index')" 2
check "rmmod refused while attached" bash -c "! rmmod espah 2>/dev/null"
ipsec_flush
x_gw1 && gw2_native
nap 1
check "re-configured: carried" numeq "$(n_carried)" 2
check "ping before detach" pings h1 10.0.2.1 3
check "detach" E gw1 xfrm detach
check "detach: no SA carried" numeq "$(n_carried)" 0
check "detach: policies left, marked detached" numeq \
	"$(E gw1 policy list | grep -c 'origin detached')" 3
CAP=/tmp/xfrm.$$.pcap
capture gw1 eth2 "$CAP" icmp || diag "tcpdump did not start"
check "after detach: no ping gets through" bash -c "! $BB nsenter --net=/run/netns/h1 ping -c 3 -W 1 -q 10.0.2.1 >/dev/null 2>&1"
capture_stop
diag "gw1 -> gw2 after detach: $(tcpdump -n -r "$CAP" 2>/dev/null | head -3 | tr '\n' ' ')"
check "after detach: no ICMP left gw1 towards gw2 in clear" numeq \
	"$(tcpdump -n -r "$CAP" 2>/dev/null | wc -l)" 0
check "attach again takes the policies back" E gw1 xfrm attach if-id 42
nap 1
check "re-attached: SAs and policies carried" numeq "$(n_carried)" 2
check "ping after re-attach" pings h1 10.0.2.1 3
check "flush native state: espah follows" bash -c "ip -n gw1 xfrm state flush && sleep 1 && [ \$($ESPAH_TOOL -n gw1 state list | grep -c 'xfrm if_id') = 0 ]"
check "detach at the end" E gw1 xfrm detach
check "rmmod-able after detach: no reference left" bash -c \
	"[ \"\$(awk '\$1 == \"espah\" { print \$3 }' /proc/modules)\" = 0 ]"
ipsec_flush
topo_down
finish
