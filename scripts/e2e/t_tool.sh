#!/bin/bash
# The espah tool against the real module: every SA/policy command, refusals
# with the kernel's extack message, monitor events, and a large multi-part
# dump (20 000 SAs on the stock kernel, some 150 dump parts; 500 under
# KASAN). 100 000 took 115 s of make test's stock lane and found nothing
# 20 000 does not; `make soak` runs that.
n=500
[ "${ESPAH_KIND:-}" = stock ] && n=20000
[ "${ESPAH_SOAK:-0}" = 1 ] && n=$((n * 5))
exec "$ESPAH_ROOT/tools/espah/test-guest.sh" "$n"
