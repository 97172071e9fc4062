#!/bin/bash
# PID 1 of a test guest, on the host's root (read-only, over 9p).
# Reads the job from the "out" share, loads espah, runs the job's script,
# writes its exit status to $OUT/rc, scans for leaks, and reboots (QEMU
# runs with -no-reboot, so that ends the VM). The status is the script's,
# except 90 (insmod failed), 91 (rmmod failed), 92 (kmemleak found leaks),
# which override it: those are failures of the whole run.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp TERM=dumb LC_ALL=C.UTF-8 PYTHONDONTWRITEBYTECODE=1

# bash reads a script as it runs it: after the basic mounts, run from a
# private copy, so that the host editing this file cannot break a guest.
# The copy is read before the tmpfs mounts below: the checkout may live
# under one of the directories they cover (/tmp, /root, /mnt...).
if [ -z "${ESPAH_INIT_COPY:-}" ]; then
	self=$(cat "$0")
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
	mkdir -p /dev/pts /dev/shm
	ln -sfn /proc/self/fd /dev/fd
	ln -sfn /proc/self/fd/0 /dev/stdin
	ln -sfn /proc/self/fd/1 /dev/stdout
	ln -sfn /proc/self/fd/2 /dev/stderr
	mount -t devpts devpts /dev/pts
	for d in /tmp /run /var/tmp /root /dev/shm /mnt; do
		mount -t tmpfs tmpfs "$d"
	done
	printf '%s\n' "$self" > /run/guest-init.sh
	chmod +x /run/guest-init.sh
	ESPAH_INIT_COPY=1 exec /run/guest-init.sh
fi
OUT=/run/out
mkdir -p /run/netns $OUT
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out $OUT
ip link set lo up
hostname espah-guest
ulimit -c 0
step() { echo "guest: $(cut -d" " -f1 /proc/uptime)s $*" > /dev/console; }
step "init"

# shellcheck disable=SC1091
. $OUT/job.env
# The checkout is a share of its own (vm.sh), mounted at its host path:
# wherever it is (under /tmp too, which is a tmpfs here), the job finds
# its scripts and build where the host has them.
mkdir -p "$ESPAH_ROOT"
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose espahsrc "$ESPAH_ROOT" ||
	echo "guest: cannot mount the checkout at $ESPAH_ROOT"
cd "$ESPAH_ROOT" || exit 1
export ESPAH_ROOT ESPAH_BUILD ESPAH_TOOL ESPAH_KIND ESPAH_KUNIT_ARGS ESPAH_SOAK

leak=/sys/kernel/debug/kmemleak
if [ -w $leak ]; then
	# Forget whatever boot left behind: only what the job leaks counts.
	step "kmemleak: background scans off"
	# Scans run when asked, not from the background thread.
	echo scan=off > $leak
fi

if [ "$ESPAH_KIND" = stock ]; then
	# The stock kernel's algorithms are modules whose self-tests run when
	# first loaded; under TCG that can outlast the crypto API's wait, so the
	# first SA add would fail with ETIMEDOUT. Load them up front.
	step "loading crypto modules"
	modprobe -a gcm ccm chacha20poly1305 authenc authencesn cbc ctr xcbc cmac \
		sha1_generic sha256_generic sha512_generic aesni_intel ghash_clmulni_intel \
		seqiv echainiv crypto_null cryptd pcrypt 2>/dev/null
fi

rc=0
if [ "${ESPAH_LOAD:-1}" = 1 ]; then
	# insmod does not resolve dependencies: load what modinfo names first.
	for dep in $(modinfo -F depends "$ESPAH_BUILD/espah.ko" | tr , ' '); do
		modprobe "$dep" || echo "guest: modprobe $dep failed"
	done
	insmod "$ESPAH_BUILD/espah.ko" || rc=90
fi
if [ $rc -eq 0 ]; then
	# shellcheck disable=SC2086
	step "job start"
	"$ESPAH_SCRIPT" $ESPAH_ARGS > >(tee $OUT/script.log) 2>&1
	rc=$?
	sleep 0.2
fi
if [ "${ESPAH_LOAD:-1}" = 1 ] && grep -q '^espah ' /proc/modules; then
	# Unloading is part of every run: it must work and must not leak.
	step "rmmod"
	rmmod espah || { echo "guest: rmmod espah failed"; rc=91; }
fi
if [ -w $leak ]; then
	step "kmemleak final scan"
	# Objects younger than 5 s are never reported: let ours age. A block
	# is reported only when a second scan still finds it unreferenced.
	sleep 5
	echo scan > $leak
	sleep 1
	echo scan > $leak
	cat $leak > $OUT/kmemleak.log
	if [ -s $OUT/kmemleak.log ]; then
		echo "guest: kmemleak reports leaks"
		head -40 $OUT/kmemleak.log
		rc=92
	fi
fi
dmesg > $OUT/dmesg.log
echo "$rc" > $OUT/rc
sync
echo "guest: job finished, rc=$rc"
echo b > /proc/sysrq-trigger
sleep 10
