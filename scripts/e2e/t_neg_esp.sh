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
nap 1
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
# a sequence number left of the window and the valid one's replayed. Each
# moves exactly its per-SA counter and the namespace's total of that
# reason by one. The suite's scapy server sends them all, in this order
# (esp_craft.py's main() in the python3 that imported scapy already).
tunnel 2 || not_ok "crafted: configure"
SA_C="packets pad-err malformed sel-mismatch old replay"
G_C="in-packets in-state-proto-error in-malformed in-state-mismatch in-state-seq-error"
read -ra sa0 <<< "$(sastat gw1 0x2001 $SA_C)"
read -ra g0 <<< "$(gstat gw1 $G_C)"
ih=$(icmp_in h1)
scapy gw2 "import esp_craft
esp_craft.main(['$O2', '$O1', '0x2001', '0x$(key 20 2)', '--batch'], '''
10.0.2.1 10.0.1.1 1000
10.0.2.1 10.0.1.1 1001 --pad bad
10.0.2.1 10.0.1.1 1002 --nexthdr 17
10.0.9.9 10.0.1.1 1003
10.0.2.1 10.0.1.1 900
10.0.2.1 10.0.1.1 1000
'''.splitlines())"
nap 1
read -ra sa1 <<< "$(sastat gw1 0x2001 $SA_C)"
read -ra g1 <<< "$(gstat gw1 $G_C)"
# d I J: "per-SA delta/total delta" of the I-th of SA_C and J-th of G_C
d() { echo $((${sa1[$1]:-0} - ${sa0[$1]:-0}))/$((${g1[$2]:-0} - ${g0[$2]:-0})); }
diag "per-SA $SA_C: ${sa0[*]} -> ${sa1[*]}"
diag "totals $G_C: ${g0[*]} -> ${g1[*]}"
# packets counts what passed the transform (lifetimes count it, as native
# XFRM's curlft does): the valid one, and the two whose inner packet is
# refused after decryption (next header, selector)
check "crafted: packets +3, in-packets +3 (valid, next header, selector)" [ "$(d 0 0)" = 3/3 ]
check "crafted: the valid packet reached h1, none of the bad ones" \
	[ $(($(icmp_in h1) - ih)) = 1 ]
check "bad padding: pad-err +1 (in-state-proto-error +1)" [ "$(d 1 1)" = 1/1 ]
check "wrong next header: malformed +1 (in-malformed +1)" [ "$(d 2 2)" = 1/1 ]
check "inner source outside the selector: sel-mismatch +1 (in-state-mismatch +1)" \
	[ "$(d 3 3)" = 1/1 ]
check "left of the window (1000 - 64 - 36), and the replay: old +1, replay +1 (in-state-seq-error +2)" \
	[ "$(d 4 4) $(d 5 4)" = "1/2 1/2" ]
check "/proc/net/espah_stat: the same totals under xfrm_stat's names" \
	nsx gw1 awk -v p="${g1[1]}" -v q="${g1[4]}" \
	'$1 == "XfrmInStateProtoError" { a = ($2 == p) } $1 == "XfrmInStateSeqError" { b = ($2 == q) }
	 END { exit !(a && b) }' /proc/net/espah_stat

# --- ESP in ESP: a valid packet of the tunnel SA (0x2001) sent inside a
# second tunnel SA (0x2002, selector: the two gateways). The outer layer
# is decapsulated, its inner ESP packet re-injected and decapsulated in
# turn by the same hook (two sec_path entries: the fwd policy's one ESP
# template matches the last). Both SAs count it and it reaches h1.
sa espah gw1 $O2 $O1 0x2002 tunnel in gcm 3 sel src $O2/32 dst $O1/32 ||
	not_ok "esp in esp: configure"
read -ra w0 <<< "$(sastat gw1 0x2002 packets) $(sastat gw1 0x2001 packets)"
ih=$(icmp_in h1)
scapy gw2 "import esp_craft
esp_craft.main(['$O2', '$O1', '0x2001', '0x$(key 20 2)', '10.0.2.1', '10.0.1.1', '1100', '--wrap', '0x2002', '0x$(key 20 3)', '1'])"
nap 1
read -ra w1 <<< "$(sastat gw1 0x2002 packets) $(sastat gw1 0x2001 packets)"
diag "packets of 0x2002 0x2001: ${w0[*]} -> ${w1[*]}"
check "esp in esp: outer SA +1, inner SA +1" \
	[ "$((w1[0] - w0[0])) $((w1[1] - w0[1]))" = "1 1" ]
check "esp in esp: the inner packet reached h1" [ $(($(icmp_in h1) - ih)) = 1 ]

ipsec_flush
topo_down
finish
