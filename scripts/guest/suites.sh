#!/bin/bash
# Guest side of `make test`: run the end-to-end suites and/or the KUnit
# module and leave their KTAP output in the job's out share.
#   suites.sh [kunit] [e2e [NAME...]]
# Each e2e suite runs with a freshly loaded espah (isolation), and its KTAP
# output goes to $OUT/e2e-NAME.tap with its exit status in $OUT/e2e-NAME.rc.
# KUnit runs last: its pcrypt cases leave pcrypt instances behind, which
# would then serve every later user of those algorithms in the boot.
OUT=/run/out
rc=0
kunit=0
if [ "$1" = kunit ]; then
	kunit=1
	shift
fi

if [ "$1" = e2e ]; then
	shift
	if [ $# -eq 0 ]; then
		set -- $(cd scripts/e2e && ls t_*.sh 2>/dev/null | sed 's/^t_//; s/\.sh$//')
	fi
	limit=600
	[ "$ESPAH_KIND" = debug ] && limit=1800
	for name in "$@"; do
		t=scripts/e2e/t_$name.sh
		echo "=== e2e $name ($ESPAH_KIND)"
		rmmod espah 2>/dev/null
		insmod "$ESPAH_BUILD/espah.ko" || { echo 1 > "$OUT/e2e-$name.rc"; rc=1; continue; }
		# a suite that hangs fails alone (KASAN/lockdep: 3x slower)
		timeout "$limit" "$t" > >(tee "$OUT/e2e-$name.tap") 2>"$OUT/e2e-$name.err"
		r=$?
		echo $r > "$OUT/e2e-$name.rc"
		[ $r -eq 0 ] || { rc=1; tail -20 "$OUT/e2e-$name.err"; }
		# Whatever a suite left behind must not leak into the next one.
		for ns in $(ip netns list | awk '{print $1}'); do ip netns del "$ns"; done
		rmmod espah || rc=1
	done
	insmod "$ESPAH_BUILD/espah.ko" || rc=1
fi

if [ $kunit = 1 ]; then
	dmesg -c > /dev/null
	# The suites run while the module initialises; their KTAP is in the log.
	insmod "$ESPAH_BUILD/espah_kunit.ko" || rc=1
	# shellcheck disable=SC2086
	insmod "$ESPAH_BUILD/espah_rig.ko" ${ESPAH_KUNIT_ARGS:-} || rc=1
	dmesg > "$OUT/kunit.log"
	rmmod espah_rig || rc=1
	rmmod espah_kunit || rc=1
fi
exit $rc
