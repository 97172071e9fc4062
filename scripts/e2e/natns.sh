# The NAT topology of t_natns, sourced after lib.sh (whose topology
# helpers, MAC addresses and namespaces it extends).
# shellcheck shell=bash

# --- the NAT topology (t_natns) -------------------------------------------------
#   h1 --- gw1 ----- nat ----- gw2 --- h2
#   10.0.1.1  .254 | 10.0.13.1  .254 | .254  10.0.23.2 | .254  10.0.2.1
# The gateways route everything through `nat`, whose nft table (nat_rule)
# masquerades the traffic of one side to a single port, so that the
# mapping is known in advance and a rebinding can be forced (nat_rebind).
# IPv4 between the gateways (the hosts have their IPv6 addresses too, as
# in lib.sh's topology). The suite sets NSS="h1 gw1 nat gw2 h2" so that topo_down
# removes `nat` too.
M_GW1N=02:00:00:00:13:01 M_NAT1=02:00:00:00:13:fe
M_NAT2=02:00:00:00:23:fe M_GW2N=02:00:00:00:23:02

topo_nat_up() {
	local ns t0=$SECONDS
	diag "NAT topology up"
	topo_down
	for ns in $NSS; do ip netns add "$ns" && ns_anchor "$ns" || return 1; done
	ip -batch - <<-EOF || return 1
	link add eth0 netns h1 address $M_H1 type veth peer name eth1 netns gw1 address $M_GW1A
	link add eth2 netns gw1 address $M_GW1N type veth peer name eth1 netns nat address $M_NAT1
	link add eth2 netns nat address $M_NAT2 type veth peer name eth2 netns gw2 address $M_GW2N
	link add eth1 netns gw2 address $M_GW2A type veth peer name eth0 netns h2 address $M_H2
	EOF
	host_up 1 || return 1
	ip -n gw1 -batch - <<-EOF || return 1
	$(gw_host_side 1)
	link set eth2 up
	addr add 10.0.13.1/24 dev eth2
	route add default via 10.0.13.254
	neigh replace 10.0.13.254 lladdr $M_NAT1 dev eth2 nud permanent
	EOF
	ip -n nat -batch - <<-EOF || return 1
	link set lo up
	link set eth1 up
	link set eth2 up
	addr add 10.0.13.254/24 dev eth1
	addr add 10.0.23.254/24 dev eth2
	neigh replace 10.0.13.1 lladdr $M_GW1N dev eth1 nud permanent
	neigh replace 10.0.23.2 lladdr $M_GW2N dev eth2 nud permanent
	EOF
	ip -n gw2 -batch - <<-EOF || return 1
	$(gw_host_side 2)
	link set eth2 up
	addr add 10.0.23.2/24 dev eth2
	route add default via 10.0.23.254
	neigh replace 10.0.23.254 lladdr $M_NAT2 dev eth2 nud permanent
	EOF
	host_up 2 || return 1
	for ns in gw1 nat gw2; do
		nsx "$ns" sysctl -qw net.ipv4.ip_forward=1 || return 1
	done
	diag "NAT topology ready after $((SECONDS - t0)) s"
}

# nat_rule SIDE PORT: `nat` masquerades what comes from SIDE (gw1: the
# 10.0.13.0/24 side, gw2: the 10.0.23.0/24 side) to its address on the
# other side, UDP and TCP source ports to PORT; replaces the rule before
# and forgets the mappings it made (conntrack flushed), as a NAT that
# rebooted or timed out does
NAT_SIDE=""
nat_rule() {
	local from to out
	NAT_SIDE=$1
	if [ "$1" = gw1 ]; then
		from=10.0.13.0/24 out=eth2
	else
		from=10.0.23.0/24 out=eth1
	fi
	nsx nat nft -f - <<-EOF || return 1
	table ip natns
	delete table ip natns
	table ip natns {
		chain post {
			type nat hook postrouting priority 100;
			ip saddr $from oifname $out meta l4proto { tcp, udp } masquerade to :$2
			ip saddr $from oifname $out masquerade
		}
	}
	EOF
	nsx nat conntrack -F >/dev/null 2>&1
}

# nat6_up: IPv6 between the gateways through `nat` too (fd00:13::/64 on
# gw1's side, fd00:23::/64 on gw2's), and a NAT66 table (natns6) that
# masquerades gw1's UDP to the NAT's outside address, port PORT
nat6_up() { # nat6_up PORT
	ip -n gw1 -batch - <<-EOF || return 1
	addr add fd00:13::1/64 dev eth2 nodad
	route add ::/0 via fd00:13::fe
	neigh replace fd00:13::fe lladdr $M_NAT1 dev eth2 nud permanent
	EOF
	ip -n nat -batch - <<-EOF || return 1
	addr add fd00:13::fe/64 dev eth1 nodad
	addr add fd00:23::fe/64 dev eth2 nodad
	neigh replace fd00:13::1 lladdr $M_GW1N dev eth1 nud permanent
	neigh replace fd00:23::2 lladdr $M_GW2N dev eth2 nud permanent
	EOF
	ip -n gw2 -batch - <<-EOF || return 1
	addr add fd00:23::2/64 dev eth2 nodad
	route add ::/0 via fd00:23::fe
	neigh replace fd00:23::fe lladdr $M_NAT2 dev eth2 nud permanent
	EOF
	nsx nat sysctl -qw net.ipv6.conf.all.forwarding=1 || return 1
	nsx nat nft -f - <<-EOF
	table ip6 natns6 {
		chain post {
			type nat hook postrouting priority 100;
			ip6 saddr fd00:13::/64 oifname eth2 meta l4proto udp masquerade to :$1
		}
	}
	EOF
}

# nat_rebind PORT: the same side, a new port from now on
nat_rebind() { nat_rule "$NAT_SIDE" "$1"; }
