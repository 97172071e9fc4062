#!/bin/bash
# Boot a test guest in QEMU and run one script inside it.
#   scripts/vm.sh [--kernel debug|stock] [--timeout SECS] [--no-load]
#                 [--no-build] [--out DIR] [--cpus 1|2] GUEST_SCRIPT [ARGS...]
# The guest sees the host root read-only (9p) and a writable share with the
# job's files; espah.ko is loaded before the script and unloaded after it.
# Exit status: the script's, or 124 if the guest hung, 125 if it died
# (panic, oops with panic_on_warn, ...) before reporting, 126 if the kernel
# log shows a BUG/WARNING/KASAN/lockdep/RCU report although the script passed.
set -euo pipefail
. "$(dirname "$0")/common.sh"

kind=debug timeout=900 load=1 build=1 out= cpus=2
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kind=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--no-load) load=0; shift ;;
	--no-build) build=0; shift ;;
	--out) out=$2; shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "vm.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
script=${1:?usage: vm.sh [options] GUEST_SCRIPT [ARGS...]}
shift
script=$(realpath "$script")
[ -x "$script" ] || { echo "vm.sh: $script is not executable" >&2; exit 2; }

[ "$kind" = debug ] && "$ESPAH_ROOT/scripts/kernel-debug.sh" >/dev/null
[ $build = 0 ] || "$ESPAH_ROOT/scripts/build.sh" "$kind"
image=$(kimage_of "$kind")
initrd=$("$ESPAH_ROOT/scripts/initramfs.sh" "$kind")
out=${out:-$ESPAH_ROOT/build/$kind/run}
rm -rf "$out"
mkdir -p "$out"
out=$(realpath "$out")
# A script from outside the checkout travels in the job share.
case "$script" in
"$ESPAH_ROOT"/*) ;;
*)
	cp "$script" "$out/job-script"
	script=/run/out/job-script
	;;
esac
cat > "$out/job.env" <<JOB
ESPAH_ROOT='$ESPAH_ROOT'
ESPAH_BUILD='$ESPAH_ROOT/build/$kind'
ESPAH_TOOL='$ESPAH_ROOT/tools/espah/espah'
ESPAH_KIND='$kind'
ESPAH_SCRIPT='$script'
ESPAH_ARGS='$*'
ESPAH_LOAD=$load
ESPAH_KUNIT_ARGS='${ESPAH_KUNIT_ARGS:-}'
ESPAH_SOAK='${ESPAH_SOAK:-0}'
JOB

append="console=ttyS0 panic=-1 oops=panic loglevel=5 espah.init=$ESPAH_ROOT/scripts/guest-init.sh"
# ESPAH_APPEND: more kernel parameters (experiments)
[ -z "${ESPAH_APPEND:-}" ] || append="$append $ESPAH_APPEND"
mem=2048
if [ "$kind" = debug ]; then
	append="$append panic_on_warn=1 kmemleak=on"
	mem=1536
fi
accel=tcg
if [ "${ESPAH_KVM:-0}" = 1 ] && [ -w /dev/kvm ]; then
	accel=kvm # opt-in only: KVM hangs on some of these machines
fi
console="$out/console.log"
# One socket per CPU: the debug kernel has no ACPI and takes its CPUs from
# SeaBIOS's MP table, which lists one entry per socket (with the default
# topology, two cores in one socket, it saw one CPU).
smp=$cpus,sockets=$cpus,cores=1,threads=1
set +e
timeout --kill-after=10 "$timeout" qemu-system-x86_64 \
	-accel $accel -cpu max -smp $smp -m $mem \
	-display none -monitor none -serial "file:$console" -no-reboot -nic none \
	-kernel "$image" -initrd "$initrd" -append "$append" \
	-device virtio-rng-pci \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="$out",mount_tag=out,security_model=none,multidevs=remap \
	-virtfs local,path="$ESPAH_ROOT",mount_tag=espahsrc,security_model=none,readonly=on,multidevs=remap \
	</dev/null >"$out/qemu.log" 2>&1
qrc=$?
set -e
if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
	echo "vm.sh: guest ($kind) hung: killed after ${timeout}s" >&2
	tail -20 "$console" >&2
	exit 124
fi
if [ ! -f "$out/rc" ]; then
	echo "vm.sh: guest ($kind) died before reporting (qemu rc $qrc)" >&2
	tail -40 "$console" >&2
	exit 125
fi
rc=$(cat "$out/rc")
# Reports that do not stop the kernel still fail the run.
pat='BUG:|WARNING:|Oops|KASAN|possible circular locking|inconsistent lock state|suspicious RCU usage|possible recursive locking|Call Trace:|general protection fault'
if grep -Eq "$pat" "$out/dmesg.log" "$console" 2>/dev/null; then
	echo "vm.sh: kernel reported a problem:" >&2
	grep -Eh -A5 "$pat" "$out/dmesg.log" "$console" | head -40 >&2
	[ "$rc" -ne 0 ] || rc=126
fi
exit "$rc"
