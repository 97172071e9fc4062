#!/bin/bash
# The security properties of the datapath and the control plane, each
# shown by what crosses the wire or reaches a host: no sequence number
# twice under one key while the SA is updated under traffic; the replay
# window kept across an update; the firewall and conntrack see what
# transport mode decapsulates; no implicit IKE port bypass, sockets' xfrm
# bypass policies honoured; nothing readable without CAP_NET_ADMIN;
# per-namespace limits and memory charged to the caller; a peer's valid SA
# cannot deliver another peer's traffic; dummy packets, oversized packets,
# forged ICMP and unparsable headers handled and counted.
# gw1 runs espah, gw2 native XFRM (IPv4); a third namespace, c, is a
# second peer of gw1.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh

SEC="$PY $PWD/sec_tool.py"
PARAMS=/sys/module/espah/parameters
CAP=/tmp/sec-cap.$$
trap 'topo_down; ns_del c 2>/dev/null; ns_del lim 2>/dev/null; rm -f /tmp/e2e-src.$$.* $CAP.*' EXIT

topo_up || not_ok "topology"
tunnel 2 || not_ok "configure tunnel"

# the words of gw1's SAs, for updates with unchanged keys
OUT_SA="src $O1 dst $O2 proto esp spi 0x1001 mode tunnel reqid 1 dir out replay-window 64 sel src $N1 dst $N2 $(alg gcm 1)"
IN_SA="src $O2 dst $O1 proto esp spi 0x2001 mode tunnel reqid 1 dir in replay-window 64 sel src $N2 dst $N1 $(alg gcm 2)"

# --- 1. outbound SA updated (same key) under TCP at full speed ----------
# Bursts (GRO on gw1's LAN side makes forwarded TCP into GSO packets) keep
# an SA reference across many sequence numbers; every update retires the
# SA those packets looked up. Before the fix they went on numbering from
# the retired SA while its replacement continued from the same point.
nsx gw1 ethtool -K eth1 gro on >/dev/null 2>&1
capture gw2 eth2 "$CAP.1" esp || diag "tcpdump did not start"
seqerr0=$(kv gw2 xfrm_stat XfrmInStateSeqError)
inval0=$(gstat gw1 out-state-invalid)
(
	for ((b = 0; b < 8; b++)); do
		for ((i = 0; i < 6; i++)); do echo "state update $OUT_SA"; done |
			E gw1 -batch - >/dev/null
		nap 0.3
	done
) &
upd=$!
check "update under traffic: tcp $((BIG_MB * 2)) MB h1->h2 intact" \
	tcp_xfer h1 h2 10.0.2.1 $((BIG_MB * 2))
wait $upd
capture_stop
read -r nesp ndup < <($SEC dups "$CAP.1")
diag "ESP packets captured: ${nesp:-0}, duplicates: ${ndup:-?}, dropped as retired: $(($(gstat gw1 out-state-invalid) - inval0))"
check "update under traffic: ESP packets captured" ge "${nesp:-0}" 100
check "update under traffic: no (SPI, seq) sent twice" numeq "${ndup:-1}" 0
# the native SA's own replay counter: duplicates inside its window (packets
# left of it, reordered by bursts crossing an update, count elsewhere)
nrep=$(nsx gw2 ip -s -s xfrm state | awk '
	$1 == "proto" && $3 == "spi" { cur = (index($4, "0x00001001") == 1) }
	cur && match($0, /replay-window [0-9]+ replay [0-9]+/) {
		split(substr($0, RSTART, RLENGTH), f, " "); print f[4]; exit }')
[ -n "$nrep" ] || nsx gw2 ip -s -s xfrm state | sed 's/^/# gw2: /' | head -30
diag "native peer: XfrmInStateSeqError +$(($(kv gw2 xfrm_stat XfrmInStateSeqError) - seqerr0)), replays ${nrep:-?}"
check "update under traffic: the native peer saw no replayed number" numeq "${nrep:-1}" 0
nsx gw1 ethtool -K eth1 gro off >/dev/null 2>&1

# --- 2. inbound SA update keeps the replay window -------------------------
CAP_SNAP=0 capture gw1 eth2 "$CAP.2" esp and src $O2 || diag "tcpdump did not start"
check "replay: ping h2->h1" pings h2 10.0.1.1 3
capture_stop
echo "state update $IN_SA" | E gw1 -batch -
r0=$(sastat gw1 0x2001 replay)
ib=$(icmp_in h1)
n=$(nsx gw2 $SEC replay "$CAP.2" eth2)
nap 0.5
diag "replayed ${n:-0} packets: replay counter +$(($(sastat gw1 0x2001 replay) - r0))"
check "replay: 3 captured ESP packets sent again" numeq "${n:-0}" 3
check "replay: after the update, all counted as replays" \
	numeq "$(($(sastat gw1 0x2001 replay) - r0))" 3
check "replay: none reached h1" numeq "$(icmp_in h1)" "$ib"

# --- 7. a second peer's valid SA cannot deliver the first peer's traffic --
# c (10.0.13.3) has its own tunnel SA 0x5001 to gw1 (no selector), for its
# own subnet 10.0.3.0/24; it sends packets with h2's source (gw2's subnet).
ip netns add c && ns_anchor c
ip -batch - <<EOF
link add eth0 netns c address 02:00:00:00:13:03 type veth peer name eth3 netns gw1 address 02:00:00:00:13:01
EOF
ip -n c -batch - <<EOF
link set lo up
link set eth0 up
addr add 10.0.13.3/24 dev eth0
EOF
ip -n gw1 -batch - <<EOF
link set eth3 up
addr add 10.0.13.1/24 dev eth3
route add 10.0.3.0/24 via 10.0.13.3
neigh replace 10.0.13.3 lladdr 02:00:00:00:13:03 dev eth3 nud permanent
EOF
K5=$(key 20 5)
E gw1 -batch - <<EOF
state add src 10.0.13.3 dst 10.0.13.1 proto esp spi 0x5001 mode tunnel reqid 5 dir in replay-window 64 aead rfc4106(gcm(aes)) 0x$K5 128
policy add src 10.0.3.0/24 dst $N1 dir fwd tmpl src 10.0.13.3 dst 10.0.13.1 proto esp mode tunnel reqid 5
EOF
ib=$(icmp_in h1)
pd=$(gstat gw1 in-policy-drop)
nsx c $SEC esp-tunnel eth0 02:00:00:00:13:01 10.0.13.3 10.0.13.1 0x5001 0x$K5 10.0.2.1 10.0.1.1 1 2 3
nap 0.5
check "binding: c's packets decrypted by its SA" numeq "$(sastat gw1 0x5001 packets)" 3
check "binding: with h2's source, none reached h1" numeq "$(icmp_in h1)" "$ib"
check "binding: counted as template mismatch" \
	numeq "$(($(gstat gw1 in-policy-drop) - pd))" 3
nsx c $SEC esp-tunnel eth0 02:00:00:00:13:01 10.0.13.3 10.0.13.1 0x5001 0x$K5 10.0.3.5 10.0.1.1 4 5
nap 0.5
check "binding: with c's own source, both reached h1" numeq "$(icmp_in h1)" "$((ib + 2))"

# 9: a dummy packet (next header 59) is discarded and counted
ib=$(icmp_in h1)
SEC_NH=59 nsx c $SEC esp-tunnel eth0 02:00:00:00:13:01 10.0.13.3 10.0.13.1 0x5001 0x$K5 10.0.3.5 10.0.1.1 6
nap 0.5
check "tunnel dummy packet: counted" numeq "$(sastat gw1 0x5001 dummy)" 1
check "tunnel dummy packet: not delivered" numeq "$(icmp_in h1)" "$ib"

# 9: a DF packet too big for the tunnel: dropped, counted, ICMP sent
tb=$(gstat gw1 out-too-big)
ib=$(icmp_in h1)
nsx h1 ping -q -c 1 -W 2 -M do -s 1460 10.0.2.1 >/dev/null 2>&1
check "too big for the tunnel: counted" ge "$(($(gstat gw1 out-too-big) - tb))" 1
check "too big for the tunnel: frag-needed to h1" ge "$(($(icmp_in h1) - ib))" 1

# 9: ICMP frag-needed about our ESP acted on only with a valid checksum
nsx gw2 $SEC frag-needed eth2 $M_GW1B $O2 $O1 1300 $O1 $O2 0x1001 bad
nap 0.3
check "forged frag-needed (bad checksum): no PMTU exception" \
	bash -c "! ip -n gw1 route get $O2 | grep -q 'mtu 1300'"
nsx gw2 $SEC frag-needed eth2 $M_GW1B $O2 $O1 1300 $O1 $O2 0x1001 good
nap 0.3
check "frag-needed (valid checksum): PMTU exception 1300" \
	bash -c "ip -n gw1 route get $O2 | grep -q 'mtu 1300'"

# 9: a truncated UDP header under a protect policy fails closed
fe=$(gstat gw1 in-flow-error)
nsx gw2 $SEC udp-raw eth2 $M_GW1B 10.0.2.1 1234 10.0.1.1 7 3
nap 0.3
check "truncated UDP header: dropped, counted" numeq "$(($(gstat gw1 in-flow-error) - fe))" 1

# --- transport mode between the gateways, protect-all --------------------
ipsec_flush
gw_side espah gw1 $O1 $O2 $O1/32 $O2/32 transport gcm 0x3001 0x3002 1 2 &&
	gw_side native gw2 $O2 $O1 $O2/32 $O1/32 transport gcm 0x3002 0x3001 2 1 ||
	not_ok "configure transport"

# --- 3. the firewall and conntrack see decapsulated transport packets ----
nsx gw1 nft -f - <<EOF
table inet sec {
	chain in {
		type filter hook input priority 0;
		tcp dport 7001 drop
		ct state new tcp dport 7002 counter accept
	}
}
EOF
p0=$(sastat gw1 0x3002 packets)
nc_listen gw1 8 7001 "$CAP.7001"
p7001=$NC_PID
nc_listen gw1 8 7002 "$CAP.7002"
p7002=$NC_PID
echo sec-data | nsx gw2 timeout 4 nc -N $O1 7001 >/dev/null 2>&1
echo sec-data | nsx gw2 timeout 4 nc -N $O1 7002 >/dev/null 2>&1
# the listener on 7001 waits for nothing: the SYNs were dropped
wait $p7002
kill "$p7001" 2>/dev/null
wait $p7001
check "firewall: SYNs to 7001 came over ESP" ge "$(($(sastat gw1 0x3002 packets) - p0))" 2
check "firewall: tcp dport 7001 dropped" [ ! -s "$CAP.7001" ]
check "firewall: tcp dport 7002 reached" grep -q sec-data "$CAP.7002"
cnt=$(nsx gw1 nft list chain inet sec in | sed -n 's/.*dport 7002 counter packets \([0-9]*\).*/\1/p')
check "firewall: ct state new counter moved" ge "${cnt:-0}" 1
nsx gw1 nft delete table inet sec

# --- 4. no implicit IKE port bypass; sockets' bypass policies honoured ---
p0=$(sastat gw1 0x3001 packets)
nsx gw1 $SEC udp-send $O1 40000 $O2 4500 5
check "IKE ports: an ordinary socket's UDP to 4500 is protected" \
	ge "$(($(sastat gw1 0x3001 packets) - p0))" 5
pd=$(gstat gw1 in-policy-drop)
for i in 1 2 3; do nsx gw2 $SEC udp-raw eth2 $M_GW1B $O2 4500 $O1 9999 20; done
nap 0.3
check "IKE ports: cleartext from port 4500 dropped, counted" \
	numeq "$(($(gstat gw1 in-policy-drop) - pd))" 3
# both sides' sockets carry bypass policies, as charon's and pluto's do
rm -f /tmp/sec-udp-ready.4500
p0=$(sastat gw1 0x3001 packets 0x3002 packets)
nsx gw1 $SEC udp-recv --bypass $O1 4500 8 > "$CAP.r1" &
r1=$!
for ((i = 0; i < 100; i++)); do [ -e /tmp/sec-udp-ready.4500 ] && break; nap 0.1; done
nsx gw2 $SEC udp-send --bypass $O2 4500 $O1 4500 5
wait $r1
check "bypass socket: cleartext from a bypass socket received" numeq "$(< "$CAP.r1")" 5
rm -f /tmp/sec-udp-ready.4500
nsx gw2 $SEC udp-recv --bypass $O2 4500 8 > "$CAP.r2" &
r2=$!
for ((i = 0; i < 100; i++)); do [ -e /tmp/sec-udp-ready.4500 ] && break; nap 0.1; done
nsx gw1 $SEC udp-send --bypass $O1 4500 $O2 4500 5
wait $r2
check "bypass socket: sent in clear, received by the peer's bypass socket" \
	numeq "$(< "$CAP.r2")" 5
check "bypass socket: espah's SAs untouched" [ "$(sastat gw1 0x3001 packets 0x3002 packets)" = "$p0" ]

# 9: a datagram that would exceed 64 KiB once encapsulated is dropped
tb=$(gstat gw1 out-too-big)
p0=$(sastat gw1 0x3001 packets)
nsx gw1 $SEC udp-big $O1 $O2 9 65500
nap 0.3
check "64 KiB: oversized datagram counted" numeq "$(($(gstat gw1 out-too-big) - tb))" 1
nsx gw1 $SEC udp-big $O1 $O2 9 60000
nap 0.3
check "64 KiB: a 60000-byte datagram is sent" numeq "$(($(sastat gw1 0x3001 packets) - p0))" 1

# --- 5. nothing readable without CAP_NET_ADMIN ---------------------------
NOBODY="setpriv --reuid 65534 --regid 65534 --clear-groups --inh-caps=-all"
for cmd in "state list" "policy list" "stats" "state count"; do
	# shellcheck disable=SC2086
	out=$(nsx gw1 $NOBODY "$ESPAH_TOOL" $cmd 2>&1)
	rc=$?
	check "unprivileged '$cmd' refused" [ $rc -ne 0 ]
	check "unprivileged '$cmd': message says why" \
		grep -qi "not permitted\|CAP_NET_ADMIN" <<< "$out"
done
out=$(nsx gw1 timeout 5 $NOBODY "$ESPAH_TOOL" monitor 2>&1)
rc=$?
check "unprivileged monitor refused at once (not timed out)" [ $rc -ne 0 ] && [ $rc -ne 124 ]
check "unprivileged monitor: message says why" grep -qi "not permitted\|CAP_NET_ADMIN" <<< "$out"
# shellcheck disable=SC2086
features_as_nobody() { nsx gw1 $NOBODY "$ESPAH_TOOL" -j features > /dev/null; }
check "unprivileged features allowed" features_as_nobody

# --- 6. per-namespace limits; memory charged to the caller --------------
ip netns add lim
WIN=1048576
big_sa() { echo "state add src 10.9.0.1 dst 10.9.0.2 proto esp spi $1 mode transport dir in replay-window ${2:-64} $(alg gcm 1)"; }
old_sas=$(< $PARAMS/max_sas) old_rkb=$(< $PARAMS/max_replay_kb) old_pol=$(< $PARAMS/max_policies)
echo 3 > $PARAMS/max_sas
for s in 1 2 3; do big_sa 0x70$s; done | E lim -batch - >/dev/null
out=$(big_sa 0x704 | E lim -batch - 2>&1)
check "max_sas: the 4th SA refused" [ "$(E lim state count 2>/dev/null | tr -dc 0-9)" = 3 ]
check "max_sas: the message names the limit" grep -q max_sas <<< "$out"
# an unprivileged user in a user namespace of their own: allowed, limited
for s in 1 2 3 4; do big_sa 0x71$s; done > "$CAP.u"
out=$(nsx gw1 $NOBODY unshare -Urn sh -c \
	"$ESPAH_TOOL -batch $CAP.u 2>&1; $ESPAH_TOOL state count" 2>&1)
check "unprivileged user namespace: SAs allowed up to max_sas" grep -q 'count 3$' <<< "$out"
check "unprivileged user namespace: the 4th refused, limit named" grep -q max_sas <<< "$out"
E lim state flush
echo "$old_sas" > $PARAMS/max_sas
echo 600 > $PARAMS/max_replay_kb
{ big_sa 0x801 $WIN; big_sa 0x802 $WIN; } | E lim -batch - >/dev/null
out=$(big_sa 0x803 $WIN | E lim -batch - 2>&1)
check "max_replay_kb: two 2^20 windows fit 600 KiB, the third refused" \
	[ "$(E lim state count 2>/dev/null | tr -dc 0-9)" = 2 ]
check "max_replay_kb: the message names the attribute and the limit" \
	grep -q "REPLAY_WINDOW.*max_replay_kb" <<< "$out"
E lim state flush
echo "$old_rkb" > $PARAMS/max_replay_kb
echo 2 > $PARAMS/max_policies
for i in 1 2 3; do echo "policy add src 10.8.$i.0/24 dst 10.9.0.0/24 dir out action block"; done |
	E lim -batch - > "$CAP.pol" 2>&1
check "max_policies: the 3rd policy refused, limit named" grep -q max_policies "$CAP.pol"
E lim policy flush
echo "$old_pol" > $PARAMS/max_policies

# memory charged: 16 SAs with 2^20-packet windows (256 KiB each) added by
# a process in a memory cgroup of its own
CG=/sys/fs/cgroup
[ -e $CG/cgroup.controllers ] || mount -t cgroup2 none $CG
echo +memory > $CG/cgroup.subtree_control 2>/dev/null
mkdir -p $CG/espahsec
m0=$(< $CG/espahsec/memory.current)
for s in $(seq 1 16); do big_sa $((0x900 + s)) $WIN; done > "$CAP.win"
bash -c "echo \$\$ > $CG/espahsec/cgroup.procs; exec $ESPAH_TOOL -n lim -batch $CAP.win"
m1=$(< $CG/espahsec/memory.current)
diag "memory.current of the adding cgroup: $m0 -> $m1"
check "memory: 16 x 256 KiB windows charged to the caller's cgroup" \
	ge "$((m1 - m0))" $((3 * 1024 * 1024))
E lim state flush
ns_del lim
for ((i = 0; i < 50; i++)); do
	[ "$(< $CG/espahsec/memory.current)" -lt $((m0 + 1024 * 1024)) ] && break
	nap 0.2
done
check "memory: uncharged when the SAs go" \
	[ "$(< $CG/espahsec/memory.current)" -lt $((m0 + 1024 * 1024)) ]
rmdir $CG/espahsec 2>/dev/null

ipsec_flush
ns_del c
topo_down
finish
