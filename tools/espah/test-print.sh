#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side self-test of the espah tool's printers: needs no kernel. Runs
# espah-replay (the tool with its netlink socket replaced by replies read
# from a file, see replay.c) on the replies that testdata/replies.py builds
# (SAs, policies, counters, features, every event) and compares text and
# JSON output, stdout and stderr, with testdata/print.expected.
#
# Usage: test-print.sh [path/to/espah-replay] [--update]
# Output: "ok N - ..." / "not ok N - ..." lines (with a diff), a summary.
# Exit status: 0 if every case passed, 1 otherwise. --update rewrites
# testdata/print.expected from the current output instead.

here=$(cd "$(dirname "$0")" && pwd)
REPLAY=${1:-$here/espah-replay}
update=0
[ "${2:-}" = --update ] && update=1
expected=$here/testdata/print.expected
export LC_ALL=C
unset ESPAH_DRY_RUN

tmpd=$(mktemp -d)
trap 'rm -rf "$tmpd"' EXIT
python3 "$here/testdata/replies.py" "$here/../../include/uapi/linux/espah.h" "$tmpd" ||
	{ echo "not ok 1 - build the replies"; echo "# 0 passed, 1 failed"; exit 1; }
# stats -o prometheus asks for the counters, then the SAs: both in one file
cat "$tmpd/stats.bin" "$tmpd/sa.bin" > "$tmpd/prom.bin"

# FILE ARGS... per case; every case runs as text, -j, -s and -s -j.
# The usage texts too: they now stand beside their commands.
cases=(
	"sa.bin state list"
	"sa.bin state list dir in"
	"sa.bin state list proto esp reqid 7"
	"sa1.bin state get dst 10.0.0.2 proto esp spi 0x1001"
	"pol.bin policy list"
	"pol.bin policy list dir out"
	"pol1.bin policy get index 8"
	"stats.bin stats"
	"nostats.bin stats"
	"features.bin features"
	"features0.bin features"
	"count.bin state count"
	"nocount.bin state count"
	"events.bin monitor"
	"count.bin help"
	"count.bin state help"
	"count.bin policy help"
	"count.bin stats help"
	"count.bin features help"
	"count.bin monitor help"
	"count.bin -V"
	"sa.bin save state"
	"sakeys.bin save state keys"
	"pol.bin save policy"
	"pol.bin save help"
	"prom.bin stats -o prometheus"
)

# one case's output: stdout, then stderr after a marker
run_case() {	# FILE ARGS...
	local f=$1
	shift
	ESPAH_REPLAY=$tmpd/$f "$REPLAY" "$@" >"$tmpd/out" 2>"$tmpd/err"
	echo "rc $?"
	cat "$tmpd/out"
	echo "-- stderr"
	cat "$tmpd/err"
}

n=0
failed=0
: >"$tmpd/all"
for c in "${cases[@]}"; do
	read -r -a w <<<"$c"
	for o in "" "-j" "-s" "-s -j"; do
		# shellcheck disable=SC2086
		title="${w[*]:1}${o:+ ($o)} < ${w[0]}"
		{ echo "=== $title"; run_case "${w[0]}" $o "${w[@]:1}"; } >"$tmpd/case"
		cat "$tmpd/case" >>"$tmpd/all"
		[ $update = 1 ] && continue
		n=$((n + 1))
		awk -v t="=== $title" '$0 == t { on = 1; print; next }
			/^=== / { on = 0 } on' "$expected" >"$tmpd/want"
		if cmp -s "$tmpd/want" "$tmpd/case"; then
			echo "ok $n - $title"
		else
			failed=$((failed + 1))
			echo "not ok $n - $title"
			diff -u "$tmpd/want" "$tmpd/case" | head -40 | sed 's/^/# /'
		fi
	done
done
# The Prometheus output passes a strict parser of the exposition format,
# which itself refuses what node_exporter would.
if [ $update = 0 ]; then
	ESPAH_REPLAY=$tmpd/prom.bin "$REPLAY" stats -o prometheus > "$tmpd/prom" 2>/dev/null
	n=$((n + 1))
	if "$here/promcheck.py" "$tmpd/prom" espah_in_no_sa_total espah_sa_packets_total \
		espah_sa_drops_total espah_sa_reorder_packets_total > "$tmpd/pc"; then
		echo "ok $n - stats -o prometheus: $(tail -1 "$tmpd/pc")"
	else
		failed=$((failed + 1))
		echo "not ok $n - stats -o prometheus"
		sed 's/^/# /' "$tmpd/pc" | head -20
	fi
	for bad in 's/^# TYPE espah_sa_bytes_total counter$//' \
		'0,/^espah_sas{/s/^espah_sas{.*/&\n&/' 's/reason="replay"/reason="re"play"/' \
		'/^# HELP espah_sa_packets_total/,$s/^espah_in_packets_total.*//;$a espah_in_packets_total{netns=""} 1'; do
		n=$((n + 1))
		sed -e "$bad" "$tmpd/prom" > "$tmpd/prom.bad"
		if cmp -s "$tmpd/prom" "$tmpd/prom.bad" || "$here/promcheck.py" "$tmpd/prom.bad" > /dev/null; then
			failed=$((failed + 1))
			echo "not ok $n - promcheck refuses a broken exposition ($bad)"
		else
			echo "ok $n - promcheck refuses a broken exposition ($bad)"
		fi
	done
fi
if [ $update = 1 ]; then
	cp "$tmpd/all" "$expected"
	echo "# wrote $expected"
	exit 0
fi
echo "# $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
