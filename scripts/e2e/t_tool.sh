#!/bin/bash
# The espah tool against the real module: every SA/policy command, refusals
# with the kernel's extack message, monitor events, and a large multi-part
# dump (100 000 SAs on the stock kernel, 2 000 under KASAN).
n=2000
[ "${ESPAH_KIND:-}" = stock ] && n=100000
exec "$ESPAH_ROOT/tools/espah/test-guest.sh" "$n"
