# shellcheck shell=bash
# AH helpers shared by the t_ah*.sh suites (sourced after lib.sh).

# ahalg NAME KEYNO: the ALGO-LIST words of an AH SA (espah and ip xfrm)
ahalg() {
	local k=$2
	case $1 in
	sha1) echo "auth-trunc hmac(sha1) 0x$(key 20 "$k") 96" ;;
	sha256) echo "auth-trunc hmac(sha256) 0x$(key 32 "$k") 128" ;;
	sha384) echo "auth-trunc hmac(sha384) 0x$(key 48 "$k") 192" ;;
	sha512) echo "auth-trunc hmac(sha512) 0x$(key 64 "$k") 256" ;;
	xcbc) echo "auth-trunc xcbc(aes) 0x$(key 16 "$k") 96" ;;
	gmac) echo "aead rfc4543(gcm(aes)) 0x$(key 20 "$k") 128" ;;
	*) echo "unknown AH algorithm $1" >&2; return 1 ;;
	esac
}

# ah_sa IMPL NS SRC DST SPI MODE DIR ALG KEYNO [EXTRA...]
# Both pad IPv4 AH to 64 bits unless "flag align4" (an EXTRA word), and
# native accepts only what it would send itself.
ah_sa() {
	local impl=$1 ns=$2 src=$3 dst=$4 spi=$5 mode=$6 dir=$7 a=$8 k=$9
	shift 9
	# shellcheck disable=SC2046
	if [ "$impl" = espah ]; then
		cfg espah "$ns" state add src "$src" dst "$dst" proto ah \
			spi "$spi" mode "$mode" reqid 2 dir "$dir" \
			replay-window 64 "$@" $(ahalg "$a" "$k")
	else
		cfg native "$ns" state add src "$src" dst "$dst" proto ah \
			spi "$spi" mode "$mode" reqid 2 replay-window 64 "$@" \
			$(ahalg "$a" "$k")
	fi
}

# ah_pol IMPL NS SRC DST DIR TSRC TDST MODE [bundle]
# bundle: ESP (reqid 1) inside AH (reqid 2), both in MODE
ah_pol() {
	local impl=$1 ns=$2 src=$3 dst=$4 dir=$5 ts=$6 td=$7 mode=$8 b=${9:-}
	local t=(tmpl src "$ts" dst "$td" proto ah mode "$mode" reqid 2)
	if [ "$b" = bundle ]; then
		t=(tmpl src "$ts" dst "$td" proto esp mode "$mode" reqid 1 "${t[@]}")
	fi
	cfg "$impl" "$ns" policy add src "$src" dst "$dst" dir "$dir" "${t[@]}"
}

# ah_side IMPL NS LOCAL REMOTE LNET RNET MODE ALG SPI_OUT SPI_IN KEY_OUT KEY_IN [EXTRA...]
ah_side() {
	[ -n "${CFG_BATCH:-}" ] || { cfg_batch "$1" "$2" ah_side "$@"; return; }
	local impl=$1 ns=$2 l=$3 r=$4 ln=$5 rn=$6 mode=$7 a=$8
	local so=$9 si=${10} ko=${11} ki=${12}
	shift 12
	ah_sa "$impl" "$ns" "$l" "$r" "$so" "$mode" out "$a" "$ko" \
		sel src "$ln" dst "$rn" "$@" || return 1
	ah_sa "$impl" "$ns" "$r" "$l" "$si" "$mode" in "$a" "$ki" \
		sel src "$rn" dst "$ln" "$@" || return 1
	ah_pol "$impl" "$ns" "$ln" "$rn" out "$l" "$r" "$mode" || return 1
	ah_pol "$impl" "$ns" "$rn" "$ln" in "$r" "$l" "$mode" || return 1
	if [ "$mode" = tunnel ]; then
		ah_pol "$impl" "$ns" "$rn" "$ln" fwd "$r" "$l" "$mode" || return 1
	fi
}

# pkts_of NS IMPL: "SPI PACKETS" lines for every SA of NS (one process)
pkts_of() {
	if [ "$2" = espah ]; then
		E "$1" -s state list | awk '
			/^\tproto / { for (i = 1; i < NF; i++) if ($i == "spi") s = $(i + 1) }
			/^\tstats:/ { for (i = 2; i < NF; i++) if ($i == "packets") print s, $(i + 1) }'
	else
		nsx "$1" ip -s xfrm state | awk '
			$1 == "proto" && $3 == "spi" { s = substr($4, 1, 10) }
			/^[ \t]*[0-9]+\(bytes\), [0-9]+\(packets\)/ {
				p = $2; sub(/\(packets\).*/, "", p); print s, p }'
	fi
}

# pkts LINES SPI: the packets of SPI in the output of pkts_of (0 if absent)
pkts() {
	local spi s p
	printf -v spi '0x%08x' "$2"
	while read -r s p; do
		[ "$s" != "$spi" ] || { echo "$p"; return 0; }
	done <<< "$1"
	echo 0
}

# tcase FAMILY MODE ALG IMPL_GW1 IMPL_GW2 [EXTRA SA WORDS...]
# Pings both ways (espah sends to and receives from its peer), then every
# SA of both gateways must have carried its 4 packets.
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
	local name="ah $m $f $a gw1=$i1 gw2=$i2${1:+ $*}" f0=$T_FAIL p1 p2
	ipsec_flush
	if ! ah_side "$i1" gw1 $l $r $ln $rn "$m" "$a" 0x5001 0x6001 5 6 "$@" ||
	   ! ah_side "$i2" gw2 $r $l $rn $ln "$m" "$a" 0x6001 0x5001 6 5 "$@"; then
		not_ok "$name: configure"
		return
	fi
	check "$name: ping gw1 side -> gw2 side" pings $from1 $a2 2
	check "$name: ping gw2 side -> gw1 side" pings $from2 $a1 2
	# each SA carried both pings' requests or replies: 4 packets
	p1=$(pkts_of gw1 "$i1") p2=$(pkts_of gw2 "$i2")
	check "$name: gw1 out SA counted" ge "$(pkts "$p1" 0x5001)" 4
	check "$name: gw1 in SA counted" ge "$(pkts "$p1" 0x6001)" 4
	check "$name: gw2 verified gw1's AH" ge "$(pkts "$p2" 0x5001)" 4
	check "$name: gw2 out SA counted" ge "$(pkts "$p2" 0x6001)" 4
	[ "$T_FAIL" -eq "$f0" ] || { diag "gw1: $p1"; diag "gw2: $p2"; }
}
