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
# Native IPv4 AH pads to 64 bits unless "flag align4" (RFC 4302 asks for
# 32 bits, which espah sends): the native peer gets the flag.
ah_sa() {
	local impl=$1 ns=$2 src=$3 dst=$4 spi=$5 mode=$6 dir=$7 a=$8 k=$9
	shift 9
	# shellcheck disable=SC2046
	if [ "$impl" = espah ]; then
		E "$ns" state add src "$src" dst "$dst" proto ah spi "$spi" \
			mode "$mode" reqid 2 dir "$dir" replay-window 64 "$@" \
			$(ahalg "$a" "$k")
	else
		local fl=
		case $src in *:*) ;; *) fl="flag align4" ;; esac
		# shellcheck disable=SC2086
		nsx "$ns" ip xfrm state add src "$src" dst "$dst" proto ah \
			spi "$spi" mode "$mode" reqid 2 replay-window 64 $fl "$@" \
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
	if [ "$impl" = espah ]; then
		E "$ns" policy add src "$src" dst "$dst" dir "$dir" "${t[@]}"
	else
		nsx "$ns" ip xfrm policy add src "$src" dst "$dst" dir "$dir" "${t[@]}"
	fi
}

# ah_side IMPL NS LOCAL REMOTE LNET RNET MODE ALG SPI_OUT SPI_IN KEY_OUT KEY_IN [EXTRA...]
ah_side() {
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

# scapy NS PYTHON: run scapy code in a namespace
scapy() { nsx "$1" "$PY" -c "import logging; logging.getLogger('scapy').setLevel(logging.ERROR)
from scapy.all import *
from scapy.layers.ipsec import SecurityAssociation, AH
conf.verb = 0
$2"; }
