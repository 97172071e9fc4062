#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The espah tool against the real module, inside the test guest:
#   scripts/vm.sh [--kernel debug|stock] tools/espah/test-guest.sh [NSAS]
# Runs in a fresh network namespace. NSAS (default 20000) SAs are added in
# one -batch run to exercise large multi-part dumps.
# Output: KTAP lines, then "N passed, N failed". Exit 1 on any failure.

ESPAH=${ESPAH_TOOL:-$(dirname "$0")/espah}
NSAS=${1:-20000}
n=0
failed=0
T=$(mktemp -d)
trap 'rm -rf "$T"; ip netns del espah-tool 2>/dev/null' EXIT

report() {	# report PASS DESC
	n=$((n + 1))
	if [ "$1" = 1 ]; then
		echo "ok $n - $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2"
		sed 's/^/# stdout: /' "$T/out" 2>/dev/null | head -20
		sed 's/^/# stderr: /' "$T/err" 2>/dev/null | head -20
	fi
}

# ok DESC CMD... : CMD succeeds
ok() { local d=$1; shift; "$@" >"$T/out" 2>"$T/err"; report $((! $?)) "$d"; }
# fails DESC PATTERN CMD... : CMD exits 1 and stderr matches PATTERN
fails() {
	local d=$1 pat=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	local rc=$?
	[ $rc -eq 1 ] && matches "$pat" "$T/err"
	report $((! $?)) "$d"
}
# has DESC PATTERN : the last stdout matches PATTERN
has() { matches "$2" "$T/out"; report $((! $?)) "$1"; }
# matches ERE FILE: a line of FILE matches ERE (grep -qE in the shell: a
# process start costs up to a second in the debug guest)
matches() {
	local l
	while IFS= read -r l || [ -n "$l" ]; do
		[[ $l =~ $1 ]] && return 0
	done < "$2"
	return 1
}
# json DESC JQEXPR : the last stdout is one JSON document for which JQEXPR
# is true (jq, not python3: a python3 start costs seconds in the debug guest)
json() {
	jq -e -s --argjson n "$NSAS" "length == 1 and (.[0] | $2)" "$T/out" \
		>/dev/null 2>>"$T/err"
	report $((! $?)) "$1"
}

E() { "$ESPAH" -n espah-tool "$@"; }

echo "KTAP version 1"
# with vm.sh --no-load: load the module (and what it depends on) ourselves
if ! grep -q '^espah ' /proc/modules && [ -n "$ESPAH_BUILD" ]; then
	for dep in $(modinfo -F depends "$ESPAH_BUILD/espah.ko" | tr , ' '); do
		modprobe "$dep" || echo "# modprobe $dep failed"
	done
	insmod "$ESPAH_BUILD/espah.ko" || { echo "Bail out! cannot load espah.ko"; exit 1; }
fi
ip netns add espah-tool || { echo "Bail out! cannot create a netns"; exit 1; }
ip -n espah-tool link set lo up
ip -n espah-tool link add d0 type dummy
ip -n espah-tool addr add 192.0.2.1/24 dev d0
ip -n espah-tool addr add 2001:db8::1/64 dev d0 nodad
ip -n espah-tool link set d0 up

K20=0x0102030405060708090a0b0c0d0e0f1011121314
K16=0x000102030405060708090a0b0c0d0e0f
K32=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

ok "features" E features
sed 's/^/# /' "$T/out"
has "features: version line" '^version '
has "features: flags line (ESP, AH, ESN, hold...)" '^features esp ah bundle esn .*acquire hold reorder stat-proc mss-clamp xfrm natt key-export natt-mapping natt-keepalive tunhdr tfc icmp tmpl-optional wildrecv natt-nonike mark xfrmi dummy$'
has "features: hold-max 100" '^hold-max 100$'
ok "-j features" E -j features
json "-j features: JSON with version" 'has("version")'
json "-j features: flags and hold-max" \
	'(.features | index("hold") != null and index("async") != null) and .["hold-max"] == 100'

ok "state add out (src local, no dir)" E state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 \
	mode tunnel reqid 1 replay-window 64 aead 'rfc4106(gcm(aes))' $K20 128
fails "state add duplicate: File exists" 'File exists' E state add src 192.0.2.1 dst 192.0.2.2 \
	proto esp spi 0x1000 aead 'rfc4106(gcm(aes))' $K20 128
ok "state get" E state get dst 192.0.2.2 proto esp spi 0x1000
has "state get: dir out inferred" 'proto esp spi 0x00001000 reqid 1 mode tunnel dir out'
ok "state add in, enc + auth-trunc, esn" E state add src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x2000 \
	replay-window 128 flag esn enc 'cbc(aes)' $K16 auth-trunc 'hmac(sha256)' $K32 128
ok "state add ipv6 ah (compat name sha1)" E state add src 2001:db8::2 dst 2001:db8::1 proto ah spi 0x3000 \
	auth sha1 0x000102030405060708090a0b0c0d0e0f10111213
ok "state list" E -s state list
sed 's/^/# /' "$T/out"
has "state list: in SA" 'spi 0x00002000 .*dir in'
has "state list: auth-trunc line" 'auth-trunc hmac\(sha256\) 128'
ok "-s -j state list" E -s -j state list
json "-s -j state list: 3 SAs with stats" 'length == 3 and all(.[]; has("stats"))'
json "inbound SA without replay-window: window 64 (off only when asked)" \
	'[.[] | select(.spi == 12288) | .["replay-window"]] == [64]'
ok "state count" E state count
has "state count: 3" 'SAD count 3'
fails "bad algorithm: kernel error with extack text" '^espah: [^:]+: .+' \
	E state add src 192.0.2.1 dst 192.0.2.9 proto esp spi 0x4000 dir out aead 'nonexistent(alg)' $K20 128
ok "state update" E state update src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 mode tunnel reqid 9 \
	aead 'rfc4106(gcm(aes))' $K20 128
ok "state get after update" E state get dst 192.0.2.2 proto esp spi 0x1000
has "state update: reqid changed" 'reqid 9'
ok "state delete" E state delete dst 192.0.2.2 proto esp spi 0x1000
ok "state add in with replay-window 0" E state add src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x2100 \
	replay-window 0 aead 'rfc4106(gcm(aes))' $K20 128
ok "-j state get" E -j state get dst 192.0.2.1 proto esp spi 0x2100
json "explicit replay-window 0 stays 0" \
	'(if type == "array" then .[0] else . end) | .["replay-window"] == 0'
ok "state delete the window-0 SA" E state delete dst 192.0.2.1 proto esp spi 0x2100
fails "state get deleted: error" '^espah: ' E state get dst 192.0.2.2 proto esp spi 0x1000
ok "state flush proto ah" E state flush proto ah
ok "state count" E -j state count
json "state count after delete + flush ah: 1" '.count == 1'

# Requests the tool never builds (nlraw.py): an attribute of another command
# is refused, with an extack message naming it, and does nothing. Numbers:
# commands 3 SA_DEL, 4 SA_GET, 5 SA_FLUSH, 11 POL_FLUSH, 13 FEATURES_GET;
# attributes 1 SA_SPI, 2 SA_PROTO, 5 SA_FAMILY, 7 SA_DST, 12 SA_ENC_KEY,
# 22 POL_DIR, 27 POL_INDEX.
R() { ip netns exec espah-tool /usr/bin/python3 "$(dirname "$0")/nlraw.py" "$@"; }
# raw DESC PATTERN ARGS... : nlraw.py ARGS prints a line matching PATTERN
raw() {
	local d=$1 pat=$2
	shift 2
	R "$@" >"$T/out" 2>"$T/err" && matches "$pat" "$T/out"
	report $((! $?)) "$d"
}
ID=(1:be32:0x2000 2:u8:50 5:u16:2 7:hex:c0000201)
raw "raw SA_GET of the inbound SA: accepted" '^errno 0$' 4 "${ID[@]}"
raw "SA_FLUSH with SA_SPI: refused" '^errno 22$' 5 1:be32:0x2000
has "SA_FLUSH with SA_SPI: extack names ESPAH_A_SA_SPI" \
	'^msg ESPAH_A_SA_SPI: not an attribute of ESPAH_CMD_SA_FLUSH$'
has "SA_FLUSH with SA_SPI: the offset points at it" '^offs 20$'
raw "SA_GET with SA_ENC_KEY: refused, extack names it" \
	'^msg ESPAH_A_SA_ENC_KEY: not an attribute of ESPAH_CMD_SA_GET$' \
	4 "${ID[@]}" 12:hex:00112233
raw "SA_DEL with POL_DIR: refused, extack names it" \
	'^msg ESPAH_A_POL_DIR: not an attribute of ESPAH_CMD_SA_DEL$' 3 "${ID[@]}" 22:u8:1
raw "POL_FLUSH with SA_PROTO: refused, extack names it" \
	'^msg ESPAH_A_SA_PROTO: not an attribute of ESPAH_CMD_POL_FLUSH$' 11 2:u8:50
raw "FEATURES_GET with POL_INDEX: refused, extack names it" \
	'^msg ESPAH_A_POL_INDEX: not an attribute of ESPAH_CMD_FEATURES_GET$' 13 27:u32:1
raw "SA_ADD with a reply-only attribute (SA_LIFETIME/LFT_ADD_TIME): refused" \
	'^msg ESPAH_LFT_ADD_TIME: reply only$' 1 "${ID[@]}" 33:nest:10/u64/1
ok "state count" E -j state count
json "the refused flush and delete did nothing: 1 SA" '.count == 1'
ok "state flush" E state flush

ok "policy add protect" E policy add src 10.1.0.0/16 dst 10.2.0.0/16 dir out \
	tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel reqid 1
ok "policy add bypass" E policy add src 0.0.0.0/0 dst 0.0.0.0/0 proto udp dport 500 dir in priority 10
ok "policy add block (fwd)" E policy add src 10.9.0.0/16 dst any dir fwd action block
fails "policy add duplicate: File exists" 'File exists' E policy add src 10.9.0.0/16 dst any dir fwd action block
ok "policy list" E policy list
sed 's/^/# /' "$T/out"
has "policy list: tmpl" 'tmpl src 192.0.2.1 dst 192.0.2.2'
has "policy list: block" 'dir fwd .*action block'
ok "-j policy list" E -j policy list
json "-j policy list: 3 policies, actions" \
	'[.[].action] | sort == ["bypass", "discard", "protect"]'
idx=$(jq -r '[.[] | select(.action == "discard") | .index][0]' "$T/out" 2>/dev/null)
ok "policy get by selector" E policy get src 10.1.0.0/16 dst 10.2.0.0/16 dir out
ok "policy delete by index ($idx)" E policy delete index "${idx:-0}"
ok "policy delete by selector" E policy delete src 0.0.0.0/0 dst 0.0.0.0/0 proto udp dport 500 dir in
ok "-j policy list" E -j policy list
json "one policy left" 'length == 1'
ok "policy flush" E policy flush

ok "stats" E stats
sed 's/^/# /' "$T/out"
has "stats: in-no-sa" '^in-no-sa '
ok "-j stats" E -j stats
json "-j stats: JSON object" 'has("in-packets")'

# monitor: events as JSON lines
"$ESPAH" -n espah-tool -j monitor >"$T/mon" 2>"$T/monerr" &
mon=$!
sleep 1
E state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x5000 aead 'rfc4106(gcm(aes))' $K20 128
E state delete dst 192.0.2.2 proto esp spi 0x5000
E policy add src 10.1.0.0/16 dst 10.2.0.0/16 dir out action block
E policy flush
sleep 1
kill $mon 2>/dev/null
wait $mon 2>/dev/null
sed 's/^/# /' "$T/mon"
cp "$T/mon" "$T/out"
cp "$T/monerr" "$T/err"
jq -e -s '[.[].event] as $e | all("sa-add", "sa-del", "policy-add"; IN($e[]))' \
	"$T/mon" >/dev/null 2>>"$T/err"
report $((! $?)) "monitor -j: sa-add, sa-del, policy-add events"

# a large SAD: NSAS SAs through one -batch, then multi-part dumps
awk -v n="$NSAS" 'BEGIN {
	for (i = 0; i < n; i++)
		printf "state add src 192.0.2.1 dst 198.%d.%d.%d proto esp spi %d dir out enc cipher_null \047\047 auth sha1 0x000102030405060708090a0b0c0d0e0f10111213\n", 18 + int(i / 65536) % 2, int(i / 256) % 256, i % 256, 65536 + i
}' >"$T/batch"
start=$SECONDS
ok "batch add of $NSAS SAs" E -batch "$T/batch"
echo "# batch add took $((SECONDS - start)) s"
ok "count" E -j state count
json "count == $NSAS" '.count == $n'
start=$SECONDS
E state list >"$T/out" 2>"$T/err"
report $(( $(grep -c '^src ' "$T/out") == NSAS )) "text dump of $NSAS SAs is complete"
echo "# text dump took $((SECONDS - start)) s"
start=$SECONDS
ok "-j dump" E -j state list
echo "# -j dump took $((SECONDS - start)) s"
start=$SECONDS
# python3's json parser, not jq: on the stock guest jq took ~35 s over
# this document (tens of MB), python3 (start-up included) a fraction of it
/usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(len({s["spi"] for s in d}) != int(sys.argv[2]))' "$T/out" "$NSAS" 2>>"$T/err"
report $((! $?)) "-j dump: $NSAS distinct SPIs"
echo "# its check took $((SECONDS - start)) s"
ok "flush" E state flush
ok "count after flush" E -j state count
json "count == 0" '.count == 0'

# the message when the module is absent (then load it back)
if rmmod espah 2>/dev/null; then
	fails "module not loaded message" "module not loaded \\(generic netlink family 'espah' not found\\)" \
		"$ESPAH" features
	insmod "$ESPAH_BUILD/espah.ko" || echo "# could not reload espah.ko"
else
	report 0 "module not loaded message: rmmod espah failed (module in use?)"
fi

echo "# suite took $SECONDS s"
echo "# $((n - failed)) passed, $failed failed"
[ $failed -eq 0 ]
