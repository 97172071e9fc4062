#!/bin/bash
# shellcheck shell=bash
# Library of the end-to-end suites (scripts/e2e/t_*.sh): a four-namespace
# topology, KTAP reporting, SA/policy helpers for espah and native XFRM,
# counter readers. Each suite is a GUEST_SCRIPT of scripts/vm.sh.
#
#   h1 --- gw1 ===== gw2 --- h2   (t_natns: a NAT between, see topo_nat_up)
#   10.0.1.1  .254 | 10.0.12.1  10.0.12.2 | .254  10.0.2.1
#   fd00:1::1 ::fe | fd00:12::1 fd00:12::2 | ::fe fd00:2::1
#
# Every check must be able to fail: look at delivery and counters, never
# only at a command's exit status.

ESPAH_TOOL=${ESPAH_TOOL:-espah}
export PY=/usr/bin/python3
NSS="h1 gw1 gw2 h2"

# --- KTAP ---------------------------------------------------------------
T_N=0
T_FAIL=0
echo "KTAP version 1"

diag() { echo "# $*"; }
# Each result notes the time since the one before it when that was 5 s or
# more, so a slow suite's log shows where its time went.
T_LAST=0
t_mark() {
	[ $((SECONDS - T_LAST)) -lt 5 ] || echo "# (+$((SECONDS - T_LAST)) s)"
	T_LAST=$SECONDS
}
ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; t_mark; }
not_ok() { T_N=$((T_N + 1)); T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $*"; t_mark; }
skip() { T_N=$((T_N + 1)); echo "ok $T_N - $1 # SKIP ${2:-}"; t_mark; }
# check NAME CMD...: one result from a command's status
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
# finish: the plan line; exit status 0 only if nothing failed
finish() {
	diag "suite took $SECONDS s"
	echo "1..$T_N"
	[ "$T_FAIL" -eq 0 ]
}

# two_cpus: the concurrency suites' first check: at least two CPUs online
# (a guest topology the kernel reads as one CPU once made every debug run
# single-CPU without anyone noticing)
two_cpus() {
	local online
	read -r online < /sys/devices/system/cpu/online
	check "at least two CPUs online (online: $online)" [ "$online" != 0 ]
}

# --- namespaces -----------------------------------------------------------
# A process start costs 0.5 s in the debug guest (KASAN, lockdep, TCG);
# `ip netns exec` adds another second (it remounts /sys), coreutils'
# timeout and sleep most of one more. So: ip switches namespace itself
# (`ip -n`), anything else enters it through busybox's nsenter (static,
# ~0.1 s) and times out through busybox's timeout; one long-lived process
# per namespace (NSPID) lets counters be read from /proc/PID/net with
# shell builtins alone; nap sleeps without a process.
BB=/bin/busybox
declare -A NSPID=()

# nsx_argv NS CMD [ARG...]: the command line that runs CMD in NS, in the
# array NSX_ARGV. CMD (and timeout's command) resolved to its path first:
# busybox prefers its own applet of a bare name.
nsx_argv() {
	local ns=$1
	shift
	case $1 in
	ip)	shift
		NSX_ARGV=(ip -n "$ns" "$@")
		return 0 ;;
	timeout)	# timeout SECONDS CMD...: busybox's
		if [ "$2" = "${2#-}" ] && bin_path "$3"; then
			NSX_ARGV=("$BB" nsenter --net="/run/netns/$ns"
				  "$BB" timeout "$2" "$BIN" "${@:4}")
			return 0
		fi ;;
	esac
	bin_path "$1" || return 127
	NSX_ARGV=("$BB" nsenter --net="/run/netns/$ns" "$BIN" "${@:2}")
}

# bg NS OUTFILE PYTHON-ARG...: python3 with these arguments (a script, or
# -c CODE) in NS in the background (pid in BG_PID), its output in OUTFILE;
# returns once it printed "ready" (at most 10 s)
bg() {
	local ns=$1 out=$2 i
	shift 2
	nsx_argv "$ns" "$PY" "$@" || return 1
	"${NSX_ARGV[@]}" > "$out" &
	BG_PID=$!
	for ((i = 0; i < 100; i++)); do
		grep -q ready "$out" 2>/dev/null && return 0
		nap 0.1
	done
	return 1
}

# refused DESC TEXT ARGS...: `espah -n gw1 ARGS` fails and its message
# has TEXT (the attribute a module refusal names, or the tool's words)
refused() {
	local desc=$1 word=$2 err
	shift 2
	if err=$(E gw1 "$@" 2>&1); then
		not_ok "$desc: accepted"
		return
	fi
	diag "$err"
	check "$desc" grep -qF -- "$word" <<< "$err"
}

# bin_path CMD: CMD's path in BIN (bash's own hash table: no process)
bin_path() {
	BIN=$1
	[ "$1" = "${1#*/}" ] || return 0
	hash "$1" 2>/dev/null || return 1
	BIN=${BASH_CMDS[$1]}
}

# nsx NS CMD [ARG...]: run CMD in namespace NS
nsx() {
	nsx_argv "$@" || { echo "nsx: $2: not found" >&2; return 127; }
	"${NSX_ARGV[@]}"
}

# nsxs NS CMD...: the same through `ip netns exec`, for a command that
# needs the namespace's own /sys (e.g. /sys/class/net)
nsxs() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# nap SECONDS: sleep in the shell (read with a timeout from a FIFO that
# never delivers)
NAP_FIFO=/tmp/e2e-nap.$$
mkfifo "$NAP_FIFO" && exec {NAP_FD}<>"$NAP_FIFO"
rm -f "$NAP_FIFO"
nap() { read -rt "$1" -u "$NAP_FD"; return 0; }

# nsnet NS FILE: the path of /proc/net/FILE as NS sees it (through its
# anchor process; fails, printing nothing, without one)
nsnet() {
	NSNET=/proc/${NSPID[$1]:-none}/net/$2
	[ -r "$NSNET" ] || { echo "nsnet: no /proc/net/$2 for namespace $1" >&2; return 1; }
}

# proc_net NS FILE: /proc/net/FILE as NS sees it
proc_net() { nsnet "$1" "$2" && echo "$(< "$NSNET")"; }

# snmp NS FILE TABLE FIELD: a counter of a /proc/net table in the
# "Table: names" / "Table: values" layout (snmp, netstat), 0 if absent
snmp() {
	local -a k v
	local i
	nsnet "$1" "$2" || return 1
	while read -ra k && read -ra v; do
		[ "${k[0]}" = "$3:" ] || continue
		for i in "${!k[@]}"; do
			[ "${k[i]}" != "$4" ] || { echo "${v[i]}"; return 0; }
		done
	done < "$NSNET"
	echo 0
}

# kv NS FILE NAME [DEFAULT]: the value of NAME in a "name value" /proc/net
# file (snmp6, xfrm_stat, espah_stat), DEFAULT (0) if absent
kv() {
	local n v
	nsnet "$1" "$2" || return 1
	while read -r n v; do
		[ "$n" != "$3" ] || { echo "$v"; return 0; }
	done < "$NSNET"
	echo "${4:-0}"
}

E() { local ns=$1; shift; "$ESPAH_TOOL" -n "$ns" "$@"; }

topo_down() {
	local ns
	for ns in $NSS; do ns_del "$ns" 2>/dev/null; done
	return 0
}
# on exit: the namespaces' anchors, and tcp_xfer's data
trap 'topo_down; rm -f /tmp/e2e-src.$$.*' EXIT

# ns_del NS: delete namespace NS, its anchor first (the anchor would keep
# the namespace alive after `ip netns del`, its pernet exits not run)
ns_del() {
	local pid=${NSPID[$1]:-} i
	scapy_stop "$1"
	if [ -n "$pid" ]; then
		kill "$pid"
		unset "NSPID[$1]"
		for ((i = 0; i < 200; i++)); do
			[ -e "/proc/$pid/ns/net" ] || break
			nap 0.05
		done
	fi
	ip netns del "$1"
}

# ns_anchor NS: a process that stays in NS for the suite (NSPID)
ns_anchor() {
	local i
	"$BB" nsenter --net="/run/netns/$1" "$BB" sleep 100000 &
	NSPID[$1]=$!
	disown
	# until it is in NS (-ef: same namespace inode)
	for i in {1..100}; do
		[ "/proc/${NSPID[$1]}/ns/net" -ef "/run/netns/$1" ] && return 0
		nap 0.05
	done
	return 1
}

# Fixed MAC addresses and static neighbours on every link: no ARP or ND
# has to happen (or to cross a transport-mode policy), and the first
# protected packet is never lost to address resolution.
M_H1=02:00:00:00:01:01 M_GW1A=02:00:00:00:01:fe
M_GW1B=02:00:00:00:12:01 M_GW2B=02:00:00:00:12:02
M_GW2A=02:00:00:00:02:fe M_H2=02:00:00:00:02:01

# host_up I: host hI (10.0.I.1, fd00:I::1) behind gwI (.254, ::fe), as
# every topology has it
host_up() {
	local g
	if [ "$1" = 1 ]; then g=$M_GW1A; else g=$M_GW2A; fi
	ip -n "h$1" -batch - <<-EOF
	link set lo up
	link set eth0 up
	addr add 10.0.$1.1/24 dev eth0
	addr add fd00:$1::1/64 dev eth0 nodad
	route add default via 10.0.$1.254
	route add ::/0 via fd00:$1::fe
	neigh replace 10.0.$1.254 lladdr $g dev eth0 nud permanent
	neigh replace fd00:$1::fe lladdr $g dev eth0 nud permanent
	EOF
}

# gw_host_side I: gwI's `ip -batch` lines for its host's link (eth1),
# with its loopback
gw_host_side() {
	local h
	if [ "$1" = 1 ]; then h=$M_H1; else h=$M_H2; fi
	printf '%s\n' "link set lo up" "link set eth1 up" \
		"addr add 10.0.$1.254/24 dev eth1" "addr add fd00:$1::fe/64 dev eth1 nodad" \
		"neigh replace 10.0.$1.1 lladdr $h dev eth1 nud permanent" \
		"neigh replace fd00:$1::1 lladdr $h dev eth1 nud permanent"
}

# Every command of the topology goes through a few `ip -batch` runs and
# one sysctl per namespace: each process start costs about a second in
# an emulated guest.
topo_up() {
	local ns t0=$SECONDS
	diag "topology up"
	topo_down
	for ns in $NSS; do ip netns add "$ns" && ns_anchor "$ns" || return 1; done
	ip -batch - <<-EOF || return 1
	link add eth0 netns h1 address $M_H1 type veth peer name eth1 netns gw1 address $M_GW1A
	link add eth2 netns gw1 address $M_GW1B type veth peer name eth2 netns gw2 address $M_GW2B
	link add eth1 netns gw2 address $M_GW2A type veth peer name eth0 netns h2 address $M_H2
	EOF
	host_up 1 || return 1
	ip -n gw1 -batch - <<-EOF || return 1
	$(gw_host_side 1)
	link set eth2 up
	addr add 10.0.12.1/24 dev eth2
	addr add fd00:12::1/64 dev eth2 nodad
	route add 10.0.2.0/24 via 10.0.12.2
	route add fd00:2::/64 via fd00:12::2
	neigh replace 10.0.12.2 lladdr $M_GW2B dev eth2 nud permanent
	neigh replace fd00:12::2 lladdr $M_GW2B dev eth2 nud permanent
	EOF
	ip -n gw2 -batch - <<-EOF || return 1
	$(gw_host_side 2)
	link set eth2 up
	addr add 10.0.12.2/24 dev eth2
	addr add fd00:12::2/64 dev eth2 nodad
	route add 10.0.1.0/24 via 10.0.12.1
	route add fd00:1::/64 via fd00:12::1
	neigh replace 10.0.12.1 lladdr $M_GW1B dev eth2 nud permanent
	neigh replace fd00:12::1 lladdr $M_GW1B dev eth2 nud permanent
	EOF
	host_up 2 || return 1
	for ns in gw1 gw2; do
		nsx "$ns" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1 || return 1
	done
	diag "topology ready after $((SECONDS - t0)) s"
	return 0
}

# clean IPsec state of both gateways (both implementations)
ipsec_flush() {
	local ns
	for ns in gw1 gw2; do
		printf 'xfrm state flush\nxfrm policy flush\n' | ip -n "$ns" -batch -
		printf 'state flush\npolicy flush\n' |
			E "$ns" -batch - >/dev/null 2>&1
	done
	return 0
}

# --- algorithms -------------------------------------------------------------
# alg NAME KEYNO: the ALGO-LIST words (same for ip xfrm and espah); EMPTY
# stands for the empty key of a null algorithm (see algwords)
# a-NAME: NAME run through pcrypt (asynchronous; espah only, see sa())
alg() {
	local k=$2
	case $1 in
	a-*)	# the same words, the algorithm wrapped: pcrypt(NAME)
		local w
		w=$(alg "${1#a-}" "$k") || return 1
		set -- $w
		local kind=$1 name=$2
		shift 2
		echo "$kind pcrypt($name) $*" ;;
	gcm) echo "aead rfc4106(gcm(aes)) 0x$(key 20 "$k") 128" ;;
	gcm256) echo "aead rfc4106(gcm(aes)) 0x$(key 36 "$k") 128" ;;
	cbc) echo "enc cbc(aes) 0x$(key 16 "$k") auth-trunc hmac(sha256) 0x$(key 32 "$((k + 100))") 128" ;;
	cbc1) echo "enc cbc(aes) 0x$(key 16 "$k") auth-trunc hmac(sha1) 0x$(key 20 "$((k + 100))") 96" ;;
	chacha) echo "aead rfc7539esp(chacha20,poly1305) 0x$(key 36 "$k") 128" ;;
	gcm192-64) echo "aead rfc4106(gcm(aes)) 0x$(key 28 "$k") 64" ;;
	gcm-96) echo "aead rfc4106(gcm(aes)) 0x$(key 20 "$k") 96" ;;
	ccm) echo "aead rfc4309(ccm(aes)) 0x$(key 19 "$k") 128" ;;
	ccm256-64) echo "aead rfc4309(ccm(aes)) 0x$(key 35 "$k") 64" ;;
	gmac) echo "aead rfc4543(gcm(aes)) 0x$(key 20 "$k") 128" ;;
	ctr) echo "enc rfc3686(ctr(aes)) 0x$(key 20 "$k") auth-trunc hmac(sha256) 0x$(key 32 "$((k + 100))") 128" ;;
	cbc256-384) echo "enc cbc(aes) 0x$(key 32 "$k") auth-trunc hmac(sha384) 0x$(key 48 "$((k + 100))") 192" ;;
	cbc-512) echo "enc cbc(aes) 0x$(key 16 "$k") auth-trunc hmac(sha512) 0x$(key 64 "$((k + 100))") 256" ;;
	cbc-xcbc) echo "enc cbc(aes) 0x$(key 16 "$k") auth-trunc xcbc(aes) 0x$(key 16 "$((k + 100))") 96" ;;
	null-sha1) echo "enc ecb(cipher_null) EMPTY auth-trunc hmac(sha1) 0x$(key 20 "$((k + 100))") 96" ;;
	cbc-null) echo "enc cbc(aes) 0x$(key 16 "$k") auth digest_null EMPTY" ;;
	*) echo "unknown algorithm $1" >&2; return 1 ;;
	esac
}

# algwords ALG KEYNO: alg's words into the array ALGW, EMPTY made ""
algwords() {
	local i
	read -ra ALGW <<< "$(alg "$1" "$2")"
	for i in "${!ALGW[@]}"; do
		[ "${ALGW[$i]}" != EMPTY ] || ALGW[$i]=""
	done
}

# key BYTES SEED: deterministic hex key, distinct per SEED; in the shell
# alone (a process start costs up to a second in the KASAN guest)
key() {
	local n=$(($1 * 2)) s="" h x=2166136261 i c
	for ((i = 0; i < ${#2}; i++)); do	# FNV-1a over SEED
		printf -v c '%d' "'${2:i:1}"
		x=$(( ((x ^ c) * 16777619) & 0xffffffff ))
	done
	while [ ${#s} -lt $n ]; do		# then an LCG
		x=$(( (x * 1103515245 + 12345) & 0xffffffff ))
		printf -v h '%08x' "$x"
		s+=$h
	done
	echo "${s:0:n}"
}

# --- SAs and policies ---------------------------------------------------------
# sa IMPL NS SRC DST SPI MODE DIR ALG KEYNO [EXTRA...]
#   IMPL: espah | native. DIR: in | out (espah only; native ignores it)
sa() {
	local impl=$1 ns=$2 src=$3 dst=$4 spi=$5 mode=$6 dir=$7 a=$8 k=$9
	shift 9
	# native XFRM takes table names only: its peer runs the plain algorithm
	[ "$impl" = espah ] || a=${a#a-}
	algwords "$a" "$k" || return 1
	if [ "$impl" = espah ]; then
		cfg espah "$ns" state add src "$src" dst "$dst" proto esp \
			spi "$spi" mode "$mode" reqid 1 dir "$dir" \
			replay-window 64 "$@" "${ALGW[@]}"
	else
		cfg native "$ns" state add src "$src" dst "$dst" proto esp \
			spi "$spi" mode "$mode" reqid 1 replay-window 64 "$@" \
			"${ALGW[@]}"
	fi
}

# pol IMPL NS SRC DST DIR TSRC TDST MODE
pol() {
	local impl=$1 ns=$2 src=$3 dst=$4 dir=$5 ts=$6 td=$7 mode=$8
	cfg "$impl" "$ns" policy add src "$src" dst "$dst" dir "$dir" \
		tmpl src "$ts" dst "$td" proto esp mode "$mode" reqid 1
}

# cfg IMPL NS WORD...: an SA or policy command of espah (`espah state
# add ...`) or native XFRM (`ip xfrm state add ...`) in NS: run now, or,
# inside cfg_batch, queued as one line of its batch (an empty word as '')
cfg() {
	local impl=$1 ns=$2 w l="" q="''"
	shift 2
	if [ -n "${CFG_BATCH:-}" ]; then
		for w in "$@"; do l+="${l:+ }${w:-$q}"; done
		CFG_Q+=("$l")
	elif [ "$impl" = espah ]; then
		E "$ns" "$@"
	else
		ip -n "$ns" xfrm "$@"
	fi
}

# cfg_batch IMPL NS CMD...: run CMD (e.g. gw_side), its cfg commands for
# NS sent as one batch: one process instead of one per SA and policy
cfg_batch() {
	local impl=$1 ns=$2 CFG_Q=()
	shift 2
	CFG_BATCH=1 "$@" || return 1
	if [ "$impl" = espah ]; then
		printf '%s\n' "${CFG_Q[@]}" | E "$ns" -batch -
	else
		printf 'xfrm %s\n' "${CFG_Q[@]}" | ip -n "$ns" -batch -
	fi
}

# gw_side IMPL NS LOCAL REMOTE LNET RNET MODE ALG SPI_OUT SPI_IN KEY_OUT KEY_IN
#	[OUT_WORDS [IN_WORDS]]
# One gateway's half of a tunnel (or, with host prefixes, of transport);
# OUT_WORDS and IN_WORDS: more words of the outbound and inbound SA (one
# string each, split at spaces).
gw_side() {
	[ -n "${CFG_BATCH:-}" ] || { cfg_batch "$1" "$2" gw_side "$@"; return; }
	local impl=$1 ns=$2 l=$3 r=$4 ln=$5 rn=$6 mode=$7 a=$8
	local so=$9 si=${10} ko=${11} ki=${12}
	local -a ow iw
	read -ra ow <<< "${13:-}"
	read -ra iw <<< "${14:-}"
	# the selectors let native XFRM pick the inner family of a tunnel whose
	# outer family differs, and make espah check decapsulated packets
	sa "$impl" "$ns" "$l" "$r" "$so" "$mode" out "$a" "$ko" \
		sel src "$ln" dst "$rn" "${ow[@]}" || return 1
	sa "$impl" "$ns" "$r" "$l" "$si" "$mode" in "$a" "$ki" \
		sel src "$rn" dst "$ln" "${iw[@]}" || return 1
	pol "$impl" "$ns" "$ln" "$rn" out "$l" "$r" "$mode" || return 1
	pol "$impl" "$ns" "$rn" "$ln" in "$r" "$l" "$mode" || return 1
	if [ "$mode" = tunnel ]; then
		pol "$impl" "$ns" "$rn" "$ln" fwd "$r" "$l" "$mode" || return 1
	fi
}

# scapy NS PYTHON: run scapy code in a namespace. One python3 per
# namespace serves every call of the suite (importing scapy takes 10 s on
# the stock guest, 30 s on the debug one): each call's code runs with
# fresh globals holding the layers below (not scapy.all: that import alone
# took tens of seconds per run in the KASAN guest). Status 0 if the code
# ran to its end, 1 if it raised; its output goes to stderr. The current
# directory (scripts/e2e) is on its import path: `import esp_craft` works.
SCAPY_SRV='import logging, os, sys, traceback
logging.getLogger("scapy").setLevel(logging.ERROR)
# scapy.data parses Wireshark'"'"'s manuf database (MAC vendor names, which no
# test reads) at import: a third of the import'"'"'s time. It looks for the
# file with os.path.exists.
exists = os.path.exists
os.path.exists = lambda p: not str(p).endswith("wireshark/manuf") and exists(p)
from scapy.config import conf
from scapy.compat import raw
from scapy.packet import Raw
from scapy.layers.l2 import Ether
from scapy.layers.inet import IP, ICMP, UDP, TCP, IPOption_Router_Alert
from scapy.layers.inet6 import IPv6, IPv6ExtHdrFragment, ICMPv6EchoRequest, ICMPv6PacketTooBig
from scapy.layers.ipsec import ESP, AH, SecurityAssociation
from scapy.sendrecv import send, sendp
from scapy.utils import rdpcap
os.path.exists = exists
conf.verb = 0
base = dict(globals())
rep = os.fdopen(3, "w")
for line in sys.stdin:
    try:
        exec(line.rstrip("\n").replace("\x1f", "\n"), dict(base))
        rc = 0
    except SystemExit as e:
        rc = 0 if e.code in (None, 0) else 1
    except Exception:
        traceback.print_exc()
        rc = 1
    sys.stdout.flush()
    print(rc, file=rep, flush=True)'
declare -A PY_IN=() PY_OUT=() PY_PID=()

scapy() {
	local ns=$1 f=/tmp/e2e-py.$$.$1 rc
	if [ -z "${PY_IN[$ns]:-}" ]; then
		rm -f "$f.in" "$f.out"
		mkfifo "$f.in" "$f.out" || return 1
		nsx "$ns" "$PY" -c "$SCAPY_SRV" <"$f.in" 3>"$f.out" >&2 &
		PY_PID[$ns]=$!
		exec {PY_IN[$ns]}>"$f.in" {PY_OUT[$ns]}<"$f.out"
		rm -f "$f.in" "$f.out"
	fi
	printf '%s\n' "${2//$'\n'/$'\x1f'}" >&"${PY_IN[$ns]}" &&
		read -rt 600 -u "${PY_OUT[$ns]}" rc && return "$rc"
	return 1
}

# eth_send NS IFACE DSTMAC SRC DST icmp|udp COUNT: COUNT IPv4 packets
# (an ICMP echo request, or UDP 1234 -> 7), payload "clear", sent raw on
# IFACE with any source address. Plain python3, no scapy: for a suite
# that needs nothing else from scapy (its import costs 20 s in the
# debug guest, python3 alone 2-3 s).
ETH_SEND='import socket, struct, sys
ifc, mac, src, dst, kind, count = sys.argv[1:]
def csum(b):
    b += b"\0" * (len(b) % 2)
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff
if kind == "icmp":
    proto, l4 = 1, struct.pack("!BBHHH", 8, 0, 0, 0x4242, 1) + b"clear"
    l4 = l4[:2] + struct.pack("!H", csum(l4)) + l4[4:]
else:
    proto, l4 = 17, struct.pack("!HHHH", 1234, 7, 13, 0) + b"clear"
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, 64, proto, 0,
                 socket.inet_aton(src), socket.inet_aton(dst))
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifc, 0))
frame = bytes.fromhex(mac.replace(":", "")) + s.getsockname()[4] + b"\x08\x00" + ip + l4
for _ in range(int(count)):
    s.send(frame)'
eth_send() {
	nsx "$1" "$PY" -c "$ETH_SEND" "${@:2}"
}

# scapy_stop [NS]: end the python3 of NS (default: of every namespace)
scapy_stop() {
	local ns
	for ns in "${@:-${!PY_IN[@]}}"; do
		[ -n "${PY_IN[$ns]:-}" ] || continue
		# (a process started since may hold the FIFO open: no EOF)
		exec {PY_IN[$ns]}>&- {PY_OUT[$ns]}<&-
		kill "${PY_PID[$ns]}" 2>/dev/null
		wait "${PY_PID[$ns]}" 2>/dev/null
		unset "PY_IN[$ns]" "PY_OUT[$ns]" "PY_PID[$ns]"
	done
}

# --- the negative suites' IPv4 tunnel: espah gw1, native gw2 ---------------
N1=10.0.1.0/24 N2=10.0.2.0/24 O1=10.0.12.1 O2=10.0.12.2

# tunnel KEY_IN_GW1 [extra espah out-SA words...]: gw1's inbound SA uses
# key KEY_IN_GW1 (2 matches gw2's outbound key)
tunnel() {
	local kin=$1
	shift
	ipsec_flush
	sa espah gw1 $O1 $O2 0x1001 tunnel out gcm 1 sel src $N1 dst $N2 "$@" &&
	sa espah gw1 $O2 $O1 0x2001 tunnel in gcm "$kin" sel src $N2 dst $N1 &&
	pol espah gw1 $N1 $N2 out $O1 $O2 tunnel &&
	pol espah gw1 $N2 $N1 in $O2 $O1 tunnel &&
	pol espah gw1 $N2 $N1 fwd $O2 $O1 tunnel &&
	gw_side native gw2 $O2 $O1 $N2 $N1 tunnel gcm 0x2001 0x1001 2 1
}

# icmp_in NS: ICMP messages received so far in NS
icmp_in() { snmp "$1" snmp Icmp InMsgs; }

# --- counters -----------------------------------------------------------------
# gstat NS NAME...: global espah counters (one read, values in order)
gstat() {
	local ns=$1 n v i
	shift
	local -a r=()
	declare -A val=()
	while read -r n v; do val[$n]=$v; done < <(E "$ns" stats)
	for i in "$@"; do r+=("${val[$i]:-0}"); done
	echo "${r[*]}"
}

# sastat NS SPI NAME...: per-SA espah counters of the first SA with that
# SPI (0 if no such SA), one read, values in order
sastat() {
	local ns=$1 spi line cur=0 w i n
	printf -v spi '0x%08x' "$2"
	shift 2
	local -a r=()
	declare -A val=()
	while IFS= read -r line; do
		case $line in
		$'\t'proto\ *)
			read -ra w <<< "$line"
			cur=0
			for ((i = 0; i + 1 < ${#w[@]}; i++)); do
				[ "${w[i]} ${w[i + 1]}" != "spi $spi" ] || cur=1
			done
			[ ${#val[@]} -eq 0 ] || cur=0 ;;
		$'\t'stats:*)
			[ $cur = 1 ] || continue
			read -ra w <<< "$line"
			for ((i = 1; i + 1 < ${#w[@]}; i += 2)); do
				val[${w[i]}]=${w[i + 1]}
			done
			cur=0 ;;
		esac
	done < <(E "$ns" -s state list)
	for n in "$@"; do r+=("${val[$n]:-0}"); done
	echo "${r[*]}"
}

# nstat_pkts NS SPI: packets of a native SA
nstat_pkts() {
	nsx "$1" ip -s xfrm state | awk -v spi="$(printf '0x%08x' "$2")" '
		$1 == "proto" && $3 == "spi" { cur = (index($4, spi) == 1) }
		cur && /^[ \t]*[0-9]+\(bytes\), [0-9]+\(packets\)/ {
			sub(/\(packets\).*/, "", $2); print $2; exit }'
}

# fragcreates NS: fragments the namespace's IPv4 and IPv6 output created
# (IpFragCreates + Ip6FragCreates), one process
fragcreates() {
	local a b
	a=$(snmp "$1" snmp Ip FragCreates) && b=$(kv "$1" snmp6 Ip6FragCreates) &&
		echo $((a + b))
}

# ge A B: A >= B (integers)
ge() { [ "${1:-0}" -ge "${2:-0}" ] 2>/dev/null; }
# numeq A B: A == B (integers, both present)
numeq() { [ -n "$1" ] && [ -n "$2" ] && [ "$1" -eq "$2" ] 2>/dev/null; }

# capture NS IFACE FILE FILTER...: tcpdump in the background (pid in
# CAP_PID), returns once it captures
capture() {
	local ns=$1 ifc=$2 f=$3 i
	shift 3
	rm -f "$f"
	nsx_argv "$ns" tcpdump --immediate-mode -U -n -s "${CAP_SNAP:-96}" -i "$ifc" -w "$f" "$@" || return 1
	"${NSX_ARGV[@]}" 2>"$f.err" &
	CAP_PID=$!	# tcpdump itself once nsenter has run
	for ((i = 0; i < 100; i++)); do
		grep -q listening "$f.err" 2>/dev/null && return 0
		nap 0.1
	done
	return 1
}
capture_stop() { nap 0.5; kill -INT "$CAP_PID" 2>/dev/null; wait "$CAP_PID" 2>/dev/null; }

# sniff NS IFACE PROTOS: iphdr.py --live on NS's IFACE until sniff_stop,
# one line per packet of those protocols ("SRC DST PROTO DS DF TTL LEN
# FL", see iphdr.py) in a file that `lines NS` reads (one tcpdump per
# case cost 3 s in the guest)
SNIFF=/tmp/e2e-sniff.$$
SNIFF_PIDS=()
L=()
sniff() {
	local f=$SNIFF.$1 i
	: > "$f"
	nsx "$1" "$PY" iphdr.py --live "$2" "$3" >> "$f" 2>&1 &
	SNIFF_PIDS+=($!)
	for ((i = 0; i < 100; i++)); do
		[ -s "$f" ] && return 0
		nap 0.1
	done
	return 1
}

# lines NS: the lines of NS's sniffer so far, in the array L
lines() { mapfile -t L < "$SNIFF.$1"; }

# sniff_stop: end every sniffer, remove their files
sniff_stop() {
	[ ${#SNIFF_PIDS[@]} -eq 0 ] || kill "${SNIFF_PIDS[@]}" 2>/dev/null
	wait "${SNIFF_PIDS[@]}" 2>/dev/null
	SNIFF_PIDS=()
	rm -f "$SNIFF".*
}

# try WHAT CMD...: CMD, its error output as diagnostics if it fails
try() {
	local what=$1 err
	shift
	err=$("$@" 2>&1 >/dev/null) && return 0
	diag "$what: $err"
	return 1
}

# --- traffic --------------------------------------------------------------------
# pings FROM DST [COUNT]: all COUNT echo requests answered
pings() {
	local n=${3:-3}
	nsx "$1" ping -q -c "$n" -i 0.2 -W 3 "$2" >/dev/null 2>&1
}

# A transfer gives up after this long (KASAN and lockdep make the debug
# kernel several times slower).
# BIG_MB: the size of each suite's long transfer (issue 3: at least 10 MB;
# the debug kernel runs the same case with less data).
XFER_TIMEOUT=60 BIG_MB=10
[ "${ESPAH_KIND:-}" = debug ] && XFER_TIMEOUT=180 BIG_MB=2

# tcp_diag NS...: what may explain a failed transfer, as diagnostics
tcp_diag() {
	local ns
	for ns in "$@" gw1 gw2; do
		nsx "$ns" nstat -az 2>/dev/null | awk -v ns="$ns" '$2 != 0 &&
			/TcpRetransSegs|TcpExtTCPTimeouts|IpReasm|IpFrag|IpInDiscards|IpOutDiscards|Xfrm|IpInHdrErrors|IpInAddrErrors|TcpInErrs|TcpInCsumErrors|IpExtInCsumErrors/ {
			print "# " ns ": " $1 " " $2 }'
	done
	for ns in gw1 gw2; do
		E "$ns" stats 2>/dev/null | awk -v ns="$ns" '$2 != 0 { print "# " ns " espah: " $0 }'
		E "$ns" -s state list 2>/dev/null | grep -E 'spi|stats' | sed "s/^/# $ns espah: /"
	done
}

# listening NS_PID PORT: a TCP socket listens on PORT in the namespace of
# process NS_PID (from its /proc/PID/net: no process started)
listening() {
	local port f l st
	printf -v port '%04X' "$2"
	for f in "/proc/$1/net/tcp" "/proc/$1/net/tcp6"; do
		while read -r _ l _ st _; do
			[ "${l##*:}" != "$port" ] || [ "$st" != 0A ] || return 0
		done < "$f"
	done 2>/dev/null
	return 1
}

# nc_listen NS SECONDS PORT OUTFILE [NC_ARG...]: an nc listening on PORT
# in NS for at most SECONDS, writing what it receives to OUTFILE, in the
# background (its pid in NC_PID); returns once it listens, or after 10 s
# (a client's connect must not come first: process starts are slow)
nc_listen() {
	local i
	nsx_argv "$1" timeout "$2" nc "${@:5}" -l -N "$3" || return 1
	"${NSX_ARGV[@]}" > "$4" &
	NC_PID=$!	# in NS once nsenter has run
	for ((i = 0; i < 100; i++)); do
		listening "$NC_PID" "$3" && break
		nap 0.1
	done
}

# tcp_xfer FROM TO_NS TO_ADDR MB: MB megabytes of random data over TCP,
# compared byte for byte with what was sent
tcp_xfer() {
	local from=$1 to=$2 addr=$3 mb=$4 port=$((5000 + RANDOM % 1000))
	local src=/tmp/e2e-src.$$.$4 dst=/tmp/e2e-dst.$$ fam=-4 pid
	# the same data for every transfer of that size in the suite
	[ -s "$src" ] || head -c "$((mb * 1024 * 1024))" /dev/urandom > "$src"
	case $addr in *:*) fam=-6 ;; esac
	# OpenBSD nc listens on IPv4 only unless told otherwise
	nc_listen "$to" "$XFER_TIMEOUT" "$port" "$dst" $fam || return 1
	pid=$NC_PID
	nsx "$from" timeout "$XFER_TIMEOUT" nc -N "$addr" "$port" < "$src"
	wait "$pid"
	cmp -s "$src" "$dst" && { rm -f "$dst"; return 0; }
	diag "received data differs ($(stat -c %s "$dst" 2>/dev/null || echo 0) of $((mb * 1048576)) bytes arrived)"
	tcp_diag "$from" "$to"
	rm -f "$dst"
	return 1
}

# espah must be loaded for any of this
if ! grep -q '^espah ' /proc/modules; then
	echo "not ok 1 - espah module loaded"
	echo "1..1"
	exit 1
fi
