#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side self-test of the espah command-line parser: needs no kernel.
# Runs the tool with ESPAH_DRY_RUN=1, which prints the netlink request it
# would send (one attribute per line, nests indented) instead of sending it.
#
# Usage: test-parse.sh [path/to/espah]
# Output: KTAP-ish "ok N - ..." / "not ok N - ..." lines, then a summary.
# Exit status: 0 if every case passed, 1 otherwise.
#
# Against a binary built with -fsanitize=address,undefined (make
# espah-asan), any sanitizer report fails the case: it ends the process
# with an exit status of its own and is looked for on stderr.
# ESPAH_SEEDS=FILE appends the arguments of every case to FILE (each
# case: its word count, then its words, all NUL-terminated): the seeds of
# fuzz.py.

ESPAH=${1:-$(dirname "$0")/espah}
export ESPAH_DRY_RUN=1
export LC_ALL=C
unset ESPAH_NETNS
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=0:exitcode=86:detect_leaks=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=0:exitcode=87:print_stacktrace=1}
sanitizer='AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:'

n=0
failed=0
outf=$(mktemp)
errf=$(mktemp)
tmpd=$(mktemp -d)
trap 'rm -rf "$outf" "$errf" "$tmpd"' EXIT

KEY16=0x000102030405060708090a0b0c0d0e0f
KEY20=0x000102030405060708090a0b0c0d0e0f10111213
KEY32=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

report() {	# report PASS DESC [DETAIL...]
	local pass=$1 desc=$2
	shift 2
	n=$((n + 1))
	if [ "$pass" = 1 ]; then
		echo "ok $n - $desc"
	else
		failed=$((failed + 1))
		echo "not ok $n - $desc"
		local l
		for l in "$@"; do echo "# $l"; done
		head -c 4096 "$outf" | sed 's/^/# stdout: /'
		head -c 4096 "$errf" | sed 's/^/# stderr: /'
	fi
}

# run ARGS...: the tool, stdout and stderr to $outf and $errf.
run() {
	if [ -n "${ESPAH_SEEDS:-}" ]; then
		printf '%s\0' $# "$@" >>"$ESPAH_SEEDS"
	fi
	"$ESPAH" "$@" >"$outf" 2>"$errf"
}

# good DESC "LINE1|LINE2|..." -- ARGS...: exit 0 and every LINE appears
# exactly (leading spaces included) in the dry-run output.
good() {
	local desc=$1 want=$2 line
	shift 3
	run "$@"
	local rc=$?
	if grep -qE "$sanitizer" "$errf"; then
		report 0 "$desc" "sanitizer report (exit status $rc)"
		return
	fi
	if [ $rc -ne 0 ]; then
		report 0 "$desc" "exit status $rc, expected 0"
		return
	fi
	IFS='|' read -r -a lines <<<"$want"
	for line in "${lines[@]}"; do
		if ! grep -qxF -- "$line" "$outf"; then
			report 0 "$desc" "missing line: '$line'"
			return
		fi
	done
	report 1 "$desc"
}

# bad DESC WORD -- ARGS...: exit status 1 (the tool's error status, not a
# signal's or a sanitizer's), nothing on stdout, and the error message on
# stderr names WORD.
bad() {
	local desc=$1 word=$2
	shift 3
	run "$@"
	local rc=$?
	if grep -qE "$sanitizer" "$errf"; then
		report 0 "$desc" "sanitizer report (exit status $rc)"
	elif [ $rc -eq 0 ]; then
		report 0 "$desc" "exit status 0, expected failure"
	elif [ $rc -ne 1 ]; then
		report 0 "$desc" "exit status $rc, expected 1"
	elif [ -s "$outf" ]; then
		report 0 "$desc" "a request was printed despite the error"
	elif ! grep -qF -- "$word" "$errf"; then
		report 0 "$desc" "error message does not name '$word'"
	else
		report 1 "$desc"
	fi
}

echo "KTAP version 1"
echo "# espah parser self-test (dry run, no kernel)"

# ---- state: valid (ip-xfrm(8) examples, with "ip xfrm" -> "espah") ----
good "state add esp tunnel aead rfc4106" \
	"cmd SA_ADD flags request,ack|  SA_SPI 0x00001000|  SA_PROTO 50|  SA_FAMILY 2|  SA_SRC 10.0.0.1|  SA_DST 10.0.0.2|  SA_MODE 1|  SA_DIR 1|  SA_REQID 1|  SA_AEAD rfc4106(gcm(aes))|  SA_ENC_KEY $KEY20 (20 bytes)|  SA_ICV_BITS 128" \
	-- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x1000 mode tunnel reqid 1 dir out \
	aead 'rfc4106(gcm(aes))' $KEY20 128

good "state add enc cbc(aes) + auth-trunc hmac(sha256) 128" \
	"  SA_ENC cbc(aes)|  SA_AUTH hmac(sha256)|  SA_ENC_KEY $KEY16 (16 bytes)|  SA_AUTH_KEY $KEY32 (32 bytes)|  SA_ICV_BITS 128|  SA_MODE 0" \
	-- state add src 192.168.1.1 dst 192.168.1.2 proto esp spi 4096 dir in \
	enc 'cbc(aes)' $KEY16 auth-trunc 'hmac(sha256)' $KEY32 128

good "ip xfrm compat names: enc aes, auth sha1 (96-bit ICV like ip xfrm)" \
	"  SA_ENC cbc(aes)|  SA_AUTH hmac(sha1)|  SA_ICV_BITS 96" \
	-- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x2000 dir in \
	enc aes $KEY16 auth sha1 0x000102030405060708090a0b0c0d0e0f10111213

good "state add ah with a quoted-string key" \
	"  SA_PROTO 51|  SA_AUTH hmac(md5)|  SA_AUTH_KEY 0x31323334353637383930313233343536 (16 bytes)|  SA_ICV_BITS 96" \
	-- state add src 10.0.0.1 dst 10.0.0.2 proto ah spi 0x300 dir in auth md5 "1234567890123456"

good "state add ah with AES-GMAC (RFC 4543)" \
	"  SA_PROTO 51|  SA_AEAD rfc4543(gcm(aes))|  SA_ENC_KEY 0x000102030405060708090a0b0c0d0e0f10111213 (20 bytes)|  SA_ICV_BITS 128" \
	-- state add src 10.0.0.1 dst 10.0.0.2 proto ah spi 0x301 dir in \
	aead 'rfc4543(gcm(aes))' $KEY20 128
good "state add with every limit" \
	"  SA_LIFETIME|    time-soft 2|    time-hard 3|    time-use-soft 4|    time-use-hard 5|    byte-soft 1000|    byte-hard 2000|    packet-soft 10|    packet-hard 20|    seq-soft 100" \
	-- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x1001 dir out aead 'rfc4106(gcm(aes))' $KEY20 128 \
	limit time-soft 2 limit time-hard 3 limit time-use-soft 4 limit time-use-hard 5 \
	limit byte-soft 1000 limit byte-hard 2000 limit packet-soft 10 limit packet-hard 20 limit seq-soft 100

good "state add ipv6 with selector and ports" \
	"  SA_FAMILY 10|  SA_SRC 2001:db8::1|  SA_DST 2001:db8::2|  SA_SEL|    SEL_FAMILY 10|    SEL_SRC 2001:db8:1::|    SEL_SPLEN 48|    SEL_PROTO 6|    SEL_SPORT 1024|    SEL_DPORT 443" \
	-- state add src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x400 dir out \
	sel src 2001:db8:1::/48 dst 2001:db8:2::/48 proto tcp sport 1024 dport 443 \
	aead 'rfc4106(gcm(aes))' $KEY20 96

good "ESN: replay-seq/-hi and replay-oseq/-hi combine into 64 bits" \
	"  SA_FLAGS 1|  SA_REPLAY_WINDOW 128|  SA_SEQ 4294967301|  SA_OSEQ 8589934594" \
	-- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x500 dir in replay-window 128 \
	replay-seq 5 replay-seq-hi 1 replay-oseq 2 replay-oseq-hi 2 flag esn \
	aead 'rfc4106(gcm(aes))' $KEY20 128

good "AH over IPv4 with flag align4 (and esn): both flag bits" \
	"  SA_FLAGS 3|  SA_PROTO 51" \
	-- state add src 10.0.0.1 dst 10.0.0.2 proto ah spi 0x501 dir out flag align4 esn \
	auth-trunc 'hmac(sha256)' $KEY16 128

good "state add with encap espinudp (ip xfrm's syntax)" \
	"  SA_ENCAP|    ENCAP_TYPE 2|    ENCAP_SPORT 4500|    ENCAP_DPORT 4501|    ENCAP_OA 0.0.0.0" \
	-- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x502 dir out \
	encap espinudp 4500 4501 0.0.0.0 aead 'rfc4106(gcm(aes))' $KEY20 128

good "IPv6 SA with encap OADDR 0.0.0.0: no original address sent" \
	"  SA_FAMILY 10|  SA_ENCAP|    ENCAP_TYPE 2|    ENCAP_DPORT 4500" \
	-- state add src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x503 dir in \
	encap espinudp 4500 4500 0.0.0.0 aead 'rfc4106(gcm(aes))' $KEY20 128

good "encap espinudp-nonike is parsed (the kernel judges it)" \
	"    ENCAP_TYPE 1|    ENCAP_OA 2001:db8::9" \
	-- state add src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x504 dir in \
	encap espinudp-nonike 4500 4500 2001:db8::9 aead 'rfc4106(gcm(aes))' $KEY20 128

good "encap with natt-keepalive, in the encap nest" \
	"  SA_ENCAP|    ENCAP_TYPE 2|    ENCAP_SPORT 4500|    ENCAP_DPORT 40000|    ENCAP_OA 0.0.0.0|    ENCAP_KEEPALIVE 20" \
	-- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x507 dir out \
	encap espinudp 4500 40000 0.0.0.0 natt-keepalive 20 aead 'rfc4106(gcm(aes))' $KEY20 128

good "flag natt-update: bit 4" \
	"  SA_FLAGS 16" \
	-- state add src 10.0.0.2 dst 10.0.0.1 proto esp spi 0x508 dir in flag natt-update \
	encap espinudp 40000 4500 0.0.0.0 aead 'rfc4106(gcm(aes))' $KEY20 128
good "tunnel header words: flag noecn decap-dscp, df set, dscp 46" \
	"  SA_FLAGS 12|  SA_DF 2|  SA_DSCP 46" \
	-- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x510 mode tunnel flag noecn decap-dscp \
	df set dscp 46 aead 'rfc4106(gcm(aes))' $KEY20 128

good "ip xfrm's flag nopmtudisc and extra-flag dont-encap-dscp: df clear, dscp 0" \
	"  SA_DF 1|  SA_DSCP 0" \
	-- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x511 mode tunnel flag nopmtudisc \
	extra-flag dont-encap-dscp aead 'rfc4106(gcm(aes))' $KEY20 128

good "tfcpad 500 (ip xfrm's word)" \
	"  SA_TFCPAD 500" \
	-- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x513 mode tunnel tfcpad 500 \
	aead 'rfc4106(gcm(aes))' $KEY20 128

bad "tfcpad without a length" "tfcpad" -- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 \
	mode tunnel tfcpad

good "dummy-rate 10 with tfcpad (the range is the module's to judge)" \
	"  SA_DUMMY_RATE 10" \
	-- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x514 mode tunnel dir out \
	tfcpad 500 dummy-rate 10 aead 'rfc4106(gcm(aes))' $KEY20 128

bad "dummy-rate without a rate" "dummy-rate" -- state add src 10.0.0.1 dst 10.0.0.2 proto esp \
	spi 1 mode tunnel dir out dummy-rate

good "mark V/M, output-mark V mask M, if_id (ip xfrm's words)" \
	"  SA_MARK 1|  SA_MARK_MASK 255|  SA_OMARK 256|  SA_OMARK_MASK 768|  SA_IF_ID 7" \
	-- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x514 mode tunnel mark 1/0xff \
	output-mark 0x100 mask 0x300 if_id 7 aead 'rfc4106(gcm(aes))' $KEY20 128

good "mark without mask: 0xffffffff (ip xfrm's default)" \
	"  SA_MARK 5|  SA_MARK_MASK 4294967295" \
	-- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x515 mode tunnel mark 5 \
	aead 'rfc4106(gcm(aes))' $KEY20 128

good "state delete ... mark names the SA" \
	"  SA_MARK 2|  SA_MARK_MASK 255" \
	-- state delete dst 10.0.0.2 proto esp spi 0x515 mark 2/255

bad "mark without a value" "mark" -- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 \
	mode tunnel mark

bad "mark with a mask that is no number" "mark mask" -- state add src 10.0.0.1 dst 10.0.0.2 \
	proto esp spi 1 mode tunnel mark 1/x aead 'rfc4106(gcm(aes))' $KEY20 128

good "policy mark and if_id" \
	"  POL_MARK 3|  POL_MARK_MASK 15|  POL_IF_ID 9" \
	-- policy add src 10.1.0.0/16 dst 10.2.0.0/24 dir out mark 3/0xf if_id 9

good "policy delete ... mark if_id: the policy's identity" \
	"  POL_MARK 3|  POL_MARK_MASK 15|  POL_IF_ID 9" \
	-- policy delete src 10.1.0.0/16 dst 10.2.0.0/24 dir out mark 3/0xf if_id 9

good "dscp copy and df copy: the defaults, sent as such" \
	"  SA_DF 0" \
	-- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x512 mode tunnel dscp copy df copy \
	aead 'rfc4106(gcm(aes))' $KEY20 128

good "no dir: src local (127.0.0.1) -> out" \
	"  SA_DIR 1" \
	-- state add src 127.0.0.1 dst 192.0.2.2 proto esp spi 0x600 enc 'cbc(aes)' $KEY16

good "no dir: src not local (192.0.2.1) -> in" \
	"  SA_DIR 0" \
	-- state add src 192.0.2.1 dst 127.0.0.1 proto esp spi 0x601 enc 'cbc(aes)' $KEY16

good "tunnel SA: IPv6 selector inside IPv4" \
	"  SA_FAMILY 2|    SEL_FAMILY 10" \
	-- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x900 mode tunnel dir out \
	sel src 2001:db8:1::/64 dst 2001:db8:2::/64 aead 'rfc4106(gcm(aes))' $KEY20 128

good "state update" \
	"cmd SA_UPDATE flags request,ack|  SA_SPI 0x00000700" \
	-- state update src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x700 dir in \
	aead 'rfc4106(gcm(aes))' $KEY20 128

good "state delete without src" \
	"cmd SA_DEL flags request,ack|  SA_SPI 0x00001000|  SA_PROTO 50|  SA_DST 10.0.0.2" \
	-- state delete dst 10.0.0.2 proto esp spi 0x1000

good "state get (abbreviated) with src" \
	"cmd SA_GET flags request,ack|  SA_SRC 10.0.0.1|  SA_PROTO 51" \
	-- state g src 10.0.0.1 dst 10.0.0.2 proto ah spi 0x1000

good "-s -j state list is a dump" "cmd SA_GET flags request,dump" -- -s -j state list
good "state flush proto esp" "cmd SA_FLUSH flags request,ack|  SA_PROTO 50" -- state flush proto esp
good "state count" "cmd SA_COUNT flags request,ack" -- state count

good "state add flag icmp wildrecv: SA_FLAGS 0x60, wildrecv from a local address without dir is in" \
	"  SA_FLAGS 96|  SA_DIR 0" \
	-- state add src 127.0.0.1 dst 10.0.0.1 proto esp spi 0x1000 flag icmp wildrecv \
	enc aes $KEY16

# ---- policy: valid ----
good "policy add flag icmp localok, level use" \
	"  POL_FLAGS 3|    TMPL_OPTIONAL" \
	-- policy add src 10.1.0.0/16 dst 10.2.0.0/24 dir out flag icmp localok \
	tmpl proto esp mode transport level use

bad "policy flag unknown" "flag" \
	-- policy add src 10.1.0.0/16 dst 10.2.0.0/24 dir out flag foo \
	tmpl proto esp

bad "policy level other" "level" \
	-- policy add src 10.1.0.0/16 dst 10.2.0.0/24 dir out \
	tmpl proto esp level maybe

good "policy add protect, tunnel template (ip-xfrm(8) example)" \
	"cmd POL_ADD flags request,ack|  POL_DIR 1|  POL_SEL|    SEL_SRC 10.1.0.0|    SEL_SPLEN 16|    SEL_DPLEN 24|  POL_ACTION 0|  POL_TMPL|    TMPL_PROTO 50|    TMPL_MODE 1|    TMPL_FAMILY 2|    TMPL_SRC 192.0.2.1|    TMPL_DST 192.0.2.2|    TMPL_REQID 7" \
	-- policy add src 10.1.0.0/16 dst 10.2.0.0/24 dir out \
	tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel reqid 7

good "policy add allow without tmpl = bypass" \
	"  POL_ACTION 1|  POL_PRIORITY 100|  POL_DIR 0" \
	-- policy add src 0.0.0.0/0 dst 0.0.0.0/0 proto udp dport 500 dir in priority 100 action allow

good "policy add action block = discard, fwd" \
	"  POL_ACTION 2|  POL_DIR 2" \
	-- policy add src 10.9.0.0/16 dst any dir fwd action block

good "policy add icmp type/code go to SPORT/DPORT" \
	"    SEL_PROTO 1|    SEL_SPORT 8|    SEL_DPORT 0" \
	-- policy add src 10.0.0.0/8 dst 10.0.0.0/8 proto icmp type 8 code 0 dir out \
	tmpl proto ah

good "policy add, two templates, ipv6" \
	"    SEL_FAMILY 10|    TMPL_PROTO 51|    TMPL_PROTO 50|    TMPL_SPI 0x00000123" \
	-- policy add src 2001:db8:1::/64 dst 2001:db8:2::/64 dir out \
	tmpl proto ah mode transport tmpl src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x123 mode tunnel

good "policy add hold 16" \
	"cmd POL_ADD flags request,ack|  POL_DIR 1|  POL_HOLD 16|  POL_ACTION 0" \
	-- policy add src 10.1.0.0/16 dst 10.2.0.0/24 dir out hold 16 \
	tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel
good "policy update hold 0 (the kernel judges the range)" \
	"cmd POL_UPDATE flags request,ack|  POL_HOLD 0" \
	-- policy update src 10.1.0.0/16 dst 10.2.0.0/24 dir out hold 0 tmpl proto esp
good "policy add hold 101 goes to the kernel, which refuses it" \
	"  POL_HOLD 101" \
	-- policy add src 10.1.0.0/16 dst 10.2.0.0/24 dir out hold 101 tmpl proto esp

good "policy delete by selector" \
	"cmd POL_DEL flags request,ack|  POL_DIR 0|    SEL_DPLEN 24" \
	-- policy delete src 10.1.0.0/16 dst 10.2.0.0/24 dir in

good "policy get by index" "cmd POL_GET flags request,ack|  POL_INDEX 42" -- policy get index 42
good "policy flush" "cmd POL_FLUSH flags request,ack" -- policy flush
good "stats" "cmd STATS_GET flags request,ack" -- stats
good "features" "cmd FEATURES_GET flags request,ack" -- features
good "help exits 0" "Exit status: 0 on success, 1 on any error (syntax or kernel)." -- help

batch=$(mktemp)
printf '%s\n' '# comment' '' 'state count' \
	"state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x800 dir in enc 'cbc(aes)' \"key with spaces!\"" \
	>"$batch"
good "-batch: comments, quotes, several commands" \
	"cmd SA_COUNT flags request,ack|  SA_ENC_KEY 0x6b657920776974682073706163657321 (16 bytes)" -- -batch "$batch"
printf '%s\n' '# only a comment' 'policy add src 10.0.0.0/8 dst 10.0.0.0/8 dir sideways' >"$batch"
bad "-batch: error names the line" "line 2" -- -b "$batch"
rm -f "$batch"

# ---- invalid: each must fail and name the offending word ----
bad "unknown word" "bogus" -- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 bogus 1
bad "bad spi" "0xZZ" -- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0xZZ enc aes $KEY16
bad "proto comp unsupported" "comp" -- state add src 10.0.0.1 dst 10.0.0.2 proto comp spi 1
bad "limit: unknown type" "time-never" \
	-- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 dir in enc aes $KEY16 limit time-never 60
bad "limit: bad value" "12x" \
	-- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 dir in enc aes $KEY16 limit byte-soft 12x
bad "mode beet unsupported" "beet" -- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 mode beet
bad "missing src" "src" -- state add dst 10.0.0.2 proto esp spi 1 enc aes $KEY16
bad "bad address" "10.0.0.300" -- state add src 10.0.0.300 dst 10.0.0.2 proto esp spi 1
bad "odd hex key" "odd" -- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 enc aes 0x123
bad "encap on AH refused" "proto esp only" -- state add src 10.0.0.1 dst 10.0.0.2 proto ah spi 0x505 \
	encap espinudp 4500 4500 0.0.0.0 auth sha1 $KEY20
bad "natt-keepalive without encap" "needs" -- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x509 \
	natt-keepalive 5 aead 'rfc4106(gcm(aes))' $KEY20 128
bad "natt-keepalive twice" "duplicate" -- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x50a \
	encap espinudp 4500 4500 0.0.0.0 natt-keepalive 5 natt-keepalive 6 aead 'rfc4106(gcm(aes))' $KEY20 128
bad "encap espintcp unsupported" "espintcp" -- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x506 \
	encap espintcp 4500 4500 0.0.0.0 aead 'rfc4106(gcm(aes))' $KEY20 128
bad "encap bad type" "bogus" -- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x507 \
	encap bogus 4500 4500 0.0.0.0 aead 'rfc4106(gcm(aes))' $KEY20 128
bad "encap port out of range" "SPORT" -- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x508 \
	encap espinudp 70000 4500 0.0.0.0 aead 'rfc4106(gcm(aes))' $KEY20 128
bad "encap without OADDR" "OADDR" -- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x509 \
	encap espinudp 4500 4500
bad "encap OADDR of the other family" "OADDR" -- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x50a \
	encap espinudp 4500 4500 2001:db8::1 aead 'rfc4106(gcm(aes))' $KEY20 128
bad "encap twice" "duplicate" -- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x50b \
	encap espinudp 4500 4500 0.0.0.0 encap espinudp 4500 4500 0.0.0.0 aead 'rfc4106(gcm(aes))' $KEY20 128
good "dscp 64, df on IPv6, noecn in transport: sent, the module judges them" \
	"  SA_FLAGS 4|  SA_DF 2|  SA_DSCP 64|  SA_MODE 0" \
	-- state add src 2001:db8::1 dst 2001:db8::2 proto esp spi 1 flag noecn df set dscp 64 \
	enc aes $KEY16
bad "dscp 256" "dscp" -- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 mode tunnel \
	dscp 256 enc aes $KEY16
bad "dscp -1" "dscp" -- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 mode tunnel \
	dscp -1 enc aes $KEY16
bad "df sometimes" "sometimes" -- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 mode tunnel \
	df sometimes enc aes $KEY16
bad "flag nopmtudisc with df set" "nopmtudisc" -- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 \
	mode tunnel df set flag nopmtudisc enc aes $KEY16
bad "extra-flag dont-encap-dscp with dscp 10" "dont-encap-dscp" -- state add src 10.0.0.1 dst 10.0.0.2 \
	proto esp spi 1 mode tunnel dscp 10 extra-flag dont-encap-dscp enc aes $KEY16
bad "extra-flag oseq-may-wrap refused" "oseq-may-wrap" -- state add src 10.0.0.1 dst 10.0.0.2 \
	proto esp spi 1 mode tunnel extra-flag oseq-may-wrap enc aes $KEY16
bad "flag af-unspec not needed" "af-unspec" -- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 \
	flag af-unspec enc aes $KEY16
bad "flag without a name" "flag" -- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 \
	flag enc aes $KEY16
bad "aead with enc" "aead" \
	-- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 aead 'rfc4106(gcm(aes))' $KEY20 128 enc aes $KEY16
bad "ah with enc" "enc" -- state add src 10.0.0.1 dst 10.0.0.2 proto ah spi 1 enc aes $KEY16 auth sha1 $KEY16
bad "ah with an aead other than rfc4543" "aead" \
	-- state add src 10.0.0.1 dst 10.0.0.2 proto ah spi 1 aead 'rfc4106(gcm(aes))' $KEY20 128
bad "transport SA: selector of the other family" "sel" \
	-- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 dir in sel src 2001:db8::/64 enc aes $KEY16
bad "sa dir fwd" "fwd" -- state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 dir fwd enc aes $KEY16
bad "sport without tcp/udp" "sport" -- policy add src 10.0.0.0/8 dst 10.0.0.0/8 sport 80 dir out
bad "policy bad dir" "sideways" -- policy add src 10.0.0.0/8 dst 10.0.0.0/8 dir sideways
bad "policy missing dir" "dir" -- policy add src 10.0.0.0/8 dst 10.0.0.0/8
bad "policy prefix /33" "10.0.0.0/33" -- policy add src 10.0.0.0/33 dst 10.0.0.0/8 dir out
bad "three templates" "at most 2" -- policy add src 10.0.0.0/8 dst 10.0.0.0/8 dir out \
	tmpl proto esp tmpl proto ah tmpl proto esp
bad "block with tmpl" "block" -- policy add src 10.0.0.0/8 dst 10.0.0.0/8 dir out action block tmpl proto esp
bad "policy limit refused" "lifetimes are not supported yet" \
	-- policy add src 10.0.0.0/8 dst 10.0.0.0/8 dir out limit packet-hard 10
bad "hold: not a number" "12x" -- policy add src 10.0.0.0/8 dst 10.0.0.0/8 dir out hold 12x tmpl proto esp
bad "hold: missing value" "hold" -- policy add src 10.0.0.0/8 dst 10.0.0.0/8 dir out hold
bad "hold is not a delete word" "hold" -- policy delete src 10.0.0.0/8 dst 10.0.0.0/8 dir out hold 3
bad "unknown object" "frobnicate" -- frobnicate
bad "unknown state command" "frob" -- state frob

# ---- bounds: over-long or out-of-range input is an error naming it ----
rep() {	# rep CHAR COUNT: CHAR repeated
	local s
	printf -v s '%*s' "$2" ''
	printf '%s' "${s// /$1}"
}
SA="state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x1000 dir out"

# shellcheck disable=SC2086
{
bad "aead name of 9000 bytes (overran the request buffer)" "aead name too long" \
	-- $SA aead "$(rep A 9000)" $KEY20 128
bad "enc name of 64 bytes" "enc name too long" -- $SA enc "$(rep a 64)" $KEY16
good "enc name of 63 bytes" "  SA_ENC $(rep a 63)" -- $SA enc "$(rep a 63)" $KEY16
bad "auth name of 64 bytes" "auth name too long" \
	-- $SA enc aes $KEY16 auth "$(rep b 64)" $KEY16
bad "auth-trunc name of 64 bytes" "auth-trunc name too long" \
	-- $SA enc aes $KEY16 auth-trunc "$(rep b 64)" $KEY16 96
bad "empty aead name" "aead name is empty" -- $SA aead '' $KEY20 128
bad "prefix length with a space" "10.0.0.0/ 8" \
	-- policy add src "10.0.0.0/ 8" dst 10.0.0.0/8 dir out
bad "prefix length with a sign" "10.0.0.0/+8" \
	-- policy add src 10.0.0.0/+8 dst 10.0.0.0/8 dir out
bad "empty prefix length" "10.0.0.0/" -- policy add src 10.0.0.0/ dst 10.0.0.0/8 dir out
bad "ipv6 prefix /129" "2001:db8::/129" \
	-- policy add src 2001:db8::/129 dst 2001:db8::/64 dir out
bad "prefix of 100 bytes" "invalid src prefix" \
	-- policy add src "$(rep 1 100)/8" dst 10.0.0.0/8 dir out
bad "-n name too long for its path" "netns name too long" -- -n "$(rep n 300)" state count
bad "-n empty name" "netns name is empty" -- -n '' state count

bad "spi over 32 bits" "spi" -- state delete dst 10.0.0.2 proto esp spi 4294967296
bad "reqid over 32 bits" "reqid" -- $SA reqid 0x100000000 enc aes $KEY16
bad "replay-seq over 32 bits" "replay-seq" -- $SA replay-seq 4294967296 enc aes $KEY16
bad "aead ICV length over 32 bits" "aead ICV length" -- $SA aead 'rfc4106(gcm(aes))' $KEY20 4294967296
bad "limit over 64 bits" "byte-soft" -- $SA enc aes $KEY16 limit byte-soft 18446744073709551616
bad "negative number" "priority" -- policy add src 10.0.0.0/8 dst 10.0.0.0/8 dir out priority -1
bad "hold over 32 bits" "hold" -- policy add src 10.0.0.0/8 dst 10.0.0.0/8 dir out hold 4294967296
bad "index over 32 bits" "index" -- policy get index 4294967296
bad "tmpl spi over 32 bits" "spi" -- policy add src 10.0.0.0/8 dst 10.0.0.0/8 dir out tmpl proto esp spi 0x1ffffffff
bad "icmp type over 8 bits" "icmp type" -- policy add src 10.0.0.0/8 dst 10.0.0.0/8 proto icmp type 256 dir out
bad "icmp code over 8 bits" "icmp code" -- policy add src 10.0.0.0/8 dst 10.0.0.0/8 proto icmp code 300 dir out
bad "protocol number over 8 bits" "protocol" -- policy add src 10.0.0.0/8 dst 10.0.0.0/8 proto 256 dir out
bad "sport over 16 bits" "sport" -- policy add src 10.0.0.0/8 dst 10.0.0.0/8 proto tcp sport 65536 dir out
bad "dport range end over 16 bits" "dport" -- policy add src 10.0.0.0/8 dst 10.0.0.0/8 proto tcp dport 1-65536 dir out
bad "port range of three" "1-2-3" -- policy add src 10.0.0.0/8 dst 10.0.0.0/8 proto tcp sport 1-2-3 dir out
bad "port of 40 bytes" "sport" -- policy add src 10.0.0.0/8 dst 10.0.0.0/8 proto tcp sport "$(rep 1 40)" dir out
bad "hex key of 513 bytes" "enc key too long" -- $SA enc aes "0x$(rep ab 513)" auth sha1 $KEY20
good "hex key of 512 bytes" "  SA_ENC_KEY 0x$(rep ab 512) (512 bytes)" -- $SA enc aes "0x$(rep ab 512)"
bad "string key of 513 bytes" "auth key too long" -- $SA enc aes $KEY16 auth sha1 "$(rep k 513)"
bad "hex key with a bad digit" "bad hex digit" -- $SA enc aes 0x00112233445566778899aabbccddeegg
bad "address of 100 bytes" "invalid src address" -- state delete src "$(rep 1 100)" dst 10.0.0.2 proto esp spi 1
}

# batch files: line length, words per line, NUL bytes, unreadable files
b=$tmpd/batch
{ printf 'state count'; rep ' ' $((16384 - 11)); echo; } >"$b"
good "-batch: a line of 16384 bytes" "cmd SA_COUNT flags request,ack" -- -batch "$b"
{ printf 'state count'; rep ' ' $((16385 - 11)); echo; } >"$b"
bad "-batch: a line of 16385 bytes" "line longer than 16384" -- -batch "$b"
{ printf 'state count #'; rep x 100000; } >"$b"
bad "-batch: a comment of 100 KB (no newline)" "line 1: syntax error: line longer" -- -batch "$b"
printf 'state count\0 bogus\n' >"$b"
bad "-batch: a NUL byte in a line" "NUL byte" -- -batch "$b"
{ printf 'state count'; rep ' x' 256; echo; } >"$b"
bad "-batch: 257 words" "too many words (max 256)" -- -batch "$b"
printf "%s aead '%s' %s 128\n" "$SA" "$(rep A 9000)" $KEY20 >"$b"
bad "-batch: aead name of 9000 bytes" "line 1: syntax error: aead name too long" -- -batch "$b"
bad "-batch: a directory" "Is a directory" -- -batch "$tmpd"
bad "-batch: no such file" "No such file" -- -batch "$tmpd/none"

# --atomic: in dry-run mode the parse pass alone; a syntax error anywhere
# stops it before anything would be sent; save's key placeholder is refused
printf '%s\n' 'state count' 'policy flush' >"$b"
good "-batch --atomic: parse pass" "" -- -batch --atomic "$b"
good "--atomic -batch: the same" "" -- --atomic -batch "$b"
printf '%s\n' 'policy flush' 'state count' 'state frobnicate' >"$b"
bad "-batch --atomic: a syntax error on line 3" "line 3: syntax error" -- -batch --atomic "$b"
bad "--atomic without -batch" "--atomic goes with -batch" -- --atomic state count
printf "%s aead 'rfc4106(gcm(aes))' @KEY@ 128\n" "$SA" >"$b"
bad "the key placeholder of espah save is refused" "placeholder" -- -batch "$b"
bad "save: no JSON" "not JSON" -- -j save
bad "save: unknown object" "unknown word" -- save frob
good "stats -o prometheus: counters, then the SAs" \
	"cmd STATS_GET flags request,ack|cmd SA_GET flags request,dump" -- stats -o prometheus
bad "stats -o: unknown format" "unknown output format" -- stats -o xml

echo "# $((n - failed)) passed, $failed failed"
[ $failed -eq 0 ]
