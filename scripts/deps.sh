#!/bin/bash
# Install every Debian package espah's build, tests, demo and bench need.
# Idempotent: quiet and fast when everything is present. Only Debian's archive.
set -euo pipefail

hdr_meta=linux-headers-amd64
base_pkgs=(build-essential bc bison flex libelf-dev libssl-dev dwarves cpio
	   kmod xz-utils python3 sparse libmnl-dev pkg-config rsync
	   qemu-system-x86 busybox-static iproute2 iperf3 tcpdump tshark
	   python3-scapy python3-cryptography python3-yaml linux-source-6.1 $hdr_meta iputils-ping netcat-openbsd
	   procps ethtool strongswan-starter strongswan-charon strongswan-swanctl
	   jq nftables conntrack
	   dkms dh-dkms debhelper lintian dpkg-dev)

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || echo "$p"
	done
}

# apt_update: the package lists, once per run
apt_update() {
	if [ -z "${ESPAH_APT_UPDATED:-}" ]; then
		apt-get update -qq >/dev/null
		export ESPAH_APT_UPDATED=1
	fi
}

apt_install() {
	export DEBIAN_FRONTEND=noninteractive
	apt_update
	echo "deps: installing $*" >&2
	apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# shellcheck disable=SC2207
need=($(missing "${base_pkgs[@]}"))
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"

# libreswan (its pluto is the second IKE daemon of the tests) conflicts with
# strongSwan's packages: its dependencies are installed, the package itself
# is unpacked into the cache (scripts/e2e/libreswan.sh runs pluto from
# there, in a private mount namespace).
lsw_deps=(libldns3 libevent-core-2.1-7 libevent-pthreads-2.1-7 libnss3-tools
	  libunbound8 libcurl3-nss libcap-ng0 libaudit1 libldap-2.5-0 libnspr4
	  libnss3)
# shellcheck disable=SC2207
need=($(missing "${lsw_deps[@]}"))
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
lsw=${ESPAH_CACHE:-/var/cache/espah}/libreswan
if [ ! -x "$lsw/usr/libexec/ipsec/pluto" ]; then
	apt_update
	echo "deps: unpacking libreswan into $lsw" >&2
	t=$(mktemp -d)
	chmod 755 "$t" # apt-get download runs as _apt
	(cd "$t" && apt-get download -qq libreswan >/dev/null 2>&1) &&
		mkdir -p "${lsw%/*}" && rm -rf "$lsw.new" && dpkg -x "$t"/libreswan_*.deb "$lsw.new" &&
		rm -rf "$lsw" && mv "$lsw.new" "$lsw"
	rm -rf "$t"
	[ -x "$lsw/usr/libexec/ipsec/pluto" ] || { echo "deps: cannot unpack libreswan" >&2; exit 1; }
fi

# The stock kernel: the headers package the metapackage points at, and the
# unsigned image of the same version (what gateway hosts run).
kver=$(dpkg-query -W -f='${Depends}' $hdr_meta | sed -n 's/.*linux-headers-\([^ ,]*-amd64\).*/\1/p')
[ -n "$kver" ] || { echo "deps: cannot resolve stock kernel version" >&2; exit 1; }
need=($(missing "linux-headers-$kver" "linux-image-$kver-unsigned"))
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
echo "$kver"
