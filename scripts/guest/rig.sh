#!/bin/bash
# Rig self-check job: load only the canary module, with the planted faults
# named in ESPAH_KUNIT_ARGS (rig_fail=1, rig_warn=1, rig_leak=1).
OUT=/run/out
dmesg -c > /dev/null
# shellcheck disable=SC2086
insmod "$ESPAH_BUILD/espah_rig.ko" ${ESPAH_KUNIT_ARGS:-}
dmesg > "$OUT/kunit.log"
rmmod espah_rig
