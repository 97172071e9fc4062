# shellcheck shell=bash
# libreswan's pluto in a gateway namespace, for t_libreswan.sh (sourced
# after lib.sh and ike.sh: IKE_DIR, IKE_GWS and the PSK are shared with
# charon's side). Debian's libreswan conflicts with strongSwan's packages:
# scripts/deps.sh unpacks it into the cache, and pluto runs in a private
# mount namespace where that copy's libexec directory is mounted at
# /usr/libexec/ipsec, the path pluto was built with (it runs addconn and
# _updown from there).

LSW_EXEC=${ESPAH_CACHE:-/var/cache/espah}/libreswan/usr/libexec/ipsec
declare -A LSW_PID=()

# lsw_conf NS LOCAL REMOTE LNET RNET IF_ID: NS's ipsec.conf (connection
# "net", IKEv2 with PSK, tunnel mode, the proposals of ike.sh's charon),
# secrets and NSS database. No PFS: charon's CHILD_SA proposal has no DH
# group, and rekeys must agree. IF_ID non-empty: `ipsec-interface=IF_ID`, which
# tags the CHILD_SAs and policies with that if_id (and makes pluto create
# the xfrm interface ipsecIF_ID, which no route uses: the updown script is
# /bin/true, the routes are the topology's).
lsw_conf() {
	local ns=$1 l=$2 r=$3 ln=$4 rn=$5 ifid=$6 d=$IKE_DIR/$1 peer g
	for g in $IKE_GWS; do [ "$g" = "$ns" ] || peer=$g; done
	mkdir -p "$d/nss" "$d/run"
	[ -f "$d/nss/cert9.db" ] ||
		certutil -N -d "sql:$d/nss" --empty-password >/dev/null 2>&1 || return 1
	{
		printf 'config setup\n\tplutodebug=none\n\nconn net\n'
		printf '\t%s\n' "left=$l" "leftid=@$ns" "leftsubnet=$ln" \
			"right=$r" "rightid=@$peer" "rightsubnet=$rn" \
			authby=secret ikev2=yes type=tunnel \
			"ike=aes128-sha2_256;modp2048" esp=aes_gcm128 pfs=no \
			leftupdown=/bin/true auto=add
		[ -z "$ifid" ] || printf '\tipsec-interface=%s\n' "$ifid"
	} > "$d/ipsec.conf"
	printf '@%s @%s : PSK "%s"\n' "$ns" "$peer" "$IKE_PSK" > "$d/ipsec.secrets"
}

# lsw_start NS: pluto in NS, its connection loaded (auto=add)
lsw_start() {
	local ns=$1 d=$IKE_DIR/$1 i
	[ -x "$LSW_EXEC/pluto" ] || { diag "no pluto in $LSW_EXEC (scripts/deps.sh)"; return 1; }
	rm -f "$d/run/pluto.ctl" "$d/run/pluto.pid"
	cat > "$d/start.sh" <<-EOF
	mount -t tmpfs none /run &&
	mount -t tmpfs none /usr/libexec &&
	mkdir /usr/libexec/ipsec &&
	mount --bind $LSW_EXEC /usr/libexec/ipsec &&
	exec /usr/libexec/ipsec/pluto --nofork --stderrlog --config $d/ipsec.conf \\
		--rundir $d/run --nssdir $d/nss --secretsfile $d/ipsec.secrets --ipsecdir $d
	EOF
	"$BB" nsenter --net="/run/netns/$ns" unshare -m sh "$d/start.sh" \
		>"$d/pluto.log" 2>&1 &
	LSW_PID[$ns]=$!
	for ((i = 0; i < 300; i++)); do
		grep -q 'added IKEv2 connection' "$d/pluto.log" 2>/dev/null && return 0
		nap 0.1
	done
	diag "$ns: pluto did not load its connection: $(tail -3 "$d/pluto.log")"
	return 1
}

# wk NS ARGS...: whack against NS's pluto (at most 40 s); its output goes
# to NS's whack.out, never to the console
wk() {
	local ns=$1
	shift
	echo "whack $*" >> "$IKE_DIR/$ns/whack.out"
	timeout 40 "$LSW_EXEC/whack" --rundir "$IKE_DIR/$ns/run" "$@" \
		>> "$IKE_DIR/$ns/whack.out" 2>&1
}

lsw_stop() { daemons_stop LSW_PID "$@"; }

# lsw_log NS [N]: the end of NS's pluto log and whack output, as
# diagnostics (pluto's own warnings reworded: the guest's console must not
# show the word the rig looks for)
lsw_log() {
	tail -q -"${2:-15}" "$IKE_DIR/$1/pluto.log" "$IKE_DIR/$1/whack.out" 2>/dev/null |
		sed "s/WARNING:/warning:/; s/^/# $1: /"
}
