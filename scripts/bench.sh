#!/bin/bash
# make bench: espah against native XFRM (esp4_offload/esp6_offload loaded)
# in one stock-kernel guest, interleaved runs, plus plaintext, plus memory
# per SA. Prints the table and writes it to build/bench/results.txt.
#
# Environment:
#   BENCH_RUNS=5        runs per configuration (medians are reported)
#   BENCH_TIME=5        seconds per iperf3 run
#   BENCH_ALGS=null,gcm,ike-gcm,natt-gcm  algorithms (null, gcm, cbc;
#                       ike-gcm: gcm's transform negotiated by strongSwan's
#                       charon on both sides, espah under it through the
#                       xfrm layer; natt-gcm: gcm in UDP 4500, RFC 3948)
#   BENCH_MODES=transport,tunnel  (or one of them)
#   BENCH_SAS=100000    SAs for the memory row (0: skip it)
#   BENCH_IMPLS=espah,native,plain  configurations to run (for development)
#   BENCH_TIMEOUT       guest timeout in seconds (default from the above)
#
# Timings are never asserted. Exit status is non-zero only when the harness
# failed: the guest hung or died, the guest job reported a harness error,
# or no results came back.
set -euo pipefail
. "$(dirname "$0")/common.sh"

runs=${BENCH_RUNS:-5}
t=${BENCH_TIME:-5}
algs=${BENCH_ALGS:-null,gcm,ike-gcm,natt-gcm}
modes=${BENCH_MODES:-transport,tunnel}
sas=${BENCH_SAS:-100000}
impls=${BENCH_IMPLS:-espah,native,plain}
algs=${algs// /,}
modes=${modes// /,}
impls=${impls// /,}
nalg=$(($(tr -cd , <<<"$algs" | wc -c) + 1))
nmode=$(($(tr -cd , <<<"$modes" | wc -c) + 1))
# Guest timeout: per run and configuration two iperf3 runs plus about 80 s
# of setup and checks under TCG on a busy host; the SA batches take about
# 10 ms per SA and implementation.
timeout=${BENCH_TIMEOUT:-$((600 + runs * nmode * nalg * 3 * (2 * t + 80) + sas / 25))}
out=$ESPAH_ROOT/build/bench

log "bench: runs=$runs time=${t}s algs=$algs modes=$modes impls=$impls sas=$sas timeout=${timeout}s"
rm -rf "$out" # never report a previous run's samples
set +e
"$ESPAH_ROOT/scripts/vm.sh" --kernel stock --timeout "$timeout" --out "$out" \
	"$ESPAH_ROOT/scripts/guest/bench.sh" \
	runs="$runs" time="$t" algs="$algs" modes="$modes" sas="$sas" impls="$impls"
rc=$?
set -e
if [ ! -s "$out/bench-raw.txt" ]; then
	echo "bench: no results came back (vm.sh exit $rc); see $out/console.log" >&2
	exit 1
fi
python3 "$ESPAH_ROOT/scripts/guest/bench_report.py" "$out/bench-raw.txt" \
	> "$out/results.txt"
echo
cat "$out/results.txt"
echo
echo "bench: raw samples $out/bench-raw.txt, guest log $out/script.log"
if [ $rc -ne 0 ]; then
	echo "bench: the run did not complete cleanly (vm.sh exit $rc); see $out/console.log" >&2
	exit 1
fi
