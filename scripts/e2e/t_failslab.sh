#!/bin/bash
# Allocation failures (failslab, fail_page_alloc) injected into espah's
# control plane and datapath (debug kernel: CONFIG_FAULT_INJECTION,
# FAILSLAB, FAIL_PAGE_ALLOC, FAULT_INJECTION_DEBUG_FS).
#
#  A. SA and policy requests (every algorithm of scripts/fuzz/nlfuzz.c's
#     templates, replay windows up to 2^20, tunnel and transport, IPv4 and
#     IPv6) from nlfuzz -F, which sets /proc/self/make-it-fail only while
#     it sends a request and reads its reply (task-filter=Y): every
#     refusal carries an extack message, every accepted request is in the
#     dumps, a lost reply is resolved by asking again, and `espah -j state
#     list` / `policy list` show exactly the fuzzer's model.
#  B. The espah CLI with make-it-fail set for the whole process: exit 0
#     means the SA is there; any other exit prints an error; nothing appears
#     that was not asked for.
#  C. Traffic through an espah tunnel (gw1, native XFRM peer gw2) while
#     non-sleeping allocations fail anywhere (task-filter=N: softirq has no
#     task to filter on; ignore-gfp-wait=Y keeps process context mostly
#     untouched): the guest survives, traffic recovers once it stops.
#
# The run's end (suites.sh/guest-init) unloads espah and scans for leaks;
# vm.sh fails the run on any BUG/WARNING/KASAN report.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

FS=/sys/kernel/debug/failslab
FP=/sys/kernel/debug/fail_page_alloc
T=/tmp/failslab.$$
mkdir -p "$T"
MODPROBE=$(< /proc/sys/kernel/modprobe)
fi_off() {
	local d
	for d in $FS $FP; do
		[ -d $d ] || continue
		echo 0 > $d/probability
		echo 0 > $d/times
	done
}
trap 'fi_off; echo "$MODPROBE" > /proc/sys/kernel/modprobe; topo_down; ip netns del fz 2>/dev/null; ip netns del fz2 2>/dev/null; rm -rf "$T"' EXIT

if [ ! -d $FS ] || [ ! -d $FP ] || [ ! -e /proc/self/make-it-fail ]; then
	not_ok "fault injection available (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC, debugfs)"
	finish
	exit
fi
ok "fault injection available"

BUDGET=1000000
# fi_set DIR PROBABILITY INTERVAL TASK_FILTER IGNORE_GFP_WAIT: arm one
# injector with a budget of BUDGET failures (its `times` counts down)
fi_set() {
	local d=$1
	echo 1 > $d/verbose		# one line per failure, no stack
	echo 0 > $d/space
	echo "$3" > $d/interval
	echo "$4" > $d/task-filter
	echo "$5" > $d/ignore-gfp-wait
	echo $BUDGET > $d/times
	if [ $d = $FP ]; then
		echo N > $d/ignore-gfp-highmem
		echo 0 > $d/min-order
	else
		echo N > $d/cache-filter
	fi
	echo "$2" > $d/probability
}
# injected DIR: failures injected since fi_set
injected() { echo $((BUDGET - $(< "$1/times"))); }
TOT_S=0 TOT_P=0
# fi_count: failures injected since fi_set into FI_N (and the totals)
fi_count() {
	local s p
	s=$(injected $FS) p=$(injected $FP)
	TOT_S=$((TOT_S + s)) TOT_P=$((TOT_P + p))
	FI_LAST="failslab $s, fail_page_alloc $p"
	FI_N=$((s + p))
}

dmesg > "$T/dmesg0"
new_reports() {
	dmesg | tail -n +"$(($(wc -l < "$T/dmesg0") + 1))" |
		grep -E 'WARNING:|BUG:|KASAN|Call Trace:|general protection' | head -3
}

# --- A: requests from nlfuzz -F ----------------------------------------------
FZ=$ESPAH_ROOT/build/nlfuzz
if [ ! -x "$FZ" ] || [ "$ESPAH_ROOT/scripts/fuzz/nlfuzz.c" -nt "$FZ" ] ||
   [ "$ESPAH_ROOT/include/uapi/linux/espah.h" -nt "$FZ" ]; then
	FZ=$("$ESPAH_ROOT/scripts/fuzz/build-nlfuzz.sh" "$T") || FZ=
fi
check "fuzzer built" [ -n "$FZ" ]

N=${FAILSLAB_N:-400}
[ "${ESPAH_KIND:-}" = debug ] || N=${FAILSLAB_N:-2000}
round=0
# fz_round NAME SLAB_PROB PAGE_PROB INTERVAL
fz_round() {
	local name=$1 rc n
	local -A S=()
	round=$((round + 1))
	ip netns del fz 2>/dev/null
	ip netns add fz
	fi_off
	[ "$2" = 0 ] || fi_set $FS "$2" "$4" Y N
	[ "$3" = 0 ] || fi_set $FP "$3" "$4" Y N
	"$BB" nsenter --net=/run/netns/fz "$FZ" -F -s $((round * 7919)) -n "$N" \
		-c 100 -o "$T/model" > "$T/out" 2> "$T/err"
	rc=$?
	fi_count
	n=$FI_N
	fi_off
	grep '^#' "$T/out" | grep -v '^# op ' | head -40
	[ -s "$T/err" ] && sed 's/^/# stderr: /' "$T/err" | head -5
	while read -r w k v; do [ "$w" = stat ] && S[$k]=$v; done < "$T/out"
	diag "$name: $N requests: ${S[ok]:-?} applied, ${S[err_extack]:-?} refused with a message, ${S[enomem_no_extack]:-?} ENOMEM without one, ${S[err_no_extack]:-?} other errors without one, ${S[socket_refused]:-?} refused by the socket layer, ${S[reply_lost]:-?} replies lost (resolved), ${S[echo_missing]:-?} echoes lost; injected: $FI_LAST"
	check "$name: the fuzzer ran to its end, failures were injected ($n)" \
		[ $rc -eq 0 -a "$n" -gt 0 -a "${S[msgs]:-0}" -eq "$N" ]
	check "$name: every refusal carries an extack message (ENOMEM ones too)" \
		[ "${S[err_no_extack]:--1}" -eq 0 -a "${S[enomem_no_extack]:--1}" -eq 0 ]
	check "$name: every applied request is in the dumps, every refusal left nothing" \
		[ "${S[final_inconsistent]:--1}" -eq 0 ]
	E fz -j state list > "$T/sa.json" 2>&1 &&
		jq -r '.[] | "sa \(.spi) \(.dst) \(.proto) \(.dir)"' "$T/sa.json" > "$T/list" &&
		E fz -j policy list > "$T/pol.json" 2>&1 &&
		jq -r '.[] | "policy \(.index) \(.dir)"' "$T/pol.json" >> "$T/list"
	rc=$?
	sort "$T/list" > "$T/list.s"
	sort "$T/model" > "$T/model.s" 2>/dev/null
	if [ $rc -eq 0 ] && [ -s "$T/model.s" ] && cmp -s "$T/list.s" "$T/model.s"; then
		ok "$name: state list and policy list show exactly what was applied ($(grep -c '^sa ' "$T/model.s") SAs, $(grep -c '^policy ' "$T/model.s") policies)"
	else
		diff "$T/model.s" "$T/list.s" 2>&1 | head -10 | sed 's/^/# /'
		not_ok "$name: state list and policy list show exactly what was applied"
	fi
	ip netns del fz
}

# no modprobe per algorithm name while allocations fail
echo > /proc/sys/kernel/modprobe
ip netns add fz
"$BB" nsenter --net=/run/netns/fz "$FZ" -W > /dev/null 2>&1	# instantiate the templates once
ip netns del fz
fz_round "failslab 10%" 10 0 1
fz_round "fail_page_alloc 10%" 0 10 1
fz_round "both 30%" 30 30 1
fz_round "both, every 5th allocation" 100 100 5
rep=$(new_reports)
[ -z "$rep" ] || diag "kernel: $rep"
check "no kernel warning, BUG or KASAN report in the request rounds" [ -z "$rep" ]

# --- B: the CLI, make-it-fail for the whole process --------------------------
ip netns add fz2
algs=(gcm gcm256 cbc cbc1 chacha ccm gmac ctr cbc256-384 cbc-512 cbc-xcbc null-sha1 cbc-null gcm-96)
declare -A WANT=() GOT0=()
cli_ok=0 cli_msg=0 cli_nomsg=0 cli_killed=0 K=${FAILSLAB_CLI:-28}
fi_set $FS 3 1 Y N
fi_set $FP 3 1 Y N
for ((i = 0; i < K; i++)); do
	a=${algs[i % ${#algs[@]}]}
	algwords "$a" "$i"
	spi=$((0x3000 + i))
	if ((i % 2)); then src=fd00:12::1 dst=fd00:12::2; else src=10.0.12.1 dst=10.0.12.2; fi
	mode=transport
	((i % 4 < 2)) || mode=tunnel
	dir=in
	((i % 3)) || dir=out
	win=$(( (i % 5 == 0) ? 1048576 : (i % 5 == 1) ? 4096 : 64 ))
	WANT["$spi $dst esp $dir"]=1
	( echo 1 > /proc/self/make-it-fail &&
	  exec "$ESPAH_TOOL" -n fz2 state add src $src dst $dst proto esp spi $spi \
		mode $mode dir $dir replay-window $win "${ALGW[@]}" ) > "$T/o" 2> "$T/e"
	rc=$?
	if [ $rc -eq 0 ]; then
		cli_ok=$((cli_ok + 1))
		GOT0["$spi $dst esp $dir"]=1
	elif [ $rc -ge 128 ]; then
		cli_killed=$((cli_killed + 1))	# a signal: the process, not the request
	elif [ -s "$T/e" ]; then
		cli_msg=$((cli_msg + 1))
		[ $cli_msg -gt 3 ] || diag "CLI refused (exit $rc): $(head -c 200 "$T/e")"
	else
		cli_nomsg=$((cli_nomsg + 1))
		diag "CLI exit $rc without a message: state add ... spi $spi $a"
	fi
done
fi_count
n=$FI_N
fi_off
E fz2 -j state list > "$T/sa.json" 2>&1 &&
	jq -r '.[] | "\(.spi) \(.dst) \(.proto) \(.dir)"' "$T/sa.json" > "$T/list"
rc=$?
missing=0 extra=0 applied_failed=0
declare -A HAVE=()
while read -r l; do
	HAVE[$l]=1
	[ -n "${WANT[$l]:-}" ] || { extra=$((extra + 1)); diag "SA nobody asked for: $l"; }
	[ -n "${GOT0[$l]:-}" ] || applied_failed=$((applied_failed + 1))
done < "$T/list"
for l in "${!GOT0[@]}"; do
	[ -n "${HAVE[$l]:-}" ] || { missing=$((missing + 1)); diag "SA added (exit 0) but not listed: $l"; }
done
diag "CLI: $K state adds: $cli_ok applied, $cli_msg refused with a message, $cli_nomsg without one, $cli_killed killed by a signal; $applied_failed listed although the CLI failed (reply lost); injected: $FI_LAST"
check "CLI: failures were injected ($n), the listing worked" [ "$n" -gt 0 -a $rc -eq 0 ]
check "CLI: every failed command printed an error" [ $cli_nomsg -eq 0 ]
check "CLI: every SA added with exit 0 is listed, nothing else is" [ $missing -eq 0 -a $extra -eq 0 ]
ip netns del fz2
echo "$MODPROBE" > /proc/sys/kernel/modprobe

# --- C: traffic ---------------------------------------------------------------
topo_up || { not_ok "topology up"; finish; exit; }
tunnel 2
check "tunnel: pings pass before the failures" pings h1 10.0.2.1 3
read -r oe0 ib0 <<< "$(gstat gw1 out-error in-buffer-error)"
fi_set $FS 5 1 N Y
fi_set $FP 5 1 N Y
nsx h1 ping -q -c 60 -i 0.05 -W 1 10.0.2.1 > "$T/ping" 2>&1
nsx h1 ping -6 -q -c 20 -i 0.05 -W 1 fd00:2::1 >> "$T/ping" 2>&1
fi_count
n=$FI_N
fi_off
diag "traffic under failures: $(grep -h 'packets transmitted' "$T/ping" | tr '\n' ' ')"
read -r oe1 ib1 <<< "$(gstat gw1 out-error in-buffer-error)"
read -r no_o <<< "$(sastat gw1 0x1001 nomem)"
read -r no_i <<< "$(sastat gw1 0x2001 nomem)"
diag "gw1 espah: out-error +$((oe1 - oe0)), in-buffer-error +$((ib1 - ib0)), SA nomem out $no_o in $no_i; injected: $FI_LAST"
check "traffic: failures were injected ($n)" [ "$n" -gt 0 ]
check "traffic: the counters are readable and did not go backwards" \
	[ "$oe1" -ge "$oe0" -a "$ib1" -ge "$ib0" ]
check "traffic: pings pass again once the failures stop" pings h1 10.0.2.1 5
rep=$(new_reports)
[ -z "$rep" ] || diag "kernel: $rep"
check "no kernel warning, BUG or KASAN report" [ -z "$rep" ]
diag "injected failures in all: failslab $TOT_S, fail_page_alloc $TOT_P"
finish
