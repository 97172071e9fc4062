#!/bin/bash
# Parse a guest kernel log with the kernel tree's kunit.py and turn its
# verdict into flat KTAP lines (one per test case) for the summary.
#   kunit-parse.sh KERNEL_LOG
set -uo pipefail
. "$(dirname "$0")/common.sh"

log=${1:?usage: kunit-parse.sh KERNEL_LOG}
[ -s "$log" ] || { echo "not ok 1 - no kernel log from the KUnit run"; exit 1; }
kunit="$(debug_kdir)/tools/testing/kunit/kunit.py"
parsed=$(mktemp)
trap 'rm -f "$parsed"' EXIT
python3 "$kunit" parse "$log" > "$parsed" 2>&1
prc=$?
sed 's/^/# /' "$parsed"
# One flat line per case: "[PASSED] case", "[FAILED] case", "[SKIPPED] case".
n=0
while IFS= read -r line; do
	n=$((n + 1))
	case "$line" in
	*'[PASSED]'*) echo "ok $n - ${line##*\] }" ;;
	*'[SKIPPED]'*) echo "ok $n - ${line##*\] } # SKIP" ;;
	*) echo "not ok $n - ${line##*\] }" ;;
	esac
done < <(sed 's/\x1b\[[0-9;]*m//g' "$parsed" | grep -E '^\[[0-9:]+\] +\[(PASSED|FAILED|SKIPPED|CRASHED)\] ')
echo "1..$n"
[ $n -gt 0 ] || exit 1
exit $prc
