#!/bin/bash
# `make test`: every test layer, one summary line at the end.
#   scripts/test.sh [--quick] [LAYER...]
# Layers: lint tool kunit e2e-debug e2e-stock selfcheck (default: all).
# ESPAH_E2E="name ..." picks the end-to-end suites (default: scripts/e2e/default).
set -uo pipefail
. "$(dirname "$0")/common.sh"

layers=("$@")
[ ${#layers[@]} -gt 0 ] || layers=(lint tool kunit e2e-debug e2e-stock selfcheck)
res="$ESPAH_ROOT/build/results"
rm -rf "$res"
mkdir -p "$res"
P=0 F=0 S=0

tally() { # tally LAYER KTAPFILE [EXIT_STATUS]
	local p f s
	read -r p f s < <("$ESPAH_ROOT/scripts/ktap-count.sh" "$2" "${3:-0}")
	P=$((P + p)) F=$((F + f)) S=$((S + s))
	printf '%-12s %4d passed, %d failed, %d skipped\n' "$1" "$p" "$f" "$s" | tee -a "$res/summary"
}

# KUnit results of a debug guest run whose out share is build/debug/e2e.
tally_kunit() {
	"$ESPAH_ROOT/scripts/kunit-parse.sh" "$ESPAH_ROOT/build/debug/e2e/kunit.log" \
		> "$res/kunit.tap" 2>&1
	tally kunit "$res/kunit.tap" "$1"
}

log "installing dependencies"
"$ESPAH_ROOT/scripts/deps.sh" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
log "debug kernel"
"$ESPAH_ROOT/scripts/kernel-debug.sh" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }

e2e_suites=${ESPAH_E2E:-$(grep -v '^#' "$ESPAH_ROOT/scripts/e2e/default")}

for layer in "${layers[@]}"; do
	log "layer $layer"
	case $layer in
	lint)
		"$ESPAH_ROOT/scripts/lint.sh" > "$res/lint.tap" 2>&1
		tally lint "$res/lint.tap" $?
		;;
	tool)
		make -s -C "$ESPAH_ROOT/tools/espah" >/dev/null &&
			"$ESPAH_ROOT/tools/espah/test-parse.sh" "$ESPAH_ROOT/tools/espah/espah" \
			> "$res/tool.tap" 2>&1
		tally tool "$res/tool.tap" $?
		;;
	kunit)
		# When e2e-debug runs too, both share one debug boot (see below).
		if [[ " ${layers[*]} " == *" e2e-debug "* ]]; then
			continue
		fi
		"$ESPAH_ROOT/scripts/vm.sh" --kernel debug --out "$ESPAH_ROOT/build/debug/e2e" \
			"$ESPAH_ROOT/scripts/guest/suites.sh" kunit > "$res/kunit.vm" 2>&1
		vrc=$?
		tally_kunit $vrc
		;;
	e2e-debug|e2e-stock)
		kind=${layer#e2e-}
		out="$ESPAH_ROOT/build/$kind/e2e"
		first=()
		if [ "$kind" = debug ] && [[ " ${layers[*]} " == *" kunit "* ]]; then
			first=(kunit)
		fi
		# shellcheck disable=SC2086
		"$ESPAH_ROOT/scripts/vm.sh" --kernel "$kind" --timeout 2400 --out "$out" \
			"$ESPAH_ROOT/scripts/guest/suites.sh" "${first[@]}" e2e $e2e_suites \
			> "$res/$layer.vm" 2>&1
		vrc=$?
		# Exit 1 is suites.sh saying a suite failed (counted per suite);
		# anything else is the guest itself failing (hang, crash, leak).
		grc=$vrc
		[ $vrc -ne 1 ] || grc=0
		[ ${#first[@]} -eq 0 ] || tally_kunit $grc
		: > "$res/$layer.tap"
		found=0
		for tap in "$out"/e2e-*.tap; do
			[ -f "$tap" ] || continue
			found=1
			name=${tap##*/e2e-}
			name=${name%.tap}
			tally "$kind:$name" "$tap" "$(cat "${tap%.tap}.rc" 2>/dev/null || echo 1)"
		done
		if [ $grc -ne 0 ] || [ $found = 0 ]; then
			# The VM itself failed (crash, hang, leak, kernel report): a failure of its own.
			echo "not ok 1 - $kind guest (vm.sh exit $vrc)" > "$res/$layer.tap"
			tally "$kind:vm" "$res/$layer.tap" 1
			tail -30 "$res/$layer.vm"
		fi
		;;
	selfcheck)
		"$ESPAH_ROOT/scripts/selfcheck.sh" > "$res/selfcheck.tap" 2>&1
		tally selfcheck "$res/selfcheck.tap" $?
		;;
	*)
		echo "unknown layer $layer" >&2
		F=$((F + 1))
		;;
	esac
done

for f in "$res"/*.tap; do
	grep -q '^not ok' "$f" && { echo "--- failures in ${f##*/}:"; grep '^not ok' "$f"; }
done
echo
cat "$res/summary" 2>/dev/null
if [ $((P + F)) -eq 0 ]; then
	echo "no test ran"
	F=1
fi
echo "$P passed, $F failed, $S skipped"
[ $F -eq 0 ]
