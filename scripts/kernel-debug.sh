#!/bin/bash
# Build (or reuse) the debug test kernel from Debian's linux-source-6.1.
# Prints the kernel tree path. The tree is cached outside the repo.
set -euo pipefail
. "$(dirname "$0")/common.sh"

kdir=$(debug_kdir)
mkdir -p "$(dirname "$kdir")"
# One build at a time: a second caller waits for the first and reuses it.
exec 9> "$kdir.lock"
flock 9
if [ -f "$kdir/.espah-built" ]; then
	echo "$kdir"
	exit 0
fi
log "building debug kernel in $kdir (about 12 min on 2 cores)"
start=$(date +%s)
rm -rf "$kdir" "$kdir.tmp"
mkdir -p "$kdir.tmp"
tar -xf /usr/src/linux-source-6.1.tar.xz -C "$kdir.tmp" --strip-components=1
cd "$kdir.tmp"
# Fixes to the test kernel itself, each explained in its patch (lockdep
# false positives that would otherwise hide espah's own reports).
for p in "$ESPAH_ROOT"/scripts/kconfig/*.patch; do
	patch -s -p1 < "$p"
done
make -s ARCH=x86_64 allnoconfig
scripts/kconfig/merge_config.sh -m .config "$ESPAH_ROOT/scripts/kconfig/debug.config" >/dev/null
make -s ARCH=x86_64 olddefconfig
# Every fragment line must have taken effect, or the rig silently tests less.
bad=0
while IFS= read -r line; do
	case "$line" in ''|'#'*) continue ;; esac
	opt=${line%%=*}
	val=${line#*=}
	if [ "$val" = n ]; then
		grep -q "^$opt=" .config && { echo "kconfig: $opt should be off" >&2; bad=1; }
	else
		grep -qx "$line" .config || { echo "kconfig: $line did not take" >&2; bad=1; }
	fi
done < "$ESPAH_ROOT/scripts/kconfig/debug.config"
[ $bad -eq 0 ] || exit 1
make -s -j"$(nproc)" ARCH=x86_64 bzImage modules >/dev/null
cd /
mv "$kdir.tmp" "$kdir"
end=$(date +%s)
echo $((end - start)) > "$kdir/.espah-built"
log "debug kernel built in $((end - start)) s"
echo "$kdir"
