#!/bin/bash
# The Debian packages installed for real, on the host, changing nothing
# outside a scratch directory: `apt install ./espah-dkms_*.deb
# ./espah-tools_*.deb` in a chroot whose root is an overlay of the host's
# own (upper layer in a tmpfs, dropped at the end), so dpkg, the
# maintainer scripts and DKMS run as on a gateway host, against the
# packages and kernel headers this machine has (scripts/deps.sh installed
# dkms and the stock headers). Then what a kernel update runs (the
# kernel's postinst.d hook of DKMS), and `apt purge`. KTAP on stdout.
#   scripts/apt-check.sh DKMS_DEB TOOLS_DEB
set -uo pipefail
. "$(dirname "$0")/common.sh"

kver=$(stock_kver)
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }
tmp=$(mktemp -d)
r=$tmp/root
mounts=()
cleanup() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
mnt() { mount "$@" && mounts+=("${!#}"); }
in_root() { chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root PWD=/ \
	DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"; }

mkdir -p "$tmp/layer" "$r"
if ! { mnt -t tmpfs tmpfs "$tmp/layer" && mkdir -p "$tmp/layer/u" "$tmp/layer/w" &&
	mnt -t overlay overlay -o "lowerdir=/,upperdir=$tmp/layer/u,workdir=$tmp/layer/w" "$r" &&
	mnt --bind /proc "$r/proc" && mnt --rbind /sys "$r/sys" && mnt --rbind /dev "$r/dev" &&
	mnt -t tmpfs tmpfs "$r/tmp" && mnt -t tmpfs tmpfs "$r/run"; }; then
	ok 1 "scratch root: an overlay of / with a tmpfs upper layer"
	echo "1..$n"
	exit 1
fi
ok 0 "scratch root: an overlay of / with a tmpfs upper layer"
cp "$1" "$2" "$r/tmp/"
dkms_deb=/tmp/${1##*/} tools_deb=/tmp/${2##*/}
ver=$(dpkg-deb -f "$1" Version)
ver=${ver%-*}
ko=/lib/modules/$kver/updates/dkms/espah.ko

# the packages' installation: apt resolves, dpkg unpacks, DKMS builds
# and installs the module for the installed kernel (the host's own
# kernel has no headers here, as in a chroot on a build host)
t0=$(date +%s)
in_root apt-get install -y \
	"$dkms_deb" "$tools_deb" > "$tmp/install.log" 2>&1
rc=$?
ok $rc "apt install ./espah-dkms ./espah-tools ($(($(date +%s) - t0)) s)"
[ $rc = 0 ] || sed 's/^/# /' "$tmp/install.log" | tail -30
grep -E '^(Building for|Building initial module|Setting up espah)' "$tmp/install.log" | sed 's/^/# /'
st=$(in_root dkms status -m espah -v "$ver" -k "$kver")
grep -q ': installed' <<< "$st"
ok $? "dkms status: built and installed for $kver ($st)"
vm=$([ -f "$r$ko" ] && modinfo -F vermagic "$r$ko" | cut -d' ' -f1)
[ "$vm" = "$kver" ]
ok $? "$ko is for $kver (vermagic ${vm:-none})"
dep=$([ -f "$r$ko" ] && modinfo -F depends "$r$ko")
[ -f "$r$ko" ] && [ -z "$dep" ]
ok $? "no hard module dependency (depends: '$dep')"
grep -q '^updates/dkms/espah.ko:' "$r/lib/modules/$kver/modules.dep"
ok $? "depmod indexed it: modprobe espah finds it"
out=$(in_root /usr/sbin/espah help 2>&1 | head -1)
grep -q '^Usage: espah' <<< "$out"
ok $? "/usr/sbin/espah runs (${out:0:40})"
[ -L "$r/etc/systemd/system/multi-user.target.wants/espah.service" ]
ok $? "espah.service enabled for the next boot"
in_root systemd-analyze verify --man=no /lib/systemd/system/espah.service > "$tmp/verify.log" 2>&1
ok $? "systemd-analyze verify the installed unit"
sed 's/^/# /' "$tmp/verify.log"
[ "$(stat -c %a "$r/etc/espah/espah.conf")" = 600 ]
ok $? "/etc/espah/espah.conf is readable by root only (keys)"

# a kernel update: the kernel package's postinst runs DKMS's hook with
# the new version; here the build is dropped first, as for a kernel the
# module was never built for
in_root dkms unbuild -m espah -v "$ver" -k "$kver" > "$tmp/unbuild.log" 2>&1
[ ! -e "$r$ko" ]
ok $? "dkms unbuild: no module for $kver"
t0=$(date +%s)
in_root /etc/kernel/postinst.d/dkms "$kver" > "$tmp/hook.log" 2>&1
rc=$?
[ $rc = 0 ] && [ -f "$r$ko" ] && grep -q ': installed' <<< "$(in_root dkms status -m espah -k "$kver")"
ok $? "kernel update hook (/etc/kernel/postinst.d/dkms $kver) rebuilds and installs it ($(($(date +%s) - t0)) s)"
[ -f "$r$ko" ] || sed 's/^/# /' "$tmp/hook.log" | tail -20

# purge: nothing of espah left but what dpkg leaves on purpose (nothing)
in_root apt-get purge -y espah-tools espah-dkms > "$tmp/purge.log" 2>&1
ok $? "apt purge espah-tools espah-dkms" || sed 's/^/# /' "$tmp/purge.log" | tail -20
left=$(cd "$r" && ls -d "./$ko" ./usr/sbin/espah "./usr/src/espah-$ver" ./var/lib/dkms/espah \
	./etc/espah ./lib/systemd/system/espah.service \
	./etc/systemd/system/multi-user.target.wants/espah.service 2>/dev/null | tr '\n' ' ')
[ -z "$left" ]
ok $? "purge leaves nothing (left: ${left:-none})"
echo "1..$n"
exit $failed
