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
#     dumps, a lost reply is resolved by asking again, a request that
#     succeeded without its echo (the kernel could not allocate it) is
#     followed from the request, the fuzzer's model agrees with every
#     reply and its final dumps, and `espah -j state list` / `policy list`
#     show exactly the fuzzer's model (SAs; policies with their indices).
#  B. (not run: see below)
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
BUDGET=1000000
MODPROBE=$(< /proc/sys/kernel/modprobe)
fi_off() {
	local d
	for d in $FS $FP; do
		[ -d $d ] || continue
		echo 0 > $d/probability
		echo $BUDGET > $d/times	# nothing injected since
	done
}
trap 'fi_off; echo "$MODPROBE" > /proc/sys/kernel/modprobe; topo_down; ip netns del fz 2>/dev/null; ip netns del fz2 2>/dev/null; rm -rf "$T"' EXIT

if [ ! -d $FS ] || [ ! -d $FP ] || [ ! -e /proc/self/make-it-fail ]; then
	not_ok "fault injection available (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC, debugfs)"
	finish
	exit
fi
ok "fault injection available"

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

N=${FAILSLAB_N:-250}
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
	# ENOMEM may come without a message from the generic netlink core
	# itself (its per-request attribute table, allocated before espah
	# sees the request); every other refusal must carry one
	diag "$name: ENOMEM refusals without a message (espah's own carry one; the genl core's cannot): ${S[enomem_no_extack]:-?}"
	check "$name: every refusal but ENOMEM carries an extack message" \
		[ "${S[err_no_extack]:--1}" -eq 0 ]
	# every reply the model followed, and the final dumps, agree with it
	# (a request whose reply was lost is resolved by asking again)
	check "$name: the fuzzer's model agrees with every reply and the final dumps (${S[final_inconsistent]:-?} differences)" \
		[ "${S[final_inconsistent]:--1}" -eq 0 ]
	E fz -j state list > "$T/sa.json" 2>&1 &&
		jq -r '.[] | "sa \(.spi) \(.dst) \(.proto) \(.dir)"' "$T/sa.json" > "$T/list"
	rc=$?
	sort "$T/list" > "$T/list.s"
	grep '^sa ' "$T/model" 2>/dev/null | sort > "$T/model.s"
	if [ $rc -eq 0 ] && [ -e "$T/model" ] && cmp -s "$T/list.s" "$T/model.s"; then
		ok "$name: state list shows exactly the SAs applied ($(wc -l < "$T/model.s") SAs)"
	else
		diff "$T/model.s" "$T/list.s" 2>&1 | head -10 | sed 's/^/# /'
		not_ok "$name: state list shows exactly the SAs applied"
	fi
	E fz -j policy list > "$T/pol.json" 2>&1 &&
		jq -r '.[] | "policy \(.index) \(.dir)"' "$T/pol.json" > "$T/pl"
	rc=$?
	sort "$T/pl" > "$T/pl.s"
	grep '^policy ' "$T/model" 2>/dev/null | sort > "$T/pm.s"
	if [ $rc -eq 0 ] && [ -e "$T/model" ] && cmp -s "$T/pl.s" "$T/pm.s"; then
		ok "$name: policy list shows exactly the policies applied, with their indices ($(wc -l < "$T/pm.s") policies)"
	else
		diff "$T/pm.s" "$T/pl.s" 2>&1 | head -10 | sed 's/^/# /'
		not_ok "$name: policy list shows exactly the policies applied, with their indices"
	fi
	ip netns del fz
}

# instantiate the templates' algorithms once, then no modprobe while
# allocations fail
ip netns add fz
"$BB" nsenter --net=/run/netns/fz "$FZ" -W > /dev/null 2>&1
ip netns del fz
echo > /proc/sys/kernel/modprobe
fz_round "failslab 10%" 10 0 1
fz_round "fail_page_alloc 10%" 0 10 1
fz_round "both 30%" 30 30 1
fz_round "both, every 5th allocation" 100 100 5
diag "request rounds done"
rep=$(new_reports)
[ -z "$rep" ] || diag "kernel: $rep"
check "kernel log clean in the request rounds (no warning, bug or sanitizer report)" [ -z "$rep" ]

# --- B: the CLI ---------------------------------------------------------------
# Not the espah CLI with make-it-fail set for its whole process: tried, the
# failures hit its exec and page faults (exit 126 "Cannot allocate memory",
# SIGSEGV, "VM_FAULT_OOM leaked out to the #PF handler") and left the
# guest's 9p root broken for the rest of the boot (every later process
# start: "error while loading shared libraries: ... Invalid argument").
# nlfuzz -F sends the CLI's requests with the failures limited to them.
echo "$MODPROBE" > /proc/sys/kernel/modprobe

# --- C: traffic ---------------------------------------------------------------
topo_up || { not_ok "topology up"; finish; exit; }
tunnel 2
check "tunnel: pings pass before the failures" pings h1 10.0.2.1 3
read -r oe0 ib0 <<< "$(gstat gw1 out-error in-buffer-error)"
# Task-filtered, non-sleeping allocations only: the pings' own softirq
# work (a local packet's output path, and the forwarding and ESP of
# gw1 and gw2 that veth runs on the sender's CPU in its context) fails,
# the rest of the guest (its 9p root above all) does not.
fi_set $FS 5 1 Y Y
fi_set $FP 5 1 Y Y
nsx h1 sh -c 'echo 1 > /proc/self/make-it-fail; exec ping -q -c 60 -i 0.05 -W 1 10.0.2.1' > "$T/ping" 2>&1
nsx h1 sh -c 'echo 1 > /proc/self/make-it-fail; exec ping -6 -q -c 20 -i 0.05 -W 1 fd00:2::1' >> "$T/ping" 2>&1
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
check "kernel log clean (no warning, bug or sanitizer report)" [ -z "$rep" ]
diag "injected failures in all: failslab $TOT_S, fail_page_alloc $TOT_P"
finish
