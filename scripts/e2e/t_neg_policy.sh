#!/bin/bash
# Negative cases of policy on an espah gateway (gw1) facing a native XFRM
# gateway (gw2), IPv4 tunnel: cleartext where protection is required,
# discard, decapsulated traffic no protect policy admits (in a namespace
# with policies and in one without any), no SA, sequence
# number exhaustion. Each case checks a counter
# and that nothing got through.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh

topo_up
GW1MAC=$M_GW1B
tunnel 2 || not_ok "configure"

# --- cleartext where protection is required (forwarded and local)
before=$(gstat gw1 in-policy-drop)
ib=$(icmp_in h1)
eth_send gw2 eth2 "$GW1MAC" 10.0.2.1 10.0.1.1 icmp 3
eth_send gw2 eth2 "$GW1MAC" 10.0.2.1 10.0.1.254 udp 2
nap 1
check "cleartext: in-policy-drop counted (fwd + local)" ge "$(gstat gw1 in-policy-drop)" "$((before + 5))"
check "cleartext: nothing reached h1" [ "$(icmp_in h1)" = "$ib" ]

# --- discard policy
ipsec_flush
E gw1 policy add src $N1 dst $N2 dir out action block
before=$(gstat gw1 policy-discard)
if pings h1 10.0.2.1 2; then not_ok "discard: ping must fail"; else ok "discard: ping fails"; fi
check "discard: policy-discard counted" ge "$(gstat gw1 policy-discard)" "$((before + 2))"

# --- decapsulated traffic that no protect policy admits: what espah's
# tunnel SA decapsulates passes only a policy whose templates it
# satisfies (native XFRM drops it too, XfrmInNoPols); a block policy
# drops it
tunnel 2 || not_ok "decap: configure"
check "decap: the tunnel works h2->h1" pings h2 10.0.1.1 2
E gw1 policy delete src $N2 dst $N1 dir fwd
before=$(gstat gw1 in-policy-drop)
ib=$(icmp_in h1)
if pings h2 10.0.1.1 2; then not_ok "decap, no fwd policy: ping must fail"
else ok "decap, no fwd policy: ping fails"; fi
check "decap, no fwd policy: in-policy-drop counted" ge "$(gstat gw1 in-policy-drop)" "$((before + 2))"
check "decap, no fwd policy: nothing reached h1" [ "$(icmp_in h1)" = "$ib" ]
E gw1 policy add src $N2 dst $N1 dir fwd action allow
before=$(gstat gw1 in-policy-drop)
if pings h2 10.0.1.1 2; then not_ok "decap, bypass fwd policy: ping must fail"
else ok "decap, bypass fwd policy: ping fails"; fi
check "decap, bypass fwd policy: in-policy-drop counted" ge "$(gstat gw1 in-policy-drop)" "$((before + 2))"
E gw1 policy delete src $N2 dst $N1 dir fwd
E gw1 policy add src $N2 dst $N1 dir fwd action block
before=$(gstat gw1 policy-discard)
if pings h2 10.0.1.1 2; then not_ok "decap, block fwd policy: ping must fail"
else ok "decap, block fwd policy: ping fails"; fi
check "decap, block fwd policy: policy-discard counted" ge "$(gstat gw1 policy-discard)" "$((before + 2))"
E gw1 policy delete src $N2 dst $N1 dir fwd
pol espah gw1 $N2 $N1 fwd $O2 $O1 tunnel
check "decap: the protect fwd policy back, the tunnel works" pings h2 10.0.1.1 2

# --- no policy at all in the namespace: native XFRM drops what a
# tunnel-mode SA decapsulated when no policy admits it, whether or not
# the namespace has policies (XfrmInNoPols: a sec_path with a tunnel
# entry); the packets of a transport-mode SA pass without a policy
E gw1 policy flush
before=$(gstat gw1 in-policy-drop)
p0=$(sastat gw1 0x2001 packets)
ib=$(icmp_in h1)
if pings h2 10.0.1.1 2; then not_ok "decap, no policy at all: ping must fail"
else ok "decap, no policy at all: ping fails"; fi
check "decap, no policy at all: the tunnel SA decapsulated the requests" \
	ge "$(sastat gw1 0x2001 packets)" "$((p0 + 2))"
check "decap, no policy at all: in-policy-drop counted" ge "$(gstat gw1 in-policy-drop)" "$((before + 2))"
check "decap, no policy at all: nothing reached h1" [ "$(icmp_in h1)" = "$ib" ]
# ESP inside the tunnel, to a host behind the gateway: its protocol
# exempts it from nothing (native's forward check exempts no protocol)
before=$(gstat gw1 in-policy-drop)
hd=$(snmp h1 snmp Ip InDelivers)
scapy gw2 "import esp_craft
inner = IP(src='10.0.2.1', dst='10.0.1.1', proto=50) / Raw(bytes.fromhex('0000999900000001') + bytes(32))
send(esp_craft.esp_encap('$O2', '$O1', 0x2001, '0x$(key 20 2)', 100000, bytes(inner)))" ||
	not_ok "decap, no policy at all: ESP inside the tunnel: send"
nap 1
check "decap, no policy at all: ESP inside the tunnel dropped, in-policy-drop counted" \
	ge "$(gstat gw1 in-policy-drop)" "$((before + 1))"
check "decap, no policy at all: ESP inside the tunnel did not reach h1" \
	[ "$(snmp h1 snmp Ip InDelivers)" = "$hd" ]
sa espah gw1 $O2 $O1 0x4001 transport in gcm 4 &&
	sa native gw2 $O2 $O1 0x4001 transport out gcm 4 &&
	pol native gw2 $O2/32 $O1/32 out $O2 $O1 transport ||
	not_ok "transport, no policy at all: configure"
p0=$(sastat gw1 0x4001 packets)
check "transport, no policy at all: gw1 answers gw2's ESP pings" pings gw2 $O1 2
check "transport, no policy at all: the transport SA delivered them" \
	[ "$(($(sastat gw1 0x4001 packets) - p0))" = 2 ]

# --- protect policy without SA
ipsec_flush
pol espah gw1 $N1 $N2 out $O1 $O2 tunnel
before=$(gstat gw1 out-no-sa)
if pings h1 10.0.2.1 2; then not_ok "no SA: ping must fail"; else ok "no SA: ping fails"; fi
check "no SA: out-no-sa counted" ge "$(gstat gw1 out-no-sa)" "$((before + 2))"

# --- 32-bit sequence number exhausted: 0xffffffff is the last one sent.
# An exhausted SA is no longer chosen (a rekeyed one could take over), so
# the drop shows as out-no-sa, or as seq-overflow if it raced the choice.
tunnel 2 replay-oseq 0xfffffffe || not_ok "seq overflow: configure"
b1=$(gstat gw1 out-no-sa)
nsx h1 ping -q -c 3 -i 0.2 -W 2 10.0.2.1 >/dev/null 2>&1
check "seq overflow: later packets dropped and counted" \
	ge "$(( $(gstat gw1 out-no-sa) - b1 + $(sastat gw1 0x1001 seq-overflow) ))" 2
check "seq overflow: exactly one packet sent" [ "$(sastat gw1 0x1001 packets)" = 1 ]

ipsec_flush
topo_down
finish
