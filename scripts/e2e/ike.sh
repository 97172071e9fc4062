# shellcheck shell=bash
# strongSwan's charon in the gateway namespaces, for the IKE suites
# (sourced after lib.sh). Each gateway runs its own charon: its own
# strongswan.conf (STRONGSWAN_CONF), vici socket and log, and a private
# /run (charon's pid file is a fixed path), keyed by PSK, tunnel mode
# between the two LANs. The caller provides BB (busybox), nap and diag
# (lib.sh's) and may set IKE_GWS, the two gateways' namespaces (their IKE
# identities too), IKE_OPTS, more options of the IKE_SA, and IKE_MODE, the
# CHILD_SA's mode (tunnel).

IKE_DIR=/tmp/ike.$$
# the pre-shared key (at least 16 bytes: libreswan warns about shorter
# ones with a PRF of SHA-256)
IKE_PSK=espah-e2e-psk-of-32-bytes-length
IKE_GWS=${IKE_GWS:-gw1 gw2}
# the gateway whose espah carries the SAs that traffic() counts
IKE_CARRIER=${IKE_CARRIER:-gw1}
[ -n "${IKE_OPTS+set}" ] || IKE_OPTS=()
CHARON=/usr/lib/ipsec/charon
declare -A IKE_PID=()

# ike_conf NS LOCAL REMOTE LNET RNET IF_ID CHILD_OPTS...: write the
# gateway's strongswan.conf and swanctl.conf
ike_conf() {
	local ns=$1 l=$2 r=$3 ln=$4 rn=$5 ifid=$6 d=$IKE_DIR/$1 o
	shift 6
	local peer g
	for g in $IKE_GWS; do [ "$g" = "$ns" ] || peer=$g; done
	mkdir -p "$d"
	cat > "$d/strongswan.conf" <<-EOF
	charon {
		load = random nonce aes sha1 sha2 hmac kdf gmp kernel-netlink socket-default vici
		install_routes = no
		install_virtual_ip = no
		retransmit_timeout = 4
		retransmit_base = 1
		retransmit_tries = 3
		filelog {
			log {
				path = $d/charon.log
				default = 1
				knl = 2
				time_format = %T
				flush_line = yes
			}
		}
		plugins {
			vici {
				socket = unix://$d/vici
			}
		}
	}
	swanctl {
		load = pem
		socket = unix://$d/vici
	}
	EOF
	{
		echo "connections {"
		echo " gw {"
		echo "  local_addrs = $l"
		echo "  remote_addrs = $r"
		echo "  version = 2"
		echo "  proposals = aes128-sha256-modp2048"
		printf '  local {\n   auth = psk\n   id = %s\n  }\n' "$ns"
		printf '  remote {\n   auth = psk\n   id = %s\n  }\n' "$peer"
		for o in "${IKE_OPTS[@]}"; do echo "  $o"; done
		echo "  children {"
		echo "   net {"
		echo "    local_ts = $ln"
		echo "    remote_ts = $rn"
		echo "    mode = ${IKE_MODE:-tunnel}"
		echo "    esp_proposals = aes128gcm16"
		[ -z "$ifid" ] || echo "    if_id_in = $ifid"
		[ -z "$ifid" ] || echo "    if_id_out = $ifid"
		for o in "$@"; do echo "    $o"; done
		echo "   }"
		echo "  }"
		echo " }"
		echo "}"
		printf 'secrets {\n ike-1 {\n  id-1 = %s\n  id-2 = %s\n  secret = "%s"\n }\n}\n' \
			"$ns" "$peer" "$IKE_PSK"
	} > "$d/swanctl.conf"
}

# ike_start NS: charon in NS (private /run), its configuration loaded
ike_start() {
	local ns=$1 d=$IKE_DIR/$1 i
	rm -f "$d/vici"
	STRONGSWAN_CONF=$d/strongswan.conf "$BB" nsenter --net="/run/netns/$ns" \
		unshare -m sh -c "mount -t tmpfs none /run && exec $CHARON" \
		>"$d/charon.out" 2>&1 &
	IKE_PID[$ns]=$!
	for ((i = 0; i < 200; i++)); do
		[ -S "$d/vici" ] && break
		nap 0.1
	done
	[ -S "$d/vici" ] || { diag "$ns: charon did not start: $(tail -3 "$d/charon.out")"; return 1; }
	ike_load "$ns"
}

# ike_load NS: (re)load NS's connections and secrets from its swanctl.conf
ike_load() {
	local d=$IKE_DIR/$1
	sw "$1" --load-conns --file "$d/swanctl.conf" >"$d/load.out" 2>&1 &&
		sw "$1" --load-creds --noprompt --file "$d/swanctl.conf" >>"$d/load.out" 2>&1 ||
		{ diag "$1: swanctl: $(grep -v "^plugin '\|^opening directory" "$d/load.out" | tail -3)"; return 1; }
}

# sw NS ARGS...: swanctl against NS's charon
sw() {
	local ns=$1
	shift
	STRONGSWAN_CONF=$IKE_DIR/$ns/strongswan.conf swanctl "$@" \
		--uri "unix://$IKE_DIR/$ns/vici"
}

# daemons_stop PIDS NS...: end the IKE daemons of the namespaces, whose
# PIDs the associative array named PIDS holds; charon and pluto remove
# their SAs and policies when they end
daemons_stop() {
	local -n pids=$1
	local ns
	shift
	for ns in "$@"; do
		[ -n "${pids[$ns]:-}" ] || continue
		kill -TERM "${pids[$ns]}" 2>/dev/null
		wait "${pids[$ns]}" 2>/dev/null
		unset "pids[$ns]"
	done
}
ike_stop() { daemons_stop IKE_PID "$@"; }

# ike_log NS: the end of NS's charon log, as diagnostics
ike_log() { tail -"${2:-15}" "$IKE_DIR/$1/charon.log" 2>/dev/null | sed "s/^/# $1: /"; }

# child_spis NS: the SPIs of NS's installed CHILD_SAs (swanctl --list-sas),
# sorted, one per line, as 0x%08x
child_spis() {
	sw "$1" --list-sas --raw 2>/dev/null |
		grep -o 'spi-[io][nu]t*=[0-9a-f]*' | sed 's/.*=/0x/' | sort -u
}

# xfrm_spis NS: SPIs of native XFRM's SAs in NS
xfrm_spis() {
	ip -n "$1" xfrm state | awk '$1 == "proto" && $3 == "spi" { print $4 }' |
		sed 's/(.*//' | sort -u
}

# carried_pkts NS: packets of all the SAs espah carries for native XFRM
carried_pkts() {
	local s t=0
	for s in $(espah_spis "$1"); do
		t=$((t + $(sastat "$1" "$s" packets)))
	done
	echo $t
}

# espah_spis NS: SPIs of the SAs espah carries for native XFRM in NS
espah_spis() {
	E "$1" -j state list | jq -r '.[] | select(has("xfrm-if-id")) | .spi' |
		while read -r s; do printf '0x%08x\n' "$s"; done | sort -u
}

# wait_for SECONDS CMD...: until CMD succeeds, at most SECONDS
wait_for() {
	local i n=$(($1 * 10))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		nap 0.1
	done
	return 1
}

# traffic NAME [nocount]: both ways between h1 and h2, and all of it
# through espah's SAs on $IKE_CARRIER (not counted with nocount: SAs
# rekeyed meanwhile take their counts)
traffic() {
	local name=$1 p0
	p0=$(carried_pkts "$IKE_CARRIER")
	check "$name: ping h1->h2" pings h1 10.0.2.1 3
	check "$name: ping h2->h1" pings h2 10.0.1.1 3
	check "$name: tcp 1MB h1->h2 intact" tcp_xfer h1 h2 10.0.2.1 1
	check "$name: tcp 1MB h2->h1 intact" tcp_xfer h2 h1 10.0.1.1 1
	[ "${2:-}" = nocount ] ||
		check "$name: $IKE_CARRIER's espah SAs carried it" ge \
			$(($(carried_pkts "$IKE_CARRIER") - p0)) 1000
}
