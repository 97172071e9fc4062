#!/bin/bash
# `make demo`: boot Debian's stock kernel in QEMU, load espah, bring up a
# tunnel between namespaces and show traffic and espah's counters.
set -euo pipefail
. "$(dirname "$0")/common.sh"
"$ESPAH_ROOT/scripts/deps.sh" >/dev/null
log "booting the stock kernel ($(stock_kver)) in QEMU; this takes a minute or two"
rc=0
"$ESPAH_ROOT/scripts/vm.sh" --kernel stock --timeout 900 --out "$ESPAH_ROOT/build/demo" \
	"$ESPAH_ROOT/scripts/guest/demo.sh" || rc=$?
cat "$ESPAH_ROOT/build/demo/script.log" 2>/dev/null
exit $rc
