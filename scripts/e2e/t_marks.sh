#!/bin/bash
# Marks on espah's own SAs and policies (ip xfrm's mark and output-mark),
# espah on gw1, native XFRM on gw2, both keyed the same way: two tunnels
# between the gateways with the same SPIs (0x1001 out of gw1, 0x2001 out
# of gw2) and different keys, told apart by marks only. nft marks the
# flows (by h1's source address on gw1, by its destination on gw2) and
# the ESP packets (by their outer source: each tunnel has its own second
# address on the sending gateway). output-mark steers one tunnel's ESP
# packets onto a second link between the gateways (ip rule fwmark) on both
# sides, and marks espah's decapsulated packets. Then what finds no
# policy or no SA, the tool's words and the module's refusals.
#
#   h1 10.0.1.1 (mark 1), .2 (mark 2), .3 (no mark), .4 (mark 3)
#   gw1 eth2 10.0.12.1 (tunnel 1), 10.0.12.3 (tunnel 2); eth3 10.0.13.1
#   gw2 eth2 10.0.12.2 (tunnel 1), 10.0.12.4 (tunnel 2); eth3 10.0.13.2
#
# Then route-based IPsec: a native xfrm interface (if_id 7) on each
# gateway, espah's SAs and policies with if_id 7 behind gw1's, native's
# behind gw2's: ping and TCP both ways, the interfaces' counters, policies
# without if_id for no interface's packets and the reverse, the xfrm
# bridge's tag refused as an if_id, a packet for an interface that went.
#
# ESPAH_KIND=debug (or MARKS_QUICK=1): the short run, every datapath step
# once (the two tunnels, the ESP steered by output-mark, no SA for a mark,
# route-based through xfrm interfaces).
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh

G1=10.0.12.1 G1B=10.0.12.3 G2=10.0.12.2 G2B=10.0.12.4
H2=10.0.2.1
QUICK=
[ "${ESPAH_KIND:-}" = debug ] || [ -n "${MARKS_QUICK:-}" ] && QUICK=1

# the second addresses, the second link, the marking rules
marks_up() {
	ip -n h1 -batch - <<-EOF || return 1
	addr add 10.0.1.2/24 dev eth0
	addr add 10.0.1.3/24 dev eth0
	addr add 10.0.1.4/24 dev eth0
	EOF
	ip -n gw1 -batch - <<-EOF || return 1
	link add eth3 address 02:00:00:00:13:01 type veth peer name eth3 netns gw2 address 02:00:00:00:13:02
	addr add $G1B/24 dev eth2
	link set eth3 up
	addr add 10.0.13.1/24 dev eth3
	neigh replace 10.0.1.2 lladdr $M_H1 dev eth1 nud permanent
	neigh replace 10.0.1.3 lladdr $M_H1 dev eth1 nud permanent
	neigh replace 10.0.1.4 lladdr $M_H1 dev eth1 nud permanent
	neigh replace $G2B lladdr $M_GW2B dev eth2 nud permanent
	neigh replace 10.0.13.2 lladdr 02:00:00:00:13:02 dev eth3 nud permanent
	rule add fwmark 0x100/0x100 table 100
	route add $G2/32 via 10.0.13.2 dev eth3 table 100
	EOF
	ip -n gw2 -batch - <<-EOF || return 1
	addr add $G2B/24 dev eth2
	link set eth3 up
	addr add 10.0.13.2/24 dev eth3
	neigh replace $G1B lladdr $M_GW1B dev eth2 nud permanent
	neigh replace 10.0.13.1 lladdr 02:00:00:00:13:01 dev eth3 nud permanent
	rule add fwmark 0x100/0x100 table 100
	route add $G1/32 via 10.0.13.1 dev eth3 table 100
	EOF
	nsx gw1 nft -f - <<-EOF || return 1
	table ip marks {
		chain pre {
			type filter hook prerouting priority mangle;
			ip saddr 10.0.1.1 meta mark set 1
			ip saddr 10.0.1.2 meta mark set 2
			ip saddr 10.0.1.4 meta mark set 3
			ip protocol esp iifname "eth3" counter
			ip protocol esp jump espmark
		}
		chain espmark {
			ip saddr $G2 meta mark set 1
			ip saddr $G2B meta mark set 2
		}
		chain forward_mark {
			type filter hook forward priority 0;
			meta mark 0x201 counter
		}
	}
	EOF
	nsx gw2 nft -f - <<-EOF || return 1
	table ip marks {
		chain pre {
			type filter hook prerouting priority mangle;
			ip daddr 10.0.1.1 meta mark set 1
			ip daddr 10.0.1.2 meta mark set 2
			ip protocol esp iifname "eth3" counter
			ip protocol esp iifname "eth2" counter
			ip saddr 10.0.1.3 counter
			ip protocol esp ip saddr $G1 meta mark set 1
			ip protocol esp ip saddr $G1B meta mark set 2
		}
	}
	EOF
}

# nftc NS WHAT...: the packets of the counters on the rules containing
# each WHAT, in order (one nft run; the listing parsed in the shell)
nftc() {
	local ns=$1 line w
	local -a r=()
	shift
	mapfile -t NFT_L < <(nsx "$ns" nft list table ip marks)
	for w in "$@"; do
		for line in "${NFT_L[@]}" "$w counter packets -1 "; do
			[[ $line == *"$w"*" counter packets "* ]] || continue
			line=${line##* counter packets }
			r+=("${line%% *}")
			break
		done
	done
	echo "${r[*]}"
}

# sapk NS: packets of espah's SAs 0x1001 mark 1, 0x1001 mark 2, 0x2001
# mark 1, 0x2001 mark 2 (one espah run, its text read in the shell)
sapk() {
	local line spi="" key="" w
	declare -A cnt=()
	while IFS= read -r line; do
		case $line in
		$'\t'proto\ *)
			read -ra w <<< "$line"
			spi=${w[3]} key="" ;;
		$'\t'mark\ *)
			key="$spi ${line#$'\t'mark }" ;;
		$'\t'stats:*)
			read -ra w <<< "$line"
			[ -z "$key" ] || [ "${w[1]}" != packets ] || cnt[$key]=${w[2]}
			key="" ;;
		esac
	done < <(E "$1" -s state list)
	echo "${cnt[0x00001001 0x1/0xff]:-0} ${cnt[0x00001001 0x2/0xff]:-0}" \
		"${cnt[0x00002001 0x1/0xff]:-0} ${cnt[0x00002001 0x2/0xff]:-0}"
}

# ping_from SRC [COUNT]: h1 pings h2 from SRC, all answered
ping_from() {
	nsx h1 ping -q -c "${2:-3}" -i 0.2 -W 2 -I "$1" "$H2" >/dev/null 2>&1
}

# no_answer SRC: h1's two echo requests from SRC to h2 get no answer
no_answer() {
	! nsx h1 ping -q -c 2 -i 0.2 -W 1 -I "$1" "$H2" >/dev/null 2>&1
}

# Both gateways: tunnel 1 (mark 1) G1<->G2, tunnel 2 (mark 2) G1B<->G2B,
# the same SPIs, other keys; tunnel 1's SAs with output-marks on gw1 (out:
# the second link; in: 0x200 on the decapsulated packets) and on gw2 (out:
# the second link). gw1: an unmarked fallback that blocks, a mark-3 policy
# that no SA serves.
configure() {
	local a1 a2 b1 b2 sel12="sel src 10.0.1.0/24 dst 10.0.2.0/24"
	local sel21="sel src 10.0.2.0/24 dst 10.0.1.0/24" t="mode tunnel reqid 1"
	a1=$(alg gcm 11) a2=$(alg gcm 12) b1=$(alg gcm 21) b2=$(alg gcm 22)
	E gw1 -batch - <<-EOF || return 1
	state add src $G1 dst $G2 proto esp spi 0x1001 $t dir out mark 1/0xff output-mark 0x100/0x100 $sel12 $a1
	state add src $G1B dst $G2 proto esp spi 0x1001 $t dir out mark 2/0xff $sel12 $a2
	state add src $G2 dst $G1 proto esp spi 0x2001 $t dir in replay-window 64 mark 1/0xff output-mark 0x200/0x200 $sel21 $b1
	state add src $G2B dst $G1 proto esp spi 0x2001 $t dir in replay-window 64 mark 2/0xff $sel21 $b2
	policy add src 10.0.1.0/24 dst 10.0.2.0/24 dir out priority 10 mark 1/0xff tmpl src $G1 dst $G2 proto esp mode tunnel reqid 1
	policy add src 10.0.1.0/24 dst 10.0.2.0/24 dir out priority 10 mark 2 mask 0xff tmpl src $G1B dst $G2 proto esp mode tunnel reqid 1
	policy add src 10.0.1.0/24 dst 10.0.2.0/24 dir out priority 10 mark 3/0xff tmpl src $G1 dst $G2 proto esp mode tunnel reqid 1
	policy add src 10.0.1.0/24 dst 10.0.2.0/24 dir out priority 100 action block
	policy add src 10.0.2.0/24 dst 10.0.1.0/24 dir fwd mark 1/0xff tmpl src $G2 dst $G1 proto esp mode tunnel reqid 1
	policy add src 10.0.2.0/24 dst 10.0.1.0/24 dir fwd mark 2/0xff tmpl src $G2B dst $G1 proto esp mode tunnel reqid 1
	EOF
	ip -n gw2 -batch - <<-EOF || return 1
	xfrm state add src $G1 dst $G2 proto esp spi 0x1001 $t replay-window 64 mark 1 mask 0xff $sel12 $a1
	xfrm state add src $G1B dst $G2 proto esp spi 0x1001 $t replay-window 64 mark 2 mask 0xff $sel12 $a2
	xfrm state add src $G2 dst $G1 proto esp spi 0x2001 $t mark 1 mask 0xff output-mark 0x100 mask 0x100 $sel21 $b1
	xfrm state add src $G2B dst $G1 proto esp spi 0x2001 $t mark 2 mask 0xff $sel21 $b2
	xfrm policy add src 10.0.2.0/24 dst 10.0.1.1/32 dir out mark 1 mask 0xff tmpl src $G2 dst $G1 proto esp mode tunnel reqid 1
	xfrm policy add src 10.0.2.0/24 dst 10.0.1.2/32 dir out mark 2 mask 0xff tmpl src $G2B dst $G1 proto esp mode tunnel reqid 1
	xfrm policy add src 10.0.1.1/32 dst 10.0.2.0/24 dir fwd tmpl src $G1 dst $G2 proto esp mode tunnel reqid 1
	xfrm policy add src 10.0.1.2/32 dst 10.0.2.0/24 dir fwd tmpl src $G1B dst $G2 proto esp mode tunnel reqid 1
	EOF
}

# --- the datapath ------------------------------------------------------------
flows() {
	local e3 e2 g3 g201 o1 o2 i1 i2
	check "mark 1: h1 (10.0.1.1) pings h2 through tunnel 1" ping_from 10.0.1.1
	read -r o1 o2 i1 i2 <<< "$(sapk gw1)"
	check "mark 1: espah's SA 0x1001 mark 1 counted it (>= 3)" ge "$o1" 3
	check "mark 1: espah's SA 0x1001 mark 2 did not" numeq "$o2" 0
	check "mark 1: the replies found espah's SA 0x2001 mark 1 (>= 3)" ge "$i1" 3
	check "mark 1: not the SA 0x2001 mark 2" numeq "$i2" 0
	# output-mark 0x100/0x100: ip rule fwmark sends the ESP over eth3
	read -r e3 e2 <<< "$(nftc gw2 '"eth3"' '"eth2"')"
	read -r g3 g201 <<< "$(nftc gw1 '"eth3"' 0x00000201)"
	check "output-mark: espah's ESP of tunnel 1 left on the second link (gw2 eth3: $e3)" ge "$e3" 3
	check "output-mark: none of it on the first (gw2 eth2: $e2)" numeq "$e2" 0
	check "output-mark: native's ESP of tunnel 1 came on the second link too (gw1 eth3: $g3)" \
		ge "$g3" 3
	check "output-mark in: espah's decapsulated replies carry mark 0x201 ($g201)" ge "$g201" 3
	check "mark 2: h1 (10.0.1.2) pings h2 through tunnel 2" ping_from 10.0.1.2
	read -r o1 o2 i1 i2 <<< "$(sapk gw1)"
	check "mark 2: espah's SA 0x1001 mark 2 counted it (>= 3)" ge "$o2" 3
	check "mark 2: espah's SA 0x1001 mark 1 stayed at 3 ($o1)" numeq "$o1" 3
	check "mark 2: the replies found espah's SA 0x2001 mark 2 (>= 3)" ge "$i2" 3
	check "mark 2: its ESP left on the first link (gw2 eth2)" ge "$(nftc gw2 '"eth2"')" 3
}

# mark 3: a policy whose mark no SA serves; no mark: the fallback blocks
no_sa() {
	local d0 a0
	read -r d0 a0 <<< "$(gstat gw1 out-no-sa policy-discard)"
	check "mark 3: no answer (no SA serves the policy's mark)" no_answer 10.0.1.4
	check "mark 3: counted out-no-sa (+2)" numeq "$(gstat gw1 out-no-sa)" $((d0 + 2))
	[ -n "$QUICK" ] && return
	check "no mark: not protected, blocked by the fallback policy" no_answer 10.0.1.3
	check "no mark: counted policy-discard (+2)" numeq "$(gstat gw1 policy-discard)" $((a0 + 2))
	check "no mark: nothing reached gw2 in clear" numeq "$(nftc gw2 10.0.1.3)" 0
}

# transport mode: gw1's ICMP to gw2 through an SA whose output-mark 0x100
# routes the ESP over the second link (ip rule fwmark), as native routes
# a transport SA's packets under its output-mark
transport_omark() {
	local e3 e2 n3 n2
	if ! gw_side espah gw1 "$G1" "$G2" "$G1/32" "$G2/32" transport gcm \
		0x5001 0x6001 61 62 "output-mark 0x100/0x100" ||
	   ! gw_side native gw2 "$G2" "$G1" "$G2/32" "$G1/32" transport gcm \
		0x6001 0x5001 62 61; then
		not_ok "transport output-mark: configure"
		return
	fi
	read -r e3 e2 <<< "$(nftc gw2 '"eth3"' '"eth2"')"
	check "transport output-mark: gw1 pings gw2 through the SA" pings gw1 "$G2" 3
	read -r n3 n2 <<< "$(nftc gw2 '"eth3"' '"eth2"')"
	check "transport output-mark: espah's SA counted it (>= 3)" ge "$(sastat gw1 0x5001 packets)" 3
	check "transport output-mark: the ESP came over the second link (gw2 eth3 +$((n3 - e3)))" \
		ge "$n3" $((e3 + 3))
	check "transport output-mark: none over the first (gw2 eth2 +$((n2 - e2)))" numeq "$n2" "$e2"
	E gw1 -batch - <<-EOF
	state del src $G1 dst $G2 proto esp spi 0x5001
	state del src $G2 dst $G1 proto esp spi 0x6001
	policy del src $G1/32 dst $G2/32 dir out
	policy del src $G2/32 dst $G1/32 dir in
	EOF
	ip -n gw2 -batch - <<-EOF
	xfrm state del src $G2 dst $G1 proto esp spi 0x6001
	xfrm state del src $G1 dst $G2 proto esp spi 0x5001
	xfrm policy del src $G2/32 dst $G1/32 dir out
	xfrm policy del src $G1/32 dst $G2/32 dir in
	EOF
}

# ESP of tunnel 2 no longer marked on gw1: the inbound SA is not found
in_no_sa() {
	local d0
	d0=$(gstat gw1 in-no-sa)
	nsx gw1 nft flush chain ip marks espmark
	nsx gw1 nft add rule ip marks espmark ip saddr "$G2" meta mark set 1
	check "in: ESP whose mark no SA takes: no answer" no_answer 10.0.1.2
	check "in: counted in-no-sa (+2)" numeq "$(gstat gw1 in-no-sa)" $((d0 + 2))
}

# --- the tool --------------------------------------------------------------------
tool() {
	local l s
	l=$(E gw1 state list)
	check "state list: mark 0x1/0xff" grep -q $'^\tmark 0x1/0xff$' <<< "$l"
	check "state list: output-mark 0x100/0x100" grep -q $'^\toutput-mark 0x100/0x100$' <<< "$l"
	check "policy list: mark 0x2/0xff" grep -q $'^\tmark 0x2/0xff$' <<< "$(E gw1 policy list)"
	check "JSON: the output-mark's value and mask" bash -c \
		"$ESPAH_TOOL -n gw1 -j state list | jq -e '[.[] | select(.\"output-mark\" == {\"value\": 512, \"mask\": 512})] | length == 1' >/dev/null"
	s=$(E gw1 save)
	check "save: mark and output-mark words" bash -c \
		"grep -q 'spi 0x00001001 .*mark 0x1/0xff output-mark 0x100/0x100' <<< \"\$1\" && grep -q 'priority 10 action allow mark 0x3/0xff' <<< \"\$1\"" _ "$s"
	check "state get ... mark 2 finds tunnel 2's SA" bash -c \
		"$ESPAH_TOOL -n gw1 state get src $G1B dst $G2 proto esp spi 0x1001 mark 2 | grep -q 'src $G1B'"
	refused "state get ... mark 5: no such SA, exit 1" "destination, protocol and mark" \
		state get dst "$G2" proto esp spi 0x1001 mark 5
	refused "state get without mark: no SA without a condition" "no SA" \
		state get dst "$G2" proto esp spi 0x1001
	algwords gcm 31
	refused "the same SPI and mark again" "protocol and mark exists" \
		state add src "$G1" dst "$G2" proto esp spi 0x1001 mode tunnel dir out mark 1/0xff "${ALGW[@]}"
	check "state delete ... mark 2: one SA of the SPI goes" bash -c \
		"$ESPAH_TOOL -n gw1 state delete dst $G2 proto esp spi 0x1001 mark 2 && [ \"\$($ESPAH_TOOL -n gw1 -j state list | jq '[.[] | select(.spi == 4097)] | length')\" = 1 ]"
	check "policy delete ... mark 3: the mark names the policy" bash -c \
		"$ESPAH_TOOL -n gw1 policy delete src 10.0.1.0/24 dst 10.0.2.0/24 dir out mark 3/0xff && ! $ESPAH_TOOL -n gw1 policy list | grep -q 'mark 0x3/'"
	check "features: mark" bash -c "$ESPAH_TOOL -n gw1 features | grep -qw mark"
}

refusals() {
	local id=(state add src 10.0.12.1 dst 10.0.12.9 proto esp mode tunnel dir out)
	local pol=(policy add src 10.0.5.0/24 dst 10.0.6.0/24 dir out)
	local a
	algwords gcm 41
	a=("${ALGW[@]}")
	refused "refused: mark 5/0 (ESPAH_A_SA_MARK_MASK)" "ESPAH_A_SA_MARK_MASK: 0 with a nonzero" \
		"${id[@]}" spi 0x7001 mark 5/0 "${a[@]}"
	refused "refused: mark 0x11/0xf (ESPAH_A_SA_MARK)" "ESPAH_A_SA_MARK: has bits outside" \
		"${id[@]}" spi 0x7002 mark 0x11/0xf "${a[@]}"
	refused "refused: output-mark 5/0 (ESPAH_A_SA_OMARK_MASK)" "ESPAH_A_SA_OMARK_MASK: 0 with a nonzero" \
		"${id[@]}" spi 0x7003 output-mark 5/0 "${a[@]}"
	refused "refused: policy mark 3/0 (ESPAH_A_POL_MARK_MASK)" "ESPAH_A_POL_MARK_MASK: 0 with a nonzero" \
		"${pol[@]}" mark 3/0
	refused "refused: policy mark 0x100/0xff (ESPAH_A_POL_MARK)" "ESPAH_A_POL_MARK: has bits outside" \
		"${pol[@]}" mark 0x100/0xff
	refused "refused: if_id in transport mode (ESPAH_A_SA_IF_ID)" "ESPAH_A_SA_IF_ID: tunnel mode only" \
		state add src 10.0.12.1 dst 10.0.12.9 proto esp dir out spi 0x7004 if_id 5 "${a[@]}"
	refused "refused: if_id 0 (ESPAH_A_SA_IF_ID)" "ESPAH_A_SA_IF_ID: 0 is no interface" \
		"${id[@]}" spi 0x7005 if_id 0 "${a[@]}"
	refused "refused: policy if_id 0 (ESPAH_A_POL_IF_ID)" "ESPAH_A_POL_IF_ID: 0 is no interface" \
		"${pol[@]}" if_id 0
	check "raw: SA_MARK_MASK without SA_MARK refused, named" bash -c \
		"$BB nsenter --net=/run/netns/gw1 $PY ../../tools/espah/nlraw.py SA_GET SA_SPI:be32:0x1001 SA_PROTO:u8:50 SA_FAMILY:u16:2 SA_DST:hex:0a000c02 SA_MARK_MASK:u32:255 | tr '\n' ' ' | grep -q 'ESPAH_A_SA_MARK_MASK: only with ESPAH_A_SA_MARK'"
	check "no SA left by the refusals" \
		numeq "$(E gw1 -j state list | jq '[.[] | select(.dst == "10.0.12.9")] | length')" 0
}

# --- the xfrm bridge: a native SA's output-mark carried ---------------------
bridge() {
	local n="bridge" e0 a b t="mode tunnel reqid 9"
	local s12="sel src 10.0.1.0/24 dst 10.0.2.0/24" s21="sel src 10.0.2.0/24 dst 10.0.1.0/24"
	ipsec_flush
	a=$(alg gcm 61) b=$(alg gcm 62)
	if ! E gw1 xfrm attach if-id 42 || ! ip -n gw1 -batch - <<-EOF
	xfrm state add src $G1 dst $G2 proto esp spi 0x5001 $t if_id 42 output-mark 0x100 mask 0x100 $s12 $a
	xfrm state add src $G2 dst $G1 proto esp spi 0x6001 $t replay-window 64 if_id 42 $s21 $b
	xfrm policy add src 10.0.1.0/24 dst 10.0.2.0/24 dir out if_id 42 tmpl src $G1 dst $G2 proto esp mode tunnel reqid 9
	xfrm policy add src 10.0.2.0/24 dst 10.0.1.0/24 dir fwd if_id 42 tmpl src $G2 dst $G1 proto esp mode tunnel reqid 9
	EOF
	then
		not_ok "$n: attach, ip xfrm on gw1"
		E gw1 xfrm detach
		return
	fi
	if ! ip -n gw2 -batch - <<-EOF
	xfrm state add src $G1 dst $G2 proto esp spi 0x5001 $t replay-window 64 $s12 $a
	xfrm state add src $G2 dst $G1 proto esp spi 0x6001 $t $s21 $b
	xfrm policy add src 10.0.2.0/24 dst 10.0.1.0/24 dir out tmpl src $G2 dst $G1 proto esp mode tunnel reqid 9
	xfrm policy add src 10.0.1.0/24 dst 10.0.2.0/24 dir fwd tmpl src $G1 dst $G2 proto esp mode tunnel reqid 9
	EOF
	then
		not_ok "$n: native gw2"
		E gw1 xfrm detach
		return
	fi
	nap 1
	e0=$(nftc gw2 '"eth3"')
	check "$n: h1 pings h2 through the carried SAs" pings h1 "$H2" 3
	check "$n: the carried output-mark steered the ESP onto the second link" \
		ge "$(nftc gw2 '"eth3"')" $((e0 + 3))
	check "$n: espah lists the carried SA's output-mark" \
		grep -q $'^\toutput-mark 0x100/0x100$' <<< "$(E gw1 state list)"
	E gw1 xfrm detach
	ipsec_flush
}

# --- route-based: native xfrm interfaces -------------------------------------
# xlink NS FIELD: a counter of NS's ipsec0 (ip -s -j: rx.packets, ...)
xlink() {
	ip -n "$1" -s -j link show ipsec0 | jq -r ".[0].stats64.$2 // -1"
}

xfrmi_up() {
	local a b c d t="mode tunnel reqid 5" any="src 0.0.0.0/0 dst 0.0.0.0/0"
	local any6="src ::/0 dst ::/0" g1=fd00:12::1 g2=fd00:12::2
	a=$(alg gcm 51) b=$(alg gcm 52) c=$(alg gcm 53) d=$(alg gcm 54)
	ip -n gw1 -batch - <<-EOF || return 1
	link add ipsec0 type xfrm dev eth2 if_id 7
	link set ipsec0 up
	route replace 10.0.2.0/24 dev ipsec0
	route replace fd00:2::/64 dev ipsec0
	EOF
	ip -n gw2 -batch - <<-EOF || return 1
	link add ipsec0 type xfrm dev eth2 if_id 7
	link set ipsec0 up
	route replace 10.0.1.0/24 dev ipsec0
	route replace fd00:1::/64 dev ipsec0
	EOF
	E gw1 -batch - <<-EOF || return 1
	state add src $G1 dst $G2 proto esp spi 0x3001 $t dir out if_id 7 $a
	state add src $G2 dst $G1 proto esp spi 0x4001 $t dir in replay-window 64 if_id 7 $b
	policy add $any dir out if_id 7 tmpl src $G1 dst $G2 proto esp mode tunnel reqid 5
	policy add $any dir in if_id 7 tmpl src $G2 dst $G1 proto esp mode tunnel reqid 5
	policy add $any dir fwd if_id 7 tmpl src $G2 dst $G1 proto esp mode tunnel reqid 5
	policy add src 10.0.1.0/24 dst 10.0.2.0/24 dir out priority 0 action block
	state add src $g1 dst $g2 proto esp spi 0x3003 $t dir out if_id 7 $c
	state add src $g2 dst $g1 proto esp spi 0x4003 $t dir in replay-window 64 if_id 7 $d
	policy add $any6 dir out if_id 7 tmpl src $g1 dst $g2 proto esp mode tunnel reqid 5
	policy add $any6 dir in if_id 7 tmpl src $g2 dst $g1 proto esp mode tunnel reqid 5
	policy add $any6 dir fwd if_id 7 tmpl src $g2 dst $g1 proto esp mode tunnel reqid 5
	EOF
	ip -n gw2 -batch - <<-EOF || return 1
	xfrm state add src $G1 dst $G2 proto esp spi 0x3001 $t replay-window 64 if_id 7 $a
	xfrm state add src $G2 dst $G1 proto esp spi 0x4001 $t if_id 7 $b
	xfrm policy add $any dir out if_id 7 tmpl src $G2 dst $G1 proto esp mode tunnel reqid 5
	xfrm policy add $any dir in if_id 7 tmpl src $G1 dst $G2 proto esp mode tunnel reqid 5
	xfrm policy add $any dir fwd if_id 7 tmpl src $G1 dst $G2 proto esp mode tunnel reqid 5
	xfrm state add src $g1 dst $g2 proto esp spi 0x3003 $t replay-window 64 if_id 7 $c
	xfrm state add src $g2 dst $g1 proto esp spi 0x4003 $t if_id 7 $d
	xfrm policy add $any6 dir out if_id 7 tmpl src $g2 dst $g1 proto esp mode tunnel reqid 5
	xfrm policy add $any6 dir in if_id 7 tmpl src $g1 dst $g2 proto esp mode tunnel reqid 5
	xfrm policy add $any6 dir fwd if_id 7 tmpl src $g1 dst $g2 proto esp mode tunnel reqid 5
	EOF
}

# held_xfrmi NAME: a policy of if_id 7 with a hold queue and no SA yet
# (reqid 6): h1's echo request waits, the SA comes, the request goes
# through ipsec0 and is counted on its transmit side
# shellcheck disable=SC2086 # the SA words split on purpose
held_xfrmi() {
	local n=$1 a tx0 r0 ppid t="mode tunnel reqid 6"
	a=$(alg gcm 55)
	# below the hold policy: the catch-all of if_id 7 (priority 0) again
	# at priority 100
	E gw1 -batch - <<-EOF
	policy delete src 0.0.0.0/0 dst 0.0.0.0/0 dir out if_id 7
	policy add src 0.0.0.0/0 dst 0.0.0.0/0 dir out if_id 7 priority 100 tmpl src $G1 dst $G2 proto esp mode tunnel reqid 5
	EOF
	E gw1 policy add src 10.0.1.1/32 dst 10.0.2.1/32 dir out if_id 7 \
		priority 10 hold 4 tmpl src "$G1" dst "$G2" proto esp mode tunnel reqid 6
	# (reqid 5 there: the reqid of native's fwd template)
	ip -n gw2 xfrm state add src "$G1" dst "$G2" proto esp spi 0x3005 \
		mode tunnel reqid 5 replay-window 64 if_id 7 $a
	tx0=$(xlink gw1 tx.packets) r0=$(gstat gw1 hold-released)
	nsx h1 ping -q -c 1 -W 10 "$H2" >/dev/null 2>&1 &
	ppid=$!
	nap 1
	check "$n: held: nothing through ipsec0 while no SA" numeq "$(xlink gw1 tx.packets)" "$tx0"
	E gw1 state add src "$G1" dst "$G2" proto esp spi 0x3005 $t dir out if_id 7 $a
	check "$n: held: the echo request answered once the SA came" wait "$ppid"
	check "$n: held: released (hold-released +1)" ge "$(gstat gw1 hold-released)" $((r0 + 1))
	check "$n: held: ipsec0 counted the released request (tx +1)" \
		ge "$(xlink gw1 tx.packets)" $((tx0 + 1))
}

xfrmi() {
	local n="xfrmi" d0 tx0 rx0
	ipsec_flush
	# a module in the stock kernel, built in in the debug kernel
	modprobe -q xfrm_interface 2>/dev/null
	if ! ip link add xfrmprobe type xfrm if_id 99 2>/dev/null; then
		skip "$n: route-based" "no xfrm interfaces in this kernel"
		return
	fi
	ip link del xfrmprobe
	if ! try "$n: interfaces, SAs, policies" xfrmi_up; then
		not_ok "$n: configure"
		return
	fi
	# the block policy has no if_id: it covers h1's packets outside
	# ipsec0 only, and they all go into it
	check "$n: h1 pings h2 through ipsec0 (espah <-> native)" pings h1 "$H2" 3
	check "$n: h2 pings h1" pings h2 10.0.1.1 3
	check "$n: TCP 1 MB h1 -> h2" tcp_xfer h1 h2 "$H2" 1
	check "$n: TCP 1 MB h2 -> h1" tcp_xfer h2 h1 10.0.1.1 1
	check "$n: espah's outbound SA counted (>= 6)" ge "$(sastat gw1 0x3001 packets)" 6
	check "$n: espah's inbound SA counted (>= 6)" ge "$(sastat gw1 0x4001 packets)" 6
	check "$n: gw1 ipsec0 counted what espah took (tx >= 6)" ge "$(xlink gw1 tx.packets)" 6
	check "$n: gw1 ipsec0 counted what espah decapsulated (rx >= 6)" ge "$(xlink gw1 rx.packets)" 6
	check "$n: native's transmit on gw1 never ran (no carrier errors)" \
		numeq "$(xlink gw1 tx.carrier_errors)" 0
	check "$n: native's ipsec0 on gw2 received espah's (rx >= 6)" ge "$(xlink gw2 rx.packets)" 6
	check "$n: policies with if_id 7 cover no other packet: gw1 pings gw2 in clear" \
		pings gw1 "$G2" 2
	# IPv6 inside and outside, through the same interfaces
	tx0=$(xlink gw1 tx.packets) rx0=$(xlink gw1 rx.packets)
	check "$n: IPv6: h1 pings h2 through ipsec0" pings h1 fd00:2::1 3
	check "$n: IPv6: h2 pings h1" pings h2 fd00:1::1 3
	check "$n: IPv6: espah's outbound SA counted (>= 6)" ge "$(sastat gw1 0x3003 packets)" 6
	check "$n: IPv6: espah's inbound SA counted (>= 6)" ge "$(sastat gw1 0x4003 packets)" 6
	check "$n: IPv6: gw1 ipsec0 counted what espah took (tx +6)" \
		ge "$(xlink gw1 tx.packets)" $((tx0 + 6))
	check "$n: IPv6: gw1 ipsec0 counted what espah decapsulated (rx +6)" \
		ge "$(xlink gw1 rx.packets)" $((rx0 + 6))
	# held for its SA (hold 4), released into the interface: counted there
	held_xfrmi "$n"
	# the xfrm bridge's tag is native's, never an if_id of espah's
	E gw1 xfrm attach if-id 42
	algwords gcm 53
	refused "$n: the bridge's tag as an SA's if_id, refused" "ESPAH_A_SA_IF_ID: the namespace's xfrm bridge tag" \
		state add src "$G1" dst "$G2" proto esp spi 0x3002 mode tunnel dir out if_id 42 "${ALGW[@]}"
	refused "$n: the bridge's tag as a policy's if_id, refused" "ESPAH_A_POL_IF_ID: the namespace's xfrm bridge tag" \
		policy add src 10.0.7.0/24 dst 10.0.8.0/24 dir out if_id 42
	E gw1 xfrm detach
	refused "$n: an if_id of espah's own as the bridge's tag, refused" "espah's own SAs or policies use this if_id" \
		xfrm attach if-id 7
	# the interface gone: what the SA decapsulates has nowhere to go
	d0=$(gstat gw1 in-no-xfrmi)
	ip -n gw1 link del ipsec0
	check "$n: ipsec0 gone on gw1: h2's pings unanswered" \
		bash -c "! $BB nsenter --net=/run/netns/h2 ping -q -c 2 -i 0.2 -W 1 10.0.1.1 >/dev/null"
	check "$n: counted in-no-xfrmi (+2)" numeq "$(gstat gw1 in-no-xfrmi)" $((d0 + 2))
	ip -n gw2 link del ipsec0
}

if ! topo_up || ! try "second link, addresses, marking rules" marks_up; then
	not_ok "topology with the second link and the marking rules"
	finish
	exit
fi
if ! try "configure" configure; then
	not_ok "configure both gateways"
	finish
	exit
fi
flows
no_sa
transport_omark
if [ -z "$QUICK" ]; then
	in_no_sa
	tool
	refusals
	bridge
fi
xfrmi
ipsec_flush
finish
