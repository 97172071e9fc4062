#!/bin/bash
# Guest side of `make bench` (run by scripts/bench.sh through scripts/vm.sh
# on the stock kernel): espah against native XFRM in the same boot, same
# algorithms, addresses, SPIs and keys, interleaved run by run, plus a
# plaintext baseline; then kernel memory per SA for many SAs.
#
#   bench.sh [runs=N] [time=SECS] [algs=null,gcm,...] [sas=N]
#            [modes=transport,tunnel] [impls=espah,native,plain]
#
# Topology: namespaces "ba" and "bb" joined by one veth pair,
#   ba 10.99.0.1 (veth0) <----> (veth0) 10.99.0.2 bb
# transport mode host to host; the tunnel row wraps 10.99.1.1 <-> 10.99.2.1
# (addresses on lo of each side) between the same endpoints.
#
# Every sample goes to $OUT/bench-raw.txt as "CONFIG METRIC VALUE [SA]" with
# CONFIG = IMPL/ALG/MODE (IMPL espah|native|plain), METRIC tcp or udp, VALUE
# either json/N.json (iperf3 -J output, kept in $OUT/json/) or a word saying
# why there is none (refused, unprotected, error); SA is the packet count
# the receiving SA gained during the run ("-" for plaintext). The host
# (scripts/guest/bench_report.py) parses the JSON and checks that the SA
# saw every received UDP datagram and at least one packet per 64 KiB of
# TCP: no python runs in the guest while measuring (its start-up over 9p
# under TCG takes seconds). Memory lines: "mem/IMPL/gcm KEY VALUE".
# Timings are never asserted: the exit status is non-zero only when the
# harness itself is broken (no espah module, topology failed, ...).
set -u
RUNS=5 T=5 ALGS=null,gcm,ike-gcm,natt-gcm SAS=100000 MODES=transport,tunnel IMPLS=espah,native,plain
for arg in "$@"; do
	case $arg in
	runs=*) RUNS=${arg#runs=} ;;
	time=*) T=${arg#time=} ;;
	algs=*) ALGS=${arg#algs=} ;;
	sas=*) SAS=${arg#sas=} ;;
	modes=*) MODES=${arg#modes=} ;;
	impls=*) IMPLS=${arg#impls=} ;;
	*) echo "bench: unknown argument $arg" >&2; exit 2 ;;
	esac
done
ALGS=${ALGS//,/ }
MODES=${MODES//,/ }
IMPLS=${IMPLS//,/ }

OUT=${BENCH_OUT:-/run/out}
RAW=$OUT/bench-raw.txt
ESPAH_TOOL=${ESPAH_TOOL:-espah}
TMP=$(mktemp -d /tmp/bench.XXXXXX)
A=10.99.0.1 B=10.99.0.2
AI=10.99.1.1 BI=10.99.2.1	# tunnel mode: inner addresses
SPI_AB=0x00001001 SPI_BA=0x00001002
SPI_AB0=$SPI_AB # (the IKE rows set SPI_AB to what charon negotiated)
KEY_AB=0x$(printf 'bench-ab' | sha256sum | cut -c1-40)
KEY_BA=0x$(printf 'bench-ba' | sha256sum | cut -c1-40)
KEY2_AB=0x$(printf 'bench-ab2' | sha256sum | cut -c1-64)
KEY2_BA=0x$(printf 'bench-ba2' | sha256sum | cut -c1-64)

say() { echo "bench: [$(cut -d' ' -f1 /proc/uptime)s] $*"; }
rec() { echo "$*" >> "$RAW"; echo "  sample: $*"; }
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
E() { local ns=$1; shift; "$ESPAH_TOOL" -n "$ns" "$@"; }
# The IKE rows (alg ike-gcm): strongSwan's charon on both sides negotiates
# the SAs (scripts/e2e/ike.sh); for espah both namespaces are attached to
# the xfrm layer and the CHILD_SAs carry its tag.
BB=/bin/busybox
nap() { sleep "$1"; }
diag() { echo "    $*"; }
IKE_GWS="ba bb"
# shellcheck source=scripts/e2e/ike.sh
. "$ESPAH_ROOT/scripts/e2e/ike.sh"
harness_fail() { echo "bench: harness failure: $*" >&2; exit 1; }

grep -q '^espah ' /proc/modules || harness_fail "espah module not loaded"
: > "$RAW" || harness_fail "cannot write $RAW"
rm -rf "$OUT/json" "$OUT"/slabinfo-*
mkdir -p "$OUT/json" || harness_fail "cannot write $OUT/json"
NJ=0
echo "info kernel $(uname -r)" >> "$RAW"
echo "info runs $RUNS time $T" >> "$RAW"

# Native XFRM in its fastest configuration: ESP GSO/GRO offload callbacks.
if ! modprobe esp4_offload || ! modprobe esp6_offload; then
	harness_fail "cannot load esp4_offload/esp6_offload"
fi
modprobe esp4 2>/dev/null; modprobe xfrm_user 2>/dev/null
echo "info native esp4_offload+esp6_offload loaded" >> "$RAW"
# The null row: espah refuses null cipher with null integrity (RFC 4303
# 3.2) unless told otherwise; native accepts it.
echo 1 > /sys/module/espah/parameters/allow_null_esp ||
	harness_fail "cannot set espah.allow_null_esp"
echo "info espah allow_null_esp=1 (null row)" >> "$RAW"
say "modules loaded"

# --- topology ---------------------------------------------------------------
topo_up() {
	local ns m1 m2
	for ns in ba bb; do
		ip netns add $ns || return 1
		ip -n $ns link set lo up
	done
	ip link add veth0 netns ba type veth peer name veth0 netns bb || return 1
	ip -n ba addr add $A/24 dev veth0
	ip -n bb addr add $B/24 dev veth0
	ip -n ba addr add $AI/32 dev lo
	ip -n bb addr add $BI/32 dev lo
	ip -n ba link set veth0 up
	ip -n bb link set veth0 up
	ip -n ba route add $BI/32 via $B src $AI
	ip -n bb route add $AI/32 via $A src $BI
	m1=$(ip -n ba link show veth0 | awk '$1 == "link/ether" { print $2 }')
	m2=$(ip -n bb link show veth0 | awk '$1 == "link/ether" { print $2 }')
	ip -n ba neigh replace $B lladdr "$m2" dev veth0 nud permanent
	ip -n bb neigh replace $A lladdr "$m1" dev veth0 nud permanent
	nsx ba ping -c1 -W3 $B >/dev/null || return 1
	nsx ba ping -c1 -W3 -I $AI $BI >/dev/null || return 1
}
say "topology"
topo_up || harness_fail "topology"
# One iperf3 server for the whole run; it listens on all addresses of bb.
nsx bb iperf3 -s -D -I "$TMP/iperf3.pid" || harness_fail "iperf3 server"
sleep 1

flush_all() {
	local ns
	ike_stop ba bb
	[ -z "${ENCAP_PIDS:-}" ] || kill $ENCAP_PIDS 2>/dev/null
	ENCAP_PIDS=
	for ns in ba bb; do
		E $ns xfrm detach >/dev/null 2>&1
		ip -n $ns xfrm state flush
		ip -n $ns xfrm policy flush
		E $ns state flush >/dev/null 2>&1
		E $ns policy flush >/dev/null 2>&1
	done
	return 0
}

# algwords ALG KEY KEY2: the ALGO-LIST words, identical for ip xfrm and espah
algwords() {
	case $1 in
	null) printf '%s\n' enc 'ecb(cipher_null)' '' auth digest_null '' ;;
	gcm | natt-gcm) printf '%s\n' aead 'rfc4106(gcm(aes))' "$2" 128 ;;
	cbc) printf '%s\n' enc 'cbc(aes)' "${2:0:34}" auth-trunc 'hmac(sha256)' "$3" 128 ;;
	*) return 1 ;;
	esac
}
# ike_side IMPL MODE LSEL RSEL: charon on both sides negotiates a CHILD_SA
# (AES-GCM-128, ICV 128: the gcm row's transform with a 128-bit key);
# SPI_AB becomes its SA from A to B
ike_side() {
	local impl=$1 mode=$2 ls=$3 rs=$4 ifid=
	if [ "$impl" = espah ]; then
		ifid=42
		E ba xfrm attach if-id 42 && E bb xfrm attach if-id 42 || return 1
	fi
	IKE_MODE=$mode
	ike_conf ba $A $B "$ls" "$rs" "$ifid" && ike_conf bb $B $A "$rs" "$ls" "$ifid" &&
		ike_start ba && ike_start bb || return 1
	sw ba --initiate --child net --timeout 30 > "$TMP/ike.out" 2>&1 ||
		{ tail -3 "$TMP/ike.out" >&2; return 1; }
	SPI_AB=$(ip -n ba xfrm state | awk -v s=$A -v d=$B '
		$1 == "src" { m = ($2 == s && $4 == d) }
		m && $1 == "proto" && $3 == "spi" { sub(/\(.*/, "", $4); print $4; exit }')
	[ -n "$SPI_AB" ]
}
alglabel() {
	case $1 in
	null) echo "ecb(cipher_null)+digest_null" ;;
	ike-gcm) echo "rfc4106(gcm(aes)) 128-bit key, ICV 128, negotiated by charon (IKEv2; espah under it through the xfrm layer)" ;;
	gcm) echo "rfc4106(gcm(aes)) 160-bit key, ICV 128" ;;
	cbc) echo "cbc(aes)-128+hmac(sha256)-128" ;;
	natt-gcm) echo "rfc4106(gcm(aes)) 160-bit key, ICV 128, ESP in UDP 4500 (RFC 3948, encap espinudp)" ;;
	esac
}

# side IMPL NS LOCAL REMOTE LSEL RSEL MODE ALG SPI_OUT SPI_IN KO KI KO2 KI2
side() {
	local impl=$1 ns=$2 l=$3 r=$4 ls=$5 rs=$6 mode=$7 alg=$8
	local so=$9 si=${10} ko=${11} ki=${12} ko2=${13} ki2=${14}
	local -a wo wi cmd
	mapfile -t wo < <(algwords "$alg" "$ko" "$ko2")
	mapfile -t wi < <(algwords "$alg" "$ki" "$ki2")
	if [ "$impl" = espah ]; then
		cmd=("$ESPAH_TOOL" -n "$ns")
	else
		cmd=(ip -n "$ns" xfrm)
	fi
	local dout=() din=()
	[ "$impl" = espah ] && dout=(dir out) din=(dir in)
	if [ "$alg" = natt-gcm ]; then
		wo+=(encap espinudp 4500 4500 0.0.0.0)
		wi+=(encap espinudp 4500 4500 0.0.0.0)
	fi
	"${cmd[@]}" state add src "$l" dst "$r" proto esp spi "$so" \
		mode "$mode" reqid 7 "${dout[@]}" "${wo[@]}" || return 1
	"${cmd[@]}" state add src "$r" dst "$l" proto esp spi "$si" \
		mode "$mode" reqid 7 replay-window 64 "${din[@]}" "${wi[@]}" || return 1
	"${cmd[@]}" policy add src "$ls" dst "$rs" dir out \
		tmpl src "$l" dst "$r" proto esp mode "$mode" reqid 7 || return 1
	"${cmd[@]}" policy add src "$rs" dst "$ls" dir in \
		tmpl src "$r" dst "$l" proto esp mode "$mode" reqid 7 || return 1
}

# encap_socks NS: UDP_ENCAP sockets on port 4500 in NS until flush_all
encap_socks() {
	local f=$TMP/encap.$1 i
	ip netns exec "$1" python3 "$ESPAH_ROOT/scripts/e2e/udp_encap_sock.py" 4500 > "$f" 2>&1 &
	ENCAP_PIDS="$ENCAP_PIDS $!"
	for i in $(seq 100); do
		grep -q ready "$f" && return 0
		sleep 0.1
	done
	return 1
}

# setup IMPL ALG MODE: both sides; prints the refusal message on failure
setup() {
	local impl=$1 alg=$2 mode=$3 sa sb
	flush_all
	SPI_AB=$SPI_AB0
	[ "$impl" = plain ] && return 0
	if [ "$mode" = tunnel ]; then sa=$AI/32 sb=$BI/32
	else sa=$A/32 sb=$B/32; fi
	if [ "$alg" = ike-gcm ]; then
		ike_side "$impl" "$mode" $sa $sb 2>"$TMP/err"
		return
	fi
	# the NAT-T row: native decapsulates ESP in UDP only on an IKE
	# daemon's UDP_ENCAP socket; espah needs none
	if [ "$alg" = natt-gcm ] && [ "$impl" = native ]; then
		encap_socks ba && encap_socks bb || { echo "no UDP_ENCAP socket" > "$TMP/err"; return 1; }
	fi
	side "$impl" ba $A $B $sa $sb "$mode" "$alg" $SPI_AB $SPI_BA \
		"$KEY_AB" "$KEY_BA" "$KEY2_AB" "$KEY2_BA" 2>"$TMP/err" &&
	side "$impl" bb $B $A $sb $sa "$mode" "$alg" $SPI_BA $SPI_AB \
		"$KEY_BA" "$KEY_AB" "$KEY2_BA" "$KEY2_AB" 2>>"$TMP/err"
}

# ctr IMPL NS SPI: packets counted by that SA (awk, not python: this runs
# eight times per measurement and python's start-up is slow under TCG)
ctr() {
	local spi
	spi=$(printf '0x%08x' "$3")
	if [ "$1" = espah ]; then
		E "$2" -s state list 2>/dev/null | awk -v spi="$spi" '
			/^\tproto / { cur = 0; for (i = 1; i < NF; i++) if ($i == "spi") cur = ($(i + 1) == spi) }
			cur && /^\tstats:/ { for (i = 2; i < NF; i++) if ($i == "packets") { print $(i + 1); f = 1; exit } }
			END { if (!f) print 0 }'
	else
		# "proto esp spi 0x00001001(4097) reqid ...", then under
		# "lifetime current:" a line "N(bytes), M(packets)"
		ip -n "$2" -s xfrm state 2>/dev/null | awk -v spi="$spi" '
			$1 == "proto" && $3 == "spi" { split($4, s, "("); cur = (s[1] == spi) }
			cur && /^[ \t]*[0-9]+\(bytes\), [0-9]+\(packets\)/ {
				sub(/\(packets\).*/, "", $2); print $2; f = 1; exit }
			END { if (!f) print 0 }'
	fi
}

# protected IMPL: a ping crosses both SAs and moves both counters
protected() {
	local impl=$1 d=$B src=() o0 i0 o1 i1
	[ "$CUR_MODE" = tunnel ] && d=$BI src=(-I "$AI")
	o0=$(ctr "$impl" ba $SPI_AB) i0=$(ctr "$impl" bb $SPI_AB)
	nsx ba ping -q -c3 -i0.2 -W3 "${src[@]}" $d >/dev/null 2>&1 || {
		echo "    ping failed"; return 1; }
	o1=$(ctr "$impl" ba $SPI_AB) i1=$(ctr "$impl" bb $SPI_AB)
	echo "    pre-check: out SA +$((o1 - o0)) in SA +$((i1 - i0)) packets"
	[ $((o1 - o0)) -ge 3 ] && [ $((i1 - i0)) -ge 3 ]
}

# Client (and with it the sending softirq work) on CPU 0, server on CPU 1,
# every run: where the scheduler put the two was the largest source of
# run-to-run variance.
PIN=0,1
[ "$(nproc)" -ge 2 ] || PIN=0,0
# iperf CONFIG IMPL METRIC ARGS...: one iperf3 run, recorded with the
# packets the receiving SA gained meanwhile
iperf() {
	local cfg=$1 impl=$2 metric=$3 c0=0 c1=0 j
	shift 3
	NJ=$((NJ + 1))
	j=json/$NJ.json
	[ "$impl" = plain ] || c0=$(ctr "$impl" bb $SPI_AB)
	if nsx ba timeout $((T + 60)) iperf3 "$@" -t "$T" -A "$PIN" -J > "$OUT/$j" 2>&1; then
		if [ "$impl" = plain ]; then
			rec "$cfg $metric $j -"
		else
			c1=$(ctr "$impl" bb $SPI_AB)
			rec "$cfg $metric $j $((c1 - c0))"
		fi
	else
		echo "    $metric: iperf3 failed: $(head -c 300 "$OUT/$j" | tr '\n' ' ')"
		rec "$cfg $metric error"
	fi
}

# measure CONFIG IMPL: one TCP and one UDP run, after a protection check
measure() {
	local cfg=$1 impl=$2 d=$B bind=()
	[ "$CUR_MODE" = tunnel ] && d=$BI bind=(-B "$AI")
	if [ "$impl" != plain ] && ! protected "$impl"; then
		rec "$cfg tcp unprotected"
		rec "$cfg udp unprotected"
		return
	fi
	iperf "$cfg" "$impl" tcp -c "$d" "${bind[@]}"
	# 64-byte datagrams, no rate limit: received packets/s
	iperf "$cfg" "$impl" udp -c "$d" "${bind[@]}" -u -l 64 -b 0
}

# --- memory per SA --------------------------------------------------------------
# Lines are generated before the "before" snapshot so that the batch files
# (tmpfs) do not count. Half the SAs are outbound, half inbound with a
# 64-packet replay window, all rfc4106(gcm(aes)) with distinct SPIs, each
# pair with its own peer address in 10.128.0.0/9, as a gateway's SAs
# would be: native XFRM hashes its SAs by address pair, and 100 000 SAs
# between two addresses make its inserts quadratic (the first attempt
# here did not finish in 30 minutes).
# gen IMPL N: batch file for ip -batch (native) or espah -b (espah)
gen() {
	local impl=$1 n=$2
	awk -v impl="$impl" -v n="$n" -v a=$A -v k="$KEY_AB" 'BEGIN {
		for (i = 0; i < n; i++) {
			spi = sprintf("0x%08x", 1048576 + i)
			p = int(i / 2)
			peer = sprintf("10.%d.%d.%d", 128 + int(p / 65536) % 128, int(p / 256) % 256, p % 256)
			if (i % 2) { s = peer; d = a; dir = "in"; rw = " replay-window 64" }
			else { s = a; d = peer; dir = "out"; rw = "" }
			pre = impl == "espah" ? "state add" : "xfrm state add"
			dw = impl == "espah" ? " dir " dir : ""
			printf "%s src %s dst %s proto esp spi %s mode transport reqid 9%s%s aead rfc4106(gcm(aes)) %s 128\n",
				pre, s, d, spi, rw, dw, k
		}
	}' > "$TMP/sa-$impl.batch"
}

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# mem: "SLAB PERCPU MEMFREE" in bytes
mem() {
	awk '$1 == "Slab:" { s = $2 } $1 == "Percpu:" { p = $2 }
		$1 == "MemFree:" { f = $2 } END { print s * 1024, p * 1024, f * 1024 }' /proc/meminfo
}

settle() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	sleep 2
}

# memtest IMPL
memtest() {
	local impl=$1 m0 m1 t0 t1 cnt
	gen "$impl" "$SAS"
	settle
	m0=$(mem)
	cp /proc/slabinfo "$OUT/slabinfo-$impl-0"
	t0=$(date +%s.%N)
	if [ "$impl" = espah ]; then
		E ba -b "$TMP/sa-$impl.batch" > "$TMP/batch.log" 2>&1
	else
		ip -n ba -batch "$TMP/sa-$impl.batch" > "$TMP/batch.log" 2>&1
	fi
	local brc=$?
	t1=$(date +%s.%N)
	if [ "$impl" = espah ]; then
		cnt=$(E ba state count 2>/dev/null | grep -o '[0-9]\+' | tail -1)
	else
		cnt=$(ip -n ba xfrm state count 2>/dev/null | grep -o '[0-9]\+' | tail -1)
	fi
	settle
	m1=$(mem)
	cp /proc/slabinfo "$OUT/slabinfo-$impl-1"
	say "mem $impl: batch rc $brc, $cnt SAs installed in $(elapsed "$t0" "$t1") s"
	[ $brc -eq 0 ] || echo "    batch: $(tail -3 "$TMP/batch.log" | tr '\n' ' ')"
	# shellcheck disable=SC2086 # six numbers
	set -- $m0 $m1
	rec "mem/$impl/gcm count ${cnt:-0}"
	rec "mem/$impl/gcm slab $(($4 - $1))"
	rec "mem/$impl/gcm percpu $(($5 - $2))"
	rec "mem/$impl/gcm memfree $(($3 - $6))"
	rec "mem/$impl/gcm seconds $(elapsed "$t0" "$t1")"
	flush_all
	settle
	say "mem $impl: after flush (slab percpu memfree): $(mem)"
}

# First, so that a datapath crash later in the run cannot lose these rows.
if [ "$SAS" -gt 0 ]; then
	memtest native
	memtest espah
fi


# --- throughput, interleaved --------------------------------------------------
for mode in $MODES; do
	for alg in $ALGS; do
		echo "info alg $alg $(alglabel "$alg")" >> "$RAW"
	done
done
for r in $(seq 1 "$RUNS"); do
	# Every other run in the opposite order, so that neither implementation
	# always runs first after a configuration change.
	order=$IMPLS
	[ $((r % 2)) -eq 1 ] || order=$(printf '%s\n' $IMPLS | tac | tr '\n' ' ')
	for mode in $MODES; do
		CUR_MODE=$mode
		for alg in $ALGS; do
			for impl in $order; do
				cfg=$impl/$alg/$mode
				if [ "$impl" = plain ]; then
					# one plaintext sample per mode and run
					[ "$alg" = "${ALGS%% *}" ] || continue
					cfg=plain/-/$mode
				fi
				say "run $r/$RUNS $cfg"
				if ! setup "$impl" "$alg" "$mode"; then
					msg=$(tr '\n' ' ' < "$TMP/err" | head -c 200)
					echo "    refused: $msg"
					rec "$cfg tcp refused"
					rec "$cfg udp refused"
					echo "refusal $cfg $msg" >> "$RAW"
					continue
				fi
				measure "$cfg" "$impl"
			done
		done
	done
done
flush_all
kill "$(cat "$TMP/iperf3.pid")" 2>/dev/null

ip netns del ba
ip netns del bb
rm -rf "$TMP"
say "done"
exit 0
