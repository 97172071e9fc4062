#!/bin/bash
# Negative cases on the ESP input of an espah gateway (gw1) facing a native
# XFRM gateway (gw2), IPv4 tunnel: wrong key, replay, unknown SPI,
# truncated ESP, and crafted packets (bad padding, wrong next header,
# selector mismatch, left of the window). Each case checks a counter and
# that nothing got through.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh

topo_up
# --- wrong key
tunnel 9 || not_ok "wrong key: configure"
if pings h2 10.0.1.1 3; then not_ok "wrong key: ping h2->h1 must fail"
else ok "wrong key: ping h2->h1 fails"; fi
check "wrong key: icv-fail counted" ge "$(sastat gw1 0x2001 icv-fail)" 3
check "wrong key: in-state-proto-error total counted" \
	[ "$(gstat gw1 in-state-proto-error)" = "$(sastat gw1 0x2001 icv-fail)" ]
check "wrong key: nothing accepted" [ "$(sastat gw1 0x2001 packets)" = 0 ]

# --- replay
tunnel 2 || not_ok "replay: configure"
nsx gw1 timeout 120 tcpdump -Z root -U -n -i eth2 -c 1 -w /tmp/esp.pcap \
	"esp and src $O2" >/dev/null 2>&1 &
cap=$!
# tcpdump starts slowly under emulation: ping until it has caught one
for _ in $(seq 30); do
	pings h2 10.0.1.1 1
	kill -0 $cap 2>/dev/null || break
done
wait $cap
check "replay: captured an ESP packet" [ -s /tmp/esp.pcap ]
before=$(sastat gw1 0x2001 packets)
scapy gw2 "sendp(rdpcap('/tmp/esp.pcap')[0], iface='eth2', count=2)"
sleep 1
check "replay: replay counted" ge "$(sastat gw1 0x2001 replay)" 2
check "replay: replayed packet not accepted" [ "$(sastat gw1 0x2001 packets)" = "$before" ]

# --- unknown SPI (counted, left to the native stack), truncated ESP for a
# known SPI, ESP header cut short; one scapy run (it starts slowly)
b_nosa=$(gstat gw1 in-no-sa)
b_mal=$(sastat gw1 0x2001 malformed)
b_gmal=$(gstat gw1 in-malformed)
scapy gw2 "send(IP(src='$O2', dst='$O1')/ESP(spi=0xdead, seq=1)/Raw(b'x' * 40), count=3)
send(IP(src='$O2', dst='$O1')/ESP(spi=0x2001, seq=100)/Raw(b'x' * 4))
send(IP(src='$O2', dst='$O1', proto=50)/Raw(b'\\x00\\x00\\x20'))"
check "unknown SPI: in-no-sa counted" ge "$(gstat gw1 in-no-sa)" "$((b_nosa + 3))"
check "truncated ESP: malformed counted" ge "$(sastat gw1 0x2001 malformed)" "$((b_mal + 1))"
check "ESP header cut short: in-malformed counted" ge "$(gstat gw1 in-malformed)" "$((b_gmal + 1))"
check "tunnel still works after the bad packets" pings h2 10.0.1.1 2

# --- crafted packets with gw1's real inbound key (esp_craft.py): a valid
# one first (the control: it must be accepted and reach h1), then bad
# padding, a wrong next header, an inner packet outside the SA's selector,
# and a sequence number left of the window. Each moves exactly its counter.
tunnel 2 || not_ok "crafted: configure"
craft() { nsx gw2 "$PY" ./esp_craft.py $O2 $O1 0x2001 "0x$(key 20 2)" "$@"; }
# delta NAME TOTAL CMD...: "SA/TOTAL", how much gw1's per-SA counter NAME
# of 0x2001 and its namespace-wide counter TOTAL moved
delta() {
	local n=$1 g=$2 b gb
	shift 2
	b=$(sastat gw1 0x2001 "$n")
	gb=$(gstat gw1 "$g")
	"$@" >/dev/null 2>&1
	echo "$(( $(sastat gw1 0x2001 "$n") - b ))/$(( $(gstat gw1 "$g") - gb ))"
}
ih=$(icmp_in h1)
check "crafted: a valid packet is accepted" \
	[ "$(delta packets in-packets craft 10.0.2.1 10.0.1.1 1000)" = 1/1 ]
check "crafted: the valid packet reached h1" [ $(( $(icmp_in h1) - ih )) -ge 1 ]
ih=$(icmp_in h1)
check "bad padding: pad-err and in-state-proto-error counted once" \
	[ "$(delta pad-err in-state-proto-error craft 10.0.2.1 10.0.1.1 1001 --pad bad)" = 1/1 ]
check "wrong next header: malformed and in-malformed counted once" \
	[ "$(delta malformed in-malformed craft 10.0.2.1 10.0.1.1 1002 --nexthdr 17)" = 1/1 ]
check "inner source outside the selector: sel-mismatch and in-state-mismatch counted once" \
	[ "$(delta sel-mismatch in-state-mismatch craft 10.0.9.9 10.0.1.1 1003)" = 1/1 ]
check "left of the window (1000 - 64 - 36): old and in-state-seq-error counted once" \
	[ "$(delta old in-state-seq-error craft 10.0.2.1 10.0.1.1 900)" = 1/1 ]
check "replay of a crafted sequence number: replay and in-state-seq-error counted once" \
	[ "$(delta replay in-state-seq-error craft 10.0.2.1 10.0.1.1 1000)" = 1/1 ]
check "none of the bad packets reached h1" [ "$(icmp_in h1)" = "$ih" ]
check "/proc/net/espah_stat: the same totals under xfrm_stat's names" \
	nsx gw1 awk -v p="$(gstat gw1 in-state-proto-error)" -v q="$(gstat gw1 in-state-seq-error)" \
	'$1 == "XfrmInStateProtoError" { a = ($2 == p) } $1 == "XfrmInStateSeqError" { b = ($2 == q) }
	 END { exit !(a && b) }' /proc/net/espah_stat

ipsec_flush
topo_down
finish
