#!/bin/bash
# A fresh host's install path, in a stock guest booted without espah
# (vm.sh --no-load; run by scripts/selfcheck.sh from a checkout under /tmp):
# plain insmod with nf_conntrack and nf_defrag_ipv6 not loaded, traffic
# through an SA, rmmod; then `make install` (module into
# /lib/modules/VER/updates + depmod, tool under PREFIX) and `modprobe espah`
# (the Debian packages: see the end of this file).
# The guest's root is the host's, read-only: what is installed lands in
# tmpfs or overlay mounts made here.
loaded() { grep -q "^$1 " /proc/modules; }
ko=$ESPAH_BUILD/espah.ko
# 1. insmod on a kernel with nothing of netfilter's loaded: look before
# lib.sh, which wants espah loaded, then report through it.
before=$(cut -d' ' -f1 /proc/modules | tr '\n' ' ')
pre=()
loaded espah && pre+=(espah)
for m in nf_conntrack nf_defrag_ipv6 nf_defrag_ipv4; do loaded $m && pre+=($m); done
dep=$(modinfo -F depends "$ko")
insmod "$ko" 2> /tmp/insmod.err
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh
kver=$(uname -r)
check "none of espah, nf_conntrack, nf_defrag_ipv6/v4 loaded before insmod (loaded: ${pre[*]})" \
	[ ${#pre[@]} = 0 ]
diag "lsmod before insmod: $before"
check "modinfo: no hard dependency (depends: '$dep')" [ -z "$dep" ]
check "plain insmod succeeds ($(cat /tmp/insmod.err))" loaded espah
check "espah features answers" eval '"$ESPAH_TOOL" features > /dev/null'
l=10.0.12.1 r=10.0.12.2
if topo_up && gw_side espah gw1 $l $r $l/32 $r/32 transport gcm 0x3001 0x4001 3 4 &&
	gw_side native gw2 $r $l $r/32 $l/32 transport gcm 0x4001 0x3001 4 3; then
	check "traffic through an SA after plain insmod: ping gw1->gw2" pings gw1 $r 3
	check "espah's outbound SA counted it" ge "$(sastat gw1 0x3001 packets)" 3
	check "espah's inbound SA counted the replies" ge "$(sastat gw1 0x4001 packets)" 3
else
	not_ok "configure a transport SA pair"
fi
topo_down
diag "lsmod after traffic: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
check "rmmod espah" rmmod espah

# 2. make install, modprobe. /lib/modules/VER becomes a tmpfs whose
# kernel/ is the real one (bind mount), so that depmod can write its index.
mkdir -p /run/inst/mods /run/inst/orig
mount --bind "/lib/modules/$kver" /run/inst/orig
mount -t tmpfs tmpfs /run/inst/mods
mkdir -p /run/inst/mods/kernel
mount --bind /run/inst/orig/kernel /run/inst/mods/kernel
cp -a /run/inst/orig/modules.order /run/inst/orig/modules.builtin* /run/inst/mods/ 2>/dev/null
mount --bind /run/inst/mods "/lib/modules/$kver"
mount -t tmpfs tmpfs /usr/local
make -s -C "$ESPAH_ROOT" install PREFIX=/usr/local UNITDIR=/usr/local/lib/systemd/system \
	SYSCONFDIR=/usr/local/etc KO="$ko" > /tmp/install.log 2>&1
rc=$?
check "make install (exit $rc)" [ $rc = 0 ]
[ $rc = 0 ] || sed 's/^/# /' /tmp/install.log | tail
check "module in /lib/modules/$kver/updates" [ -f "/lib/modules/$kver/updates/espah.ko" ]
check "depmod indexed it" grep -q '^updates/espah.ko:' "/lib/modules/$kver/modules.dep"
for f in sbin/espah share/man/man8/espah.8 include/linux/espah.h \
	share/bash-completion/completions/espah lib/systemd/system/espah.service etc/espah/espah.conf; do
	check "installed /usr/local/$f" [ -e "/usr/local/$f" ]
done
modprobe espah 2> /tmp/modprobe.err
check "modprobe espah after make install ($(cat /tmp/modprobe.err))" loaded espah
check "installed tool talks to it" eval '/usr/local/sbin/espah state count > /dev/null'
check "the example configuration applies (--atomic)" \
	/usr/local/sbin/espah -batch --atomic /usr/local/etc/espah/espah.conf
check "modprobe -r espah" modprobe -r espah
make -s -C "$ESPAH_ROOT" uninstall PREFIX=/usr/local UNITDIR=/usr/local/lib/systemd/system \
	KO="$ko" > /tmp/uninstall.log 2>&1
check "make uninstall removes module and tool" \
	[ ! -e "/lib/modules/$kver/updates/espah.ko" -a ! -e /usr/local/sbin/espah ]
umount "/lib/modules/$kver" /run/inst/mods/kernel /run/inst/mods /run/inst/orig /usr/local

# The Debian packages are built, linted and installed with
# apt-get --simulate by the install layer on the host
# (scripts/install-check.sh). Installing them in this guest with apt
# took over 20 minutes under emulation (dpkg over the 9p root), too long
# for make test: not done here.
finish
