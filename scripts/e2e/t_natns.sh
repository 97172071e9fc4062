#!/bin/bash
# NAT traversal through a NAT: a namespace `nat` between the gateways
# masquerades one side's ESP in UDP to a single port (lib.sh's NAT
# topology), IPv4 tunnels h1 <-> h2.
#
#  1. espah on gw1 behind the NAT, native XFRM responder on gw2: traffic
#     both ways; NAT keepalives (natt-keepalive 1) seen on the NAT's
#     outside at the interval while the tunnel is idle, none while
#     traffic flows.
#  2. native XFRM on gw2 behind the NAT, espah responder on gw1 with
#     flag natt-update: the NAT rebinds (conntrack flushed, a new port)
#     in the middle of a TCP stream and a ping train; espah raises the
#     mapping event (espah -j monitor) and moves its SAs to the new
#     port: the stream completes, the pings come back. A packet with a
#     bad ICV from a third port moves nothing and raises nothing; an
#     old packet replayed from the old port neither.
#     The SAs' outer route is looked up again for the new port (policy
#     routing on it applies).
#  3. the same without natt-update: the event arrives, the SAs stay.
#  4. strongSwan's charon with encap = yes on both gateways, gw2 behind
#     the NAT: espah carries gw1's CHILD_SA (if_id 42) in UDP; after a
#     rebinding native's key managers hear of the new mapping from espah
#     (km_new_mapping: ip xfrm monitor's "Mapping change", and charon,
#     which moves the CHILD_SA to the new port: traffic flows again).
#
#  6. IPv6 between the gateways, espah on gw1 behind a NAT66 (nft
#     masquerade to one port), native responder: IPv4 inside both ways,
#     the ESP in UDP on the NAT's outside from its port only, every UDP
#     checksum present (IPv6 has no zero checksum).
#
#  5. a carried SA (the xfrm bridge, if_id 42), gw2 behind the NAT: its
#     first packet comes from another port than the one the SA was keyed
#     with: ip xfrm monitor shows the Mapping change (km_new_mapping).
#
# Native XFRM decapsulates ESP in UDP only on a UDP_ENCAP socket: gw2
# holds one (as in t_natt) in every case.
#
# The debug kernel's make test runs 1, 2, 5 and 6 (each NAT path once under
# KASAN and lockdep); the stock kernel, `make soak` and NATNS_FULL=1 all.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh
# shellcheck source=scripts/e2e/ike.sh
. ./ike.sh
# shellcheck source=scripts/e2e/natns.sh
. ./natns.sh

NSS="h1 gw1 nat gw2 h2"
CAP=/tmp/e2e-natns.$$.pcap
MON=/tmp/e2e-natns.$$.mon
NATA=10.0.13.254	# the NAT, seen from gw1's side
NATB=10.0.23.254	# the NAT, seen from gw2's side

# SENDU SPORT DST HEX: one UDP datagram from SPORT to DST port 4500
SENDU='import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.sendto(bytes.fromhex(sys.argv[3]), (sys.argv[2], 4500))'

# PCAP_ESP FILE SPI: the UDP payload of the first ESP-in-UDP packet of
# SPI in a pcap (Ethernet), as hex
PCAP_ESP='import struct, sys
d = open(sys.argv[1], "rb").read()
spi = int(sys.argv[2], 0)
off = 24
while off + 16 <= len(d):
    n = struct.unpack_from("<I", d, off + 8)[0]
    p = d[off + 16:off + 16 + n]
    off += 16 + n
    if len(p) < 42 or p[12:14] != b"\x08\x00" or p[23] != 17:
        continue
    u = 14 + (p[14] & 15) * 4
    e = p[u + 8:]
    if len(e) > 8 and struct.unpack_from("!I", e)[0] == spi:
        print(e.hex())
        break'

# STREAM PORT DST N: N chunks of 4 KiB over TCP to DST:PORT, one every
# 0.1 s, then close
STREAM='import socket, sys, time
s = socket.create_connection((sys.argv[2], int(sys.argv[1])), timeout=30)
for i in range(int(sys.argv[3])):
    s.sendall(bytes([i % 256]) * 4096)
    time.sleep(0.1)
s.close()'

# pcount FILTER: packets of the capture that match a tcpdump filter
pcount() { tcpdump -r "$CAP" -n "$@" 2>/dev/null | wc -l; }

# keepalive filter: UDP with the one byte 0xff
KA='udp and udp[4:2] = 9 and udp[8] = 0xff'

# side IMPL NS LOCAL REMOTE LNET RNET SPI_OUT SPI_IN KEY_OUT KEY_IN
#	SPORT DPORT [OUT_EXTRA [IN_EXTRA]]: one gateway's tunnel, its ESP in
# UDP from LOCAL:SPORT to REMOTE:DPORT (and back), gcm
side() {
	[ -n "${CFG_BATCH:-}" ] || { cfg_batch "$1" "$2" side "$@"; return; }
	local impl=$1 ns=$2 la=$3 ra=$4 ln=$5 rn=$6 so=$7 si=$8 ko=$9 ki=${10}
	local sp=${11} dp=${12} ox=${13:-} ix=${14:-}
	# shellcheck disable=SC2086 # the extra words split on purpose
	sa "$impl" "$ns" "$la" "$ra" "$so" tunnel out gcm "$ko" \
		sel src "$ln" dst "$rn" encap espinudp "$sp" "$dp" 0.0.0.0 $ox || return 1
	# shellcheck disable=SC2086
	sa "$impl" "$ns" "$ra" "$la" "$si" tunnel in gcm "$ki" \
		sel src "$rn" dst "$ln" encap espinudp "$dp" "$sp" 0.0.0.0 $ix || return 1
	pol "$impl" "$ns" "$ln" "$rn" out "$la" "$ra" tunnel || return 1
	pol "$impl" "$ns" "$rn" "$ln" in "$ra" "$la" tunnel || return 1
	pol "$impl" "$ns" "$rn" "$ln" fwd "$ra" "$la" tunnel
}

# encap_of NS SPI: "SPORT DPORT" of an espah SA
encap_of() {
	E "$1" -j state list | jq -r --argjson spi "$(($2))" \
		'.[] | select(.spi == $spi) | "\(.encap.sport) \(.encap.dport)"'
}

# monitor_start [-j] / monitor_stop: espah [-j] monitor of gw1 into $MON
monitor_start() {
	rm -f "$MON"
	nsx_argv gw1 "$ESPAH_TOOL" "$@" monitor || return 1
	"${NSX_ARGV[@]}" > "$MON" 2>&1 &
	MON_PID=$!
	# the time to start and subscribe
	nap 0.7
	[ -d "/proc/$MON_PID" ]
}
monitor_stop() { nap 0.3; kill "$MON_PID" 2>/dev/null; wait "$MON_PID" 2>/dev/null; }

# mappings JQ_FILTER: mapping events in $MON that match
mappings() {
	jq -c "select(.event == \"sa-mapping\") | select($1)" "$MON" 2>/dev/null | wc -l
}

# 1. espah behind the NAT, native responder; keepalives
behind() {
	local name="espah behind NAT" k0 k1 idle ppid gaps
	ipsec_flush
	if ! nat_rule gw1 40000 ||
	   ! side espah gw1 10.0.13.1 10.0.23.2 10.0.1.0/24 10.0.2.0/24 \
		0x5001 0x6001 5 6 4500 4500 "natt-keepalive 1" ||
	   ! side native gw2 10.0.23.2 $NATB 10.0.2.0/24 10.0.1.0/24 \
		0x6001 0x5001 6 5 4500 40000; then
		not_ok "$name: configure"
		return
	fi
	check "$name: SA lists natt-keepalive 1" \
		grep -q "natt-keepalive 1" <(E gw1 state list)
	check "$name: JSON natt-keepalive" numeq \
		"$(E gw1 -j state list | jq '[.[] | select(.encap["natt-keepalive"] == 1)] | length')" 1
	check "$name: espah save keeps natt-keepalive" \
		grep -q "encap espinudp 4500 4500 0.0.0.0 natt-keepalive 1" <(E gw1 save)
	check "$name: ping h1->h2" pings h1 10.0.2.1 3
	check "$name: ping h2->h1" pings h2 10.0.1.1 3
	check "$name: native responder decrypted espah's packets" \
		ge "$(nstat_pkts gw2 0x5001)" 6
	check "$name: espah decrypted native's" ge "$(sastat gw1 0x6001 packets)" 6
	# idle: a keepalive a second
	k0=$(sastat gw1 0x5001 natt-keepalive)
	if ! capture nat eth2 "$CAP" udp; then
		not_ok "$name: capture"
		return
	fi
	nap 3.5
	capture_stop
	k1=$(sastat gw1 0x5001 natt-keepalive)
	idle=$(pcount "$KA and src host $NATB and src port 40000 and dst port 4500")
	# the shortest and the longest gap between two of them, in ms
	gaps=$(tcpdump -r "$CAP" -n -tt "$KA" 2>/dev/null | awk '
		{ t = $1 * 1000; if (p) { d = t - p; if (mn == "" || d < mn) mn = d
		  if (d > mx) mx = d } p = t }
		END { printf "%d %d", mn, mx }')
	diag "$name: idle 3.5 s: $idle keepalives on the NAT's outside (gaps $gaps ms), SA counted $k0 -> $k1"
	check "$name: idle: keepalives through the NAT (at least 2 in 3.5 s)" ge "$idle" 2
	check "$name: ... one per interval (gaps of 0.9 s to 2.5 s)" \
		bash -c "read -r mn mx <<< '$gaps'; [ \$mn -ge 900 ] && [ \$mx -le 2500 ]"
	check "$name: keepalives counted on the SA" ge "$((k1 - k0))" "$idle"
	check "$name: ... and in the namespace's total" ge "$(gstat gw1 out-natt-keepalive)" "$k1"
	# traffic: none, once the pings run (a ping every 0.2 s)
	if ! capture nat eth2 "$CAP" udp; then
		not_ok "$name: capture"
		return
	fi
	nsx h1 ping -q -c 20 -i 0.2 -W 2 10.0.2.1 >/dev/null 2>&1 &
	ppid=$!
	nap 1
	k0=$(sastat gw1 0x5001 natt-keepalive)
	nap 2
	k1=$(sastat gw1 0x5001 natt-keepalive)
	wait "$ppid"
	capture_stop
	diag "$name: pings: keepalives $k0 -> $k1 while they ran, ESP in UDP $(pcount 'udp port 40000 and not ('"$KA"')')"
	check "$name: traffic flows through the NAT" ge "$(pcount "udp and src port 40000 and not ($KA)")" 15
	check "$name: no keepalive while traffic flows" numeq "$k1" "$k0"
}

# 6. IPv6 outside: espah behind a NAT66, native responder
behind6() {
	local name="IPv6: espah behind NAT66" n0 z
	ipsec_flush
	if ! try "$name: IPv6 through nat" nat6_up 40006 ||
	   ! side espah gw1 fd00:13::1 fd00:23::2 10.0.1.0/24 10.0.2.0/24 \
		0x5101 0x6101 7 8 4500 4500 ||
	   ! side native gw2 fd00:23::2 fd00:23::fe 10.0.2.0/24 10.0.1.0/24 \
		0x6101 0x5101 8 7 4500 40006; then
		not_ok "$name: configure"
		return
	fi
	if ! capture nat eth2 "$CAP" udp; then
		not_ok "$name: capture"
		return
	fi
	check "$name: ping h1->h2" pings h1 10.0.2.1 3
	check "$name: ping h2->h1" pings h2 10.0.1.1 3
	capture_stop
	check "$name: native responder decrypted espah's packets" \
		ge "$(nstat_pkts gw2 0x5101)" 6
	check "$name: espah decrypted native's" ge "$(sastat gw1 0x6101 packets)" 6
	n0=$(pcount "ip6 and src host fd00:23::fe and src port 40006 and dst port 4500")
	check "$name: the NAT's outside: ESP in UDP from its port 40006 ($n0)" ge "$n0" 6
	check "$name: ... and none from gw1's own address" \
		numeq "$(pcount "ip6 and src host fd00:13::1")" 0
	# the UDP checksum: bytes 6-7 of the UDP header after the 40-byte IPv6 header
	z=$(pcount "ip6 and udp and ip6[46:2] = 0")
	check "$name: every UDP checksum set" numeq "$z" 0
	nsx nat nft delete table ip6 natns6 2>/dev/null
}

# espah's responder of case 2/3: in SA 0x6001 from the NAT's port 40000
responder() { # responder IN_EXTRA
	ipsec_flush
	nat_rule gw2 40000 &&
	side native gw2 10.0.23.2 10.0.13.1 10.0.2.0/24 10.0.1.0/24 \
		0x6001 0x5001 6 5 4500 4500 &&
	side espah gw1 10.0.13.1 $NATA 10.0.1.0/24 10.0.2.0/24 \
		0x5001 0x6001 5 6 4500 40000 "" "$1"
}

# 2. native behind the NAT, espah follows the rebinding
follow() {
	local name="NAT rebinding, natt-update" out=/tmp/e2e-natns-rx.$$ npid spid
	local old icv0 rp0 m0 n0 port=$((6000 + RANDOM % 1000)) got ppid
	if ! responder "flag natt-update"; then
		not_ok "$name: configure"
		return
	fi
	check "$name: flag natt-update listed" grep -q "flag natt-update" <(E gw1 state list)
	check "$name: espah save keeps the flag" grep -q "flag natt-update" <(E gw1 save)
	monitor_start -j || { not_ok "$name: monitor"; return; }
	if ! CAP_SNAP=0 capture gw1 eth2 "$CAP" udp; then
		not_ok "$name: capture"
		return
	fi
	check "$name: ping h2->h1 through the NAT" pings h2 10.0.1.1 3
	check "$name: no mapping change yet" numeq "$(sastat gw1 0x6001 natt-mapping)" 0
	capture_stop
	old=$(nsx gw1 "$PY" -c "$PCAP_ESP" "$CAP" 0x6001)
	check "$name: an old ESP packet of 0x6001 kept for the replay" test -n "$old"
	# a TCP stream h2 -> h1 and a ping train, the NAT rebinding in the middle
	nc_listen h1 30 "$port" "$out"
	npid=$NC_PID
	nsx h2 "$PY" -c "$STREAM" "$port" 10.0.1.1 40 2>/dev/null &
	spid=$!
	nsx h2 ping -c 20 -i 0.2 -W 2 10.0.1.1 > /tmp/e2e-natns-ping.$$ 2>&1 &
	ppid=$!
	nap 1.5
	nat_rebind 40001
	wait "$spid"
	wait "$npid"
	got=$(stat -c %s "$out" 2>/dev/null || echo 0)
	wait "$ppid"
	diag "$name: stream: $got of $((40 * 4096)) bytes; pings: $(grep -o '[0-9]* received' /tmp/e2e-natns-ping.$$)"
	check "$name: the TCP stream completed across the rebinding" numeq "$got" $((40 * 4096))
	check "$name: pings after the rebinding came back" \
		ge "$(grep -o '[0-9]* received' /tmp/e2e-natns-ping.$$ | tr -dc 0-9)" 14
	check "$name: in SA now records port 40001" \
		[ "$(encap_of gw1 0x6001)" = "40001 4500" ]
	check "$name: out SA now sends to port 40001" \
		[ "$(encap_of gw1 0x5001)" = "4500 40001" ]
	check "$name: mapping change counted on the SA" ge "$(sastat gw1 0x6001 natt-mapping)" 1
	check "$name: ... and the update" ge "$(gstat gw1 natt-mapping-updated)" 1
	check "$name: ping h1->h2 after the rebinding" pings h1 10.0.2.1 3
	# negatives: nothing may move the mapping now
	local rr0 rr
	read -r icv0 rp0 rr0 m0 <<< "$(sastat gw1 0x6001 icv-fail replay old natt-mapping)"
	n0=$(gstat gw1 natt-mapping)
	nsx nat "$PY" -c "$SENDU" 40555 10.0.13.1 \
		"00006001$(printf '%08x' 100000)$(key 56 bad)"
	nsx nat "$PY" -c "$SENDU" 40000 10.0.13.1 "$old"
	nap 0.5
	check "$name: bad ICV from a new port: dropped, counted" \
		numeq "$(sastat gw1 0x6001 icv-fail)" $((icv0 + 1))
	read -r rp rr <<< "$(sastat gw1 0x6001 replay old)"
	check "$name: old packet replayed from the old port: dropped (replay or old)" \
		numeq "$((rp + rr))" $((rp0 + rr0 + 1))
	check "$name: neither counted as a mapping change" \
		numeq "$(sastat gw1 0x6001 natt-mapping)" "$m0"
	check "$name: ... nor reported" numeq "$(gstat gw1 natt-mapping)" "$n0"
	check "$name: the SAs keep port 40001" \
		[ "$(encap_of gw1 0x6001) $(encap_of gw1 0x5001)" = "40001 4500 4500 40001" ]
	check "$name: traffic still flows" pings h2 10.0.1.1 3
	monitor_stop
	diag "$name: events: $(grep -c sa-mapping "$MON")"
	check "$name: monitor -j: sa-mapping 40000 -> 40001, updated" ge \
		"$(mappings ".spi == $((0x6001)) and .\"old-addr\" == \"$NATA\" and .\"old-port\" == 40000 and .\"new-addr\" == \"$NATA\" and .\"new-port\" == 40001 and .updated == true")" 1
	check "$name: no event for port 40555 or back to 40000" numeq \
		"$(mappings '."new-port" == 40555 or ."new-port" == 40000')" 0
	rm -f "$out" /tmp/e2e-natns-ping.$$
}

# noseq NS SPI: the last sequence number a native SA sent
noseq() {
	ip -n "$1" -s xfrm state | awk -v spi="$(printf '0x%08x' "$2")" '
		$1 == "proto" && $3 == "spi" { cur = (index($4, spi) == 1) }
		cur && /oseq/ { sub(/.*oseq /, ""); sub(/,.*/, ""); print; exit }'
}

# 2b. a late packet (never seen, inside the window, authentic) from the
# old port after the SAs moved: accepted, reported, but not moving them
# back (only the newest packet moves them)
late() {
	local name="NAT rebinding, late packet" seq pkt m0 p0
	if ! responder "flag natt-update"; then
		not_ok "$name: configure"
		return
	fi
	check "$name: ping h2->h1" pings h2 10.0.1.1 2
	seq=$(noseq gw2 0x6001)
	# the NAT loses gw2's next ESP packet; the capture keeps it
	if ! nsx nat nft -f - <<-EOF || ! CAP_SNAP=0 capture nat eth2 "$CAP" udp dst port 4500; then
	table ip natdrop {
		chain lose {
			type filter hook forward priority 0;
			udp dport 4500 @th,96,32 $((seq + 1)) drop
		}
	}
	EOF
		not_ok "$name: drop rule and capture"
		return
	fi
	nsx h2 ping -q -c 1 -W 1 10.0.1.1 >/dev/null 2>&1
	capture_stop
	nsx nat nft delete table ip natdrop
	pkt=$(nsx nat "$PY" -c "$PCAP_ESP" "$CAP" 0x6001)
	check "$name: gw2's packet $((seq + 1)) caught, not delivered" test -n "$pkt"
	nat_rebind 40004
	check "$name: the SAs follow the rebinding" pings h2 10.0.1.1 3
	read -r m0 p0 <<< "$(sastat gw1 0x6001 natt-mapping packets)"
	nsx nat "$PY" -c "$SENDU" 40000 10.0.13.1 "$pkt"
	nap 0.5
	check "$name: the late packet from the old port is accepted" \
		numeq "$(sastat gw1 0x6001 packets)" $((p0 + 1))
	check "$name: ... counted as a mapping change" \
		numeq "$(sastat gw1 0x6001 natt-mapping)" $((m0 + 1))
	check "$name: ... but the SAs stay on port 40004" \
		[ "$(encap_of gw1 0x6001) $(encap_of gw1 0x5001)" = "40004 4500 4500 40004" ]
	check "$name: traffic still flows" pings h2 10.0.1.1 2
}

# 2c. the outer route follows the SAs to the new port: gw1's policy
# routing refuses ESP in UDP to the NAT's port 40006 (a route cached for
# the old port would still send them)
reroute() {
	local name="NAT rebinding, policy routing on the port" e0 got
	# the rule first: a rule change flushes every cached route
	nsx gw1 ip rule add ipproto udp dport 40006 prohibit ||
		{ not_ok "$name: ip rule"; return; }
	if ! responder "flag natt-update" || ! pings h2 10.0.1.1 2; then
		not_ok "$name: configure"
		nsx gw1 ip rule del ipproto udp dport 40006 prohibit
		return
	fi
	e0=$(gstat gw1 out-error)
	nat_rebind 40006
	got=$(nsx h2 ping -c 3 -i 0.3 -W 1 10.0.1.1 2>&1 | grep -o '[0-9]* received' | tr -dc 0-9)
	check "$name: the SAs moved to port 40006" \
		[ "$(encap_of gw1 0x6001) $(encap_of gw1 0x5001)" = "40006 4500 4500 40006" ]
	check "$name: espah's answers found no route (out-error)" \
		ge "$(gstat gw1 out-error)" $((e0 + 3))
	check "$name: ... so no echo reply came back" numeq "${got:-0}" 0
	nsx gw1 ip rule del ipproto udp dport 40006 prohibit
	check "$name: without the rule the answers flow" pings h2 10.0.1.1 3
}

# 3. without natt-update: reported, not applied
report_only() {
	local name="NAT rebinding, no natt-update"
	if ! responder ""; then
		not_ok "$name: configure"
		return
	fi
	check "$name: ping h2->h1" pings h2 10.0.1.1 3
	E gw1 -j monitor > "$MON.j" 2>&1 &
	MONJ_PID=$!
	monitor_start || { not_ok "$name: monitor"; return; }
	nat_rebind 40002
	# h2's echo requests reach h1 through the new mapping; the answers
	# go to the old port, which the NAT no longer maps
	nsx h2 ping -q -c 3 -i 0.3 -W 1 10.0.1.1 >/dev/null 2>&1
	monitor_stop
	kill "$MONJ_PID" 2>/dev/null
	wait "$MONJ_PID" 2>/dev/null
	diag "$name: monitor: $(tr '\n' ' ' < "$MON")"
	check "$name: monitor text: the mapping, reported" grep -q \
		"^Mapping spi 0x00006001 dst 10.0.13.1 proto esp reqid 1: $NATA port 40000 -> $NATA port 40002 reported$" "$MON"
	mv "$MON.j" "$MON"
	check "$name: the SAs keep port 40000" \
		[ "$(encap_of gw1 0x6001) $(encap_of gw1 0x5001)" = "40000 4500 4500 40000" ]
	check "$name: mapping change counted" ge "$(sastat gw1 0x6001 natt-mapping)" 1
	check "$name: one event (rate limit: one a second per SA)" numeq \
		"$(mappings '."new-port" == 40002 and .updated == false')" 1
	check "$name: the rest suppressed and counted" \
		ge "$(gstat gw1 natt-mapping-suppressed)" 1
}

# 4. charon, forced UDP encapsulation, gw2 behind the NAT; gw2's charon
# takes port 4500, so the UDP_ENCAP socket of the other cases is gone
charon_case() {
	local name="charon encap=yes through the NAT" log=$IKE_DIR/gw1/charon.log
	local xm=/tmp/e2e-natns-xm.$$ xpid n0
	local IKE_OPTS=("encap = yes")
	ipsec_flush
	if ! nat_rule gw2 40000 || ! E gw1 xfrm attach if-id 42 ||
	   ! ike_conf gw1 10.0.13.1 %any 10.0.1.0/24 10.0.2.0/24 42 ||
	   ! ike_conf gw2 10.0.23.2 10.0.13.1 10.0.2.0/24 10.0.1.0/24 "" ||
	   ! ike_start gw1 || ! ike_start gw2 ||
	   ! capture nat eth1 "$CAP" udp or esp; then
		not_ok "$name: configure"
		ike_stop gw1 gw2
		E gw1 xfrm detach
		return
	fi
	check "$name: initiate from gw2 (native, behind the NAT)" \
		sw gw2 --initiate --child net --timeout 20
	# shellcheck disable=SC2016 # eval's, each try
	check "$name: espah carries the CHILD_SA" wait_for 10 \
		eval '[ "$(espah_spis gw1 | grep -c .)" = 2 ]'
	check "$name: its SAs in UDP to and from the NAT's port 40000" numeq \
		"$(E gw1 state list | grep -c "encap type espinudp sport \(4500 dport 40000\|40000 dport 4500\)")" 2
	check "$name: ping h2->h1" pings h2 10.0.1.1 3
	check "$name: ping h1->h2" pings h1 10.0.2.1 3
	capture_stop
	check "$name: espah's carried SAs counted the traffic" ge "$(carried_pkts gw1)" 12
	check "$name: capture: espah's ESP in UDP from 4500 to the NAT's 40000" \
		ge "$(pcount "udp and src host 10.0.13.1 and src port 4500 and dst port 40000")" 6
	check "$name: capture: no bare ESP" numeq "$(pcount esp)" 0
	n0=$(gstat gw1 natt-mapping)
	nsx_argv gw1 ip xfrm monitor
	"${NSX_ARGV[@]}" > "$xm" 2>&1 &
	xpid=$!
	nap 0.5
	nat_rebind 40005
	nsx h2 ping -q -c 2 -i 0.3 -W 1 10.0.1.1 >/dev/null 2>&1
	kill "$xpid" 2>/dev/null
	wait "$xpid" 2>/dev/null
	diag "$name: ip xfrm monitor: $(grep -i mapping "$xm" | head -2 | tr '\n' ' ')"
	check "$name: ip xfrm monitor: Mapping change of the carried SA to 40005" \
		grep -q "Mapping change 10.0.13.254:40000 -> 10.0.13.254:40005" "$xm"
	check "$name: the mapping event raised once (gw1's natt-mapping)" \
		numeq "$(gstat gw1 natt-mapping)" $((n0 + 1))
	rm -f "$xm"
	check "$name: gw1's charon heard of the new mapping from espah" wait_for 5 \
		grep -q "NAT mappings of CHILD_SA .* changed to 10.0.13.254\[40005\]" "$log"
	# charon moves its CHILD_SA (delete and add), espah carries the new one
	# shellcheck disable=SC2016 # eval's, each try
	check "$name: charon moved espah's out SA to port 40005" wait_for 10 \
		eval '[ "$(E gw1 state list | grep -c "encap type espinudp sport 4500 dport 40005")" = 1 ]'
	check "$name: ... and traffic flows again" pings h1 10.0.2.1 3
	ike_log gw1 8
	ike_stop gw1 gw2
	E gw1 xfrm detach
}

# refusals: each names the attribute
refusals() {
	local err
	ipsec_flush
	err=$(E gw1 state add src 10.0.23.2 dst 10.0.13.1 proto esp spi 0x7001 \
		dir in encap espinudp 4500 4500 0.0.0.0 natt-keepalive 5 \
		aead 'rfc4106(gcm(aes))' "0x$(key 20 7)" 128 2>&1)
	check "refused: natt-keepalive on an inbound SA (names ESPAH_ENCAP_KEEPALIVE)" \
		grep -q ESPAH_ENCAP_KEEPALIVE <<< "$err"
	err=$(E gw1 state add src 10.0.23.2 dst 10.0.13.1 proto esp spi 0x7002 \
		dir in flag natt-update \
		aead 'rfc4106(gcm(aes))' "0x$(key 20 7)" 128 2>&1)
	check "refused: natt-update without encap (names ESPAH_A_SA_FLAGS)" \
		grep -q ESPAH_A_SA_FLAGS <<< "$err"
	err=$(E gw1 state add src 10.0.23.2 dst 10.0.13.1 proto esp spi 0x7003 \
		dir in flag natt-update replay-window 0 encap espinudp 4500 4500 0.0.0.0 \
		aead 'rfc4106(gcm(aes))' "0x$(key 20 7)" 128 2>&1)
	check "refused: natt-update without a replay window" \
		grep -q "natt-update needs a replay window" <<< "$err"
	check "no SA left by the refusals" numeq "$(E gw1 state count | tr -dc 0-9)" 0
	check "features list natt-mapping and natt-keepalive" \
		bash -c "$ESPAH_TOOL features | grep -qw natt-mapping && $ESPAH_TOOL features | grep -qw natt-keepalive"
}

# 5. a carried SA's mapping change reaches native's key managers
bridge_mapping() {
	local name="bridge: mapping change" n0
	ipsec_flush
	n0=$(gstat gw1 natt-mapping)
	# keyed for the NAT's port 40000; the NAT then maps gw2 to 40001
	if ! nat_rule gw2 40001 || ! E gw1 xfrm attach if-id 42 ||
	   ! ip -n gw1 -batch - <<-EOF ||
	xfrm state add src $NATA dst 10.0.13.1 proto esp spi 0x6001 mode tunnel reqid 1 replay-window 64 if_id 42 sel src 10.0.2.0/24 dst 10.0.1.0/24 encap espinudp 40000 4500 0.0.0.0 $(alg gcm 6)
	xfrm policy add src 10.0.2.0/24 dst 10.0.1.0/24 dir in if_id 42 tmpl src $NATA dst 10.0.13.1 proto esp mode tunnel reqid 1
	xfrm policy add src 10.0.2.0/24 dst 10.0.1.0/24 dir fwd if_id 42 tmpl src $NATA dst 10.0.13.1 proto esp mode tunnel reqid 1
	EOF
	   ! side native gw2 10.0.23.2 10.0.13.1 10.0.2.0/24 10.0.1.0/24 \
		0x6001 0x5001 6 5 4500 4500; then
		not_ok "$name: configure"
		E gw1 xfrm detach
		return
	fi
	check "$name: espah carries the native SA" \
		[ "$(E gw1 state list | grep -c "encap type espinudp sport 40000 dport 4500")" = 1 ]
	nsx_argv gw1 ip xfrm monitor
	"${NSX_ARGV[@]}" > "$MON" 2>&1 &
	MON_PID=$!
	nap 0.7
	nsx h2 ping -q -c 2 -i 0.3 -W 1 10.0.1.1 >/dev/null 2>&1
	monitor_stop
	diag "$name: ip xfrm monitor: $(grep -i mapping "$MON" | head -2 | tr '\n' ' ')"
	check "$name: ip xfrm monitor: Mapping change 40000 -> 40001" \
		grep -q "Mapping change $NATA:40000 -> $NATA:40001" "$MON"
	check "$name: one event raised" numeq "$(gstat gw1 natt-mapping)" $((n0 + 1))
	check "$name: the carried SA decrypted them" ge "$(carried_pkts gw1)" 2
	E gw1 xfrm detach
}

# natns_full: every case (the stock kernel, make soak, NATNS_FULL=1)
natns_full() {
	[ "${ESPAH_KIND:-}" != debug ] || [ -n "${NATNS_FULL:-}" ] ||
		[ "${ESPAH_SOAK:-0}" = 1 ]
}


if ! topo_nat_up; then
	not_ok "NAT topology"
	finish
	exit
fi
ipsec_flush
if ! bg gw2 /tmp/e2e-natns-sock.$$ "$PWD/udp_encap_sock.py"; then
	not_ok "UDP_ENCAP socket on gw2"
else
	SOCK_PID=$BG_PID
	if natns_full; then refusals; fi
	behind
	follow
	if natns_full; then
		late
		reroute
		report_only
	fi
	bridge_mapping
	behind6
	kill "$SOCK_PID" 2>/dev/null
	wait "$SOCK_PID" 2>/dev/null
	if natns_full; then charon_case; fi
fi
rm -rf "$CAP" "$CAP.err" "$MON" /tmp/e2e-natns-sock.$$ "$IKE_DIR"
ipsec_flush
nsx nat nft delete table ip natns 2>/dev/null
# gw1 goes with an SA whose keepalives are due: the namespace's end stops
# them (the debug kernel's kmemleak and lockdep watch)
E gw1 state add src 10.0.13.1 dst 10.0.23.2 proto esp spi 0x5009 dir out \
	encap espinudp 4500 4500 0.0.0.0 natt-keepalive 1 \
	aead 'rfc4106(gcm(aes))' "0x$(key 20 9)" 128 >/dev/null 2>&1
nap 1.2
topo_down
finish
