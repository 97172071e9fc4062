#!/bin/bash
# The rig tests itself: each planted fault must make the rig report failure.
# KTAP output; each case passes only if the fault was caught, by the same
# code paths `make test` uses (vm.sh, kunit-parse.sh, ktap-count.sh).
set -uo pipefail
. "$(dirname "$0")/common.sh"

vm="$ESPAH_ROOT/scripts/vm.sh"
base="$ESPAH_ROOT/build/selfcheck"
# (make test runs the debug cases and the stock ones in its two lanes)
[ -z "${ESPAH_SELFCHECK:-}" ] || base="$base-${ESPAH_SELFCHECK// /-}"
rig="$ESPAH_ROOT/scripts/guest/rig.sh"
n=0 failed=0
expect() { # expect NAME CAUGHT(0 = caught)
	n=$((n + 1))
	if [ "$2" = 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; failed=1; fi
}
# ESPAH_SELFCHECK="NAME..." runs only those cases (fail warn hang checkout)
want() { [ -z "${ESPAH_SELFCHECK:-}" ] || [[ " $ESPAH_SELFCHECK " == *" $1 "* ]]; }
rm -rf "$base"
mkdir -p "$base"

if want fail; then
# 1+2. One boot: a failing KUnit case and a leaked allocation.
ESPAH_KUNIT_ARGS="rig_fail=1 rig_leak=1" "$vm" --kernel debug --cpus 1 --no-build --out "$base/fail" \
	"$rig" > "$base/fail.out" 2>&1
rc=$?
"$ESPAH_ROOT/scripts/kunit-parse.sh" "$base/fail/kunit.log" > "$base/fail.tap" 2>&1
read -r _ f _ < <("$ESPAH_ROOT/scripts/ktap-count.sh" "$base/fail.tap" 0)
grep -q '^not ok .* rig_canary' "$base/fail.tap"
expect "failing KUnit case is reported (failed=$f)" $(( $? != 0 || f == 0 ))
grep -q 'comm "kunit_try_catch"' "$base/fail/kmemleak.log" 2>/dev/null
expect "kmemleak report fails the run (vm.sh exit $rc)" $(( rc != 92 || $? != 0 ))

fi

# 3. A kernel warning (panic_on_warn) kills the guest and fails the run.
if want warn; then
ESPAH_KUNIT_ARGS=rig_warn=1 "$vm" --kernel debug --cpus 1 --no-build --out "$base/warn" "$rig" \
	> "$base/warn.out" 2>&1
rc=$?
grep -q 'rig_warn=1: warning on purpose' "$base/warn/console.log"
expect "kernel warning fails the run (vm.sh exit $rc)" $(( rc != 125 || $? != 0 ))

fi

# 4. A hung guest is killed and reported as a failure (the stock kernel
# boots in seconds, so a short timeout still lets the script start: it
# started 22 s after QEMU with the other lane busy, measured).
if want hang; then
"$vm" --kernel stock --no-build --timeout 40 --out "$base/hang" \
	"$ESPAH_ROOT/scripts/guest/hang.sh" > "$base/hang.out" 2>&1
rc=$?
grep -q 'hang.sh: started' "$base/hang/script.log" 2>/dev/null
expect "hung guest is killed and fails (vm.sh exit $rc)" $(( rc != 124 || $? != 0 ))
fi

# 5. The rig runs from a checkout anywhere: a clone of HEAD under /tmp
# (which the guest covers with a tmpfs) boots the stock kernel without
# loading espah and runs scripts/e2e/t_install.sh: plain insmod with
# netfilter's modules absent, traffic, make install + modprobe, and the
# Debian packages when build/deb has them (the install layer makes them).
# Its results count here, one by one.
if want checkout; then
co=$(mktemp -d /tmp/espah-checkout.XXXXXX)
git clone -q --shared "$ESPAH_ROOT" "$co/espah" 2> "$base/clone.err"
expect "clone of HEAD under $co" $?
mkdir -p "$co/espah/build/stock" "$co/espah/build/deb"
cp "$ESPAH_ROOT/build/stock/espah.ko" "$co/espah/build/stock/" 2>/dev/null
cp "$ESPAH_ROOT/tools/espah/espah" "$co/espah/tools/espah/" 2>/dev/null
cp "$ESPAH_ROOT"/build/deb/espah-*.deb "$co/espah/build/deb/" 2>/dev/null
t0=$(date +%s)
"$co/espah/scripts/vm.sh" --kernel stock --no-build --no-load --timeout 1200 \
	--out "$base/checkout" "$co/espah/scripts/e2e/t_install.sh" > "$base/checkout.out" 2>&1
rc=$?
expect "guest job from a checkout under /tmp (vm.sh exit $rc, $(( $(date +%s) - t0 )) s)" \
	$(( rc == 124 || rc == 125 || rc == 126 ))
grep -E '^(not )?ok [0-9]+ ' "$base/checkout/script.log" 2>/dev/null > "$base/checkout.tap"
[ -s "$base/checkout.tap" ]
expect "t_install.sh reported results" $?
while read -r st rest; do
	[ "$st" = ok ] && r=0 || r=1
	expect "t_install: ${rest#* - }" $r
done < <(sed 's/^not ok/not-ok/' "$base/checkout.tap")
rm -rf "$co"
fi
echo "1..$n"
exit $failed
