# Shared settings for espah's scripts (sourced, not run).
# shellcheck shell=bash
ESPAH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ESPAH_CACHE=${ESPAH_CACHE:-/var/cache/espah}
mkdir -p "$ESPAH_CACHE"

stock_kver() {
	dpkg-query -W -f='${Depends}' linux-headers-amd64 |
		sed -n 's/.*linux-headers-\([^ ,]*-amd64\).*/\1/p'
}

# Debug kernel tree, keyed by the source package version + fragment hash.
debug_kdir() {
	local srcver hash
	srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
	# the fragment and the patches (scripts/kconfig/*.patch) name the tree
	hash=$(cat "$ESPAH_ROOT/scripts/kconfig/debug.config" \
		"$ESPAH_ROOT"/scripts/kconfig/*.patch | sha256sum | cut -c1-12)
	echo "$ESPAH_CACHE/linux-debug-$srcver-$hash"
}

log() { echo "[$(date +%T)] $*" >&2; }

# Kernel tree to build against, per guest kind.
kdir_of() {
	case "$1" in
	debug) debug_kdir ;;
	stock) echo "/usr/src/linux-headers-$(stock_kver)" ;;
	*) echo "unknown kernel kind: $1" >&2; return 1 ;;
	esac
}

# Kernel image to boot, per guest kind.
kimage_of() {
	case "$1" in
	debug) echo "$(debug_kdir)/arch/x86/boot/bzImage" ;;
	stock) echo "/boot/vmlinuz-$(stock_kver)" ;;
	esac
}
