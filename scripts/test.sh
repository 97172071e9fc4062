#!/bin/bash
# `make test`: every test layer, one summary line at the end.
#   scripts/test.sh [LAYER...]
# Layers: lint tool install kunit e2e-debug e2e-stock selfcheck (default: all).
# ESPAH_E2E="name ..." picks the end-to-end suites of both kernels
# (default: scripts/e2e/default, and for the debug kernel
# scripts/e2e/default-debug and default-debug2).
#
# The layers run in two lanes at once. The stock lane: the stock e2e
# suites, then a second debug boot for the suites of default-debug2, then
# the rig self-check's stock-kernel cases. The debug lane: the host layers
# (lint, tool, install), then a debug boot for KUnit and the suites of
# default-debug, then the self-check's debug-kernel cases. A guest's test
# scripts are mostly one shell at a time, so the two lanes use the two host
# cores that one would leave half idle.
# ESPAH_SERIAL=1 runs the lanes one after the other.
# ESPAH_SOAK=1 (`make soak`): every suite in both kernels
# (scripts/e2e/soak-debug and soak-debug2 add to the debug kernel's boots
# what make test leaves to the stock kernel) and the suites' larger sizes.
set -uo pipefail
. "$(dirname "$0")/common.sh"

layers=("$@")
[ ${#layers[@]} -gt 0 ] || layers=(lint tool install kunit e2e-debug e2e-stock selfcheck)
res="$ESPAH_ROOT/build/results"
rm -rf "$res"
mkdir -p "$res"
P=0 F=0 S=0

has() { [[ " ${layers[*]} " == *" $1 "* ]]; }

tally() { # tally LAYER KTAPFILE [EXIT_STATUS]
	local p f s
	read -r p f s < <("$ESPAH_ROOT/scripts/ktap-count.sh" "$2" "${3:-0}")
	P=$((P + p)) F=$((F + f)) S=$((S + s))
	printf '%-14s %4d passed, %d failed, %d skipped\n' "$1" "$p" "$f" "$s" | tee -a "$res/summary"
}

# suites_of BOOT: the e2e suites that boot runs (debug2: the second debug
# boot, see scripts/e2e/default-debug2; ESPAH_E2E runs in the first only)
suites_of() {
	local f="$ESPAH_ROOT/scripts/e2e/default"
	case $1 in
	debug) f="$ESPAH_ROOT/scripts/e2e/default-debug" ;;
	debug2) f="$ESPAH_ROOT/scripts/e2e/default-debug2" ;;
	esac
	if [ -n "${ESPAH_E2E:-}" ]; then
		[ "$1" = debug2 ] || echo "$ESPAH_E2E"
	else
		grep -v '^#' "$f"
		if [ "${ESPAH_SOAK:-0}" = 1 ] && [ -f "$ESPAH_ROOT/scripts/e2e/soak-$1" ]; then
			grep -v '^#' "$ESPAH_ROOT/scripts/e2e/soak-$1"
		fi
	fi
}

# guest_lane BOOT: one boot (stock, debug, or debug2: a second debug boot)
# running its e2e suites (and KUnit in the first debug boot if asked);
# leaves $res/lane-BOOT.rc and the out share, unless it had nothing to run.
guest_lane() {
	local kind=$1 kernel=${1%2} out="$ESPAH_ROOT/build/$1/e2e" first=() vrc
	if [ "$kind" = debug ] && has kunit; then first=(kunit); fi
	local e2e=()
	if has "e2e-$kernel"; then
		# shellcheck disable=SC2207
		e2e=($(suites_of "$kind"))
	fi
	[ ${#first[@]} -gt 0 ] || [ ${#e2e[@]} -gt 0 ] || return 0
	[ ${#e2e[@]} -eq 0 ] || e2e=(e2e "${e2e[@]}")
	# The first debug boot has one vCPU, the second (the concurrency
	# suites, scripts/e2e/default-debug2) two. Two guests of two vCPUs
	# each on the two host cores made the suites of both lanes 1.3 to 1.7
	# times slower than with a one-vCPU debug guest (measured; likely
	# vCPUs spinning on locks whose holders' threads are not running:
	# TCG has no paravirtual spinlocks).
	local cpus=2 s
	if [ "$kind" = debug ]; then
		cpus=1
		# a concurrency suite picked by ESPAH_E2E gets its two vCPUs
		for s in ${ESPAH_E2E:-}; do
			grep -qx "$s" "$ESPAH_ROOT/scripts/e2e/default-debug2" && cpus=2
		done
	fi
	"$ESPAH_ROOT/scripts/vm.sh" --kernel "$kernel" --no-build --timeout 3600 \
		--cpus $cpus --out "$out" "$ESPAH_ROOT/scripts/guest/suites.sh" "${first[@]}" "${e2e[@]}" \
		> "$res/$kind.vm" 2>&1
	vrc=$?
	echo $vrc > "$res/lane-$kind.rc"
}

# tally_lane KIND: KUnit (debug) and per-suite results of a guest lane.
tally_lane() {
	local kind=$1 kernel=${1%2} out="$ESPAH_ROOT/build/$1/e2e" vrc grc found=0 tap name
	vrc=$(cat "$res/lane-$kind.rc" 2>/dev/null || echo 125)
	# Exit 1 is suites.sh saying a suite failed (counted per suite);
	# anything else is the guest itself failing (hang, crash, leak).
	grc=$vrc
	[ "$vrc" -ne 1 ] || grc=0
	if [ "$kind" = debug ] && has kunit; then
		"$ESPAH_ROOT/scripts/kunit-parse.sh" "$out/kunit.log" > "$res/kunit.tap" 2>&1
		tally kunit "$res/kunit.tap" "$grc"
	fi
	if has "e2e-$kernel"; then
		for tap in "$out"/e2e-*.tap; do
			[ -f "$tap" ] || continue
			found=1
			name=${tap##*/e2e-}
			name=${name%.tap}
			cp "$tap" "$res/e2e-$kind-$name.tap"
			tally "$kernel:$name" "$tap" "$(cat "${tap%.tap}.rc" 2>/dev/null || echo 1)"
		done
	else
		found=1
	fi
	if [ "$grc" -ne 0 ] || [ $found = 0 ]; then
		echo "not ok 1 - $kind guest (vm.sh exit $vrc)" > "$res/$kind-guest.tap"
		tally "$kind:vm" "$res/$kind-guest.tap" 1
		tail -30 "$res/$kind.vm"
	fi
}

# The guests boot with mitigations=off: under TCG the stock kernel's
# Spectre v2 retpolines and RSB filling cost its guest a fifth of its
# host CPU time (measured: 153 s against 121 s for the same four suites),
# which the other lane's guest then lacks. The kernel and espah are the
# same; `make bench` boots with the default mitigations. (The debug
# kernel is built without them.)
export ESPAH_APPEND=${ESPAH_APPEND-mitigations=off}

log "installing dependencies"
"$ESPAH_ROOT/scripts/deps.sh" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
# the debug tree: lint (W=1, sparse), KUnit, debug e2e, self-check
if has lint || has kunit || has e2e-debug || has selfcheck; then
	log "debug kernel"
	"$ESPAH_ROOT/scripts/kernel-debug.sh" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
fi

# Build for both kernels before the lanes start (they share the tool;
# the install layer uses the stock build).
builds=()
if has kunit || has e2e-debug || has selfcheck; then builds+=(debug); fi
if has e2e-stock || has selfcheck || has install; then builds+=(stock); fi
# With lint, these builds are lint's too: W=1 (and sparse, C=2, on the
# debug tree), every file compiled afresh, each module build's output in
# build/KIND/modules.log for scripts/lint.sh (ESPAH_LINT_BUILT), which
# would otherwise build both once more (two minutes of the debug lane).
export ESPAH_LINT_BUILT=
if has lint && [ ${#builds[@]} -eq 2 ]; then ESPAH_LINT_BUILT=1; fi
for kind in "${builds[@]}"; do
	log "build $kind"
	extra=()
	if [ -n "$ESPAH_LINT_BUILT" ]; then
		extra=(W=1)
		[ "$kind" = debug ] && extra+=(C=2)
		rm -rf "$ESPAH_ROOT/build/$kind/src"
	fi
	if ! "$ESPAH_ROOT/scripts/build.sh" "$kind" "${extra[@]}" > "$res/build-$kind.log" 2>&1; then
		echo "not ok 1 - build for $kind" > "$res/build-$kind.tap"
		tally "build:$kind" "$res/build-$kind.tap" 1
		cat "$res/build-$kind.log"
	fi
done

host_layers() {
	if has lint; then
		log "layer lint"
		"$ESPAH_ROOT/scripts/lint.sh" > "$res/lint.tap" 2>&1
		tally lint "$res/lint.tap" $?
	fi
	# The tool: the parser self-test against the normal build, then against
	# the ASan/UBSan build (espah-asan), then the fuzz corpus against that one;
	# the printer self-test on recorded replies (espah-replay), under ASan/UBSan.
	if has tool; then
		log "layer tool"
		tool=$ESPAH_ROOT/tools/espah
		if make -s -j"$(nproc)" -C "$tool" espah espah-asan espah-replay-asan \
			> "$res/tool-build.log" 2>&1; then
			"$tool/test-parse.sh" "$tool/espah" > "$res/tool.tap" 2>&1
			tally tool "$res/tool.tap" $?
			"$tool/test-parse.sh" "$tool/espah-asan" > "$res/tool-asan.tap" 2>&1
			tally tool:asan "$res/tool-asan.tap" $?
			# (half its default cases: 105 s of the debug lane's
			# head; make soak: twice the default)
			scale=0.5
			[ "${ESPAH_SOAK:-0}" = 1 ] && scale=2
			"$tool/fuzz.py" --scale $scale "$tool/espah-asan" > "$res/tool-fuzz.tap" 2>&1
			tally tool:fuzz "$res/tool-fuzz.tap" $?
			"$tool/test-print.sh" "$tool/espah-replay-asan" > "$res/tool-print.tap" 2>&1
			tally tool:print "$res/tool-print.tap" $?
		else
			{
				echo "not ok 1 - build espah, espah-asan and espah-replay-asan"
				sed 's/^/# /' "$res/tool-build.log" | head -40
			} > "$res/tool.tap"
			tally tool "$res/tool.tap" 1
		fi
	fi

	# Install, DKMS, packages (scripts/install-check.sh), on the host: needs
	# the stock build (above); leaves build/deb/*.deb for the self-check's
	# guest.
	if has install; then
		log "layer install"
		if [ -f "$ESPAH_ROOT/build/stock/espah.ko" ]; then
			"$ESPAH_ROOT/scripts/install-check.sh" > "$res/install.tap" 2>&1
			tally install "$res/install.tap" $?
		else
			echo "not ok 1 - build for stock" > "$res/install.tap"
			tally install "$res/install.tap" 1
		fi
	fi
}

# The stock lane runs in the background; the host layers and the debug
# lane in the foreground, where the tallies are kept. The self-check needs
# the packages the install layer built (build/deb). Measured in session
# 11: see the README's "Measured".
debug_lane() {
	host_layers
	if has kunit || has e2e-debug; then guest_lane debug; fi
	# (checkout, a stock guest, here too: it needs the install layer's
	# packages, and this lane ends earlier without it)
	if has selfcheck; then selfcheck debug "fail warn checkout"; fi
}
stock_lane() {
	if has e2e-stock; then guest_lane stock; fi
	if has e2e-debug; then guest_lane debug2; fi
	if has selfcheck; then selfcheck stock "hang"; fi
}
# selfcheck PART CASES: the rig's self-check cases of one kernel
# (scripts/selfcheck.sh; the checkout case needs the install layer's
# packages, built at the debug lane's start)
selfcheck() {
	log "self-check ($1)"
	ESPAH_SELFCHECK=$2 "$ESPAH_ROOT/scripts/selfcheck.sh" > "$res/selfcheck-$1.tap" 2>&1
	echo $? > "$res/selfcheck-$1.rc"
}
log "lanes: host layers and guests"
if [ "${ESPAH_SERIAL:-0}" = 1 ]; then
	debug_lane
	stock_lane
else
	stock_lane &
	spid=$!
	debug_lane
	wait $spid
fi
log "guest lanes done"
if has kunit || has e2e-debug; then tally_lane debug; fi
if [ -f "$res/lane-debug2.rc" ]; then tally_lane debug2; fi
if has e2e-stock; then tally_lane stock; fi
if has selfcheck; then
	for part in debug stock; do
		tally "selfcheck:$part" "$res/selfcheck-$part.tap" \
			"$(cat "$res/selfcheck-$part.rc" 2>/dev/null || echo 1)"
	done
fi
for l in "${layers[@]}"; do
	case $l in
	lint|tool|install|kunit|e2e-debug|e2e-stock|selfcheck) ;;
	*) echo "unknown layer $l" >&2; F=$((F + 1)) ;;
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
