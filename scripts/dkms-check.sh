#!/bin/bash
# DKMS check, on the host, changing nothing outside a scratch directory:
# `dkms add` + `dkms build -k <stock version>` of the tree's sources (the
# files the espah-dkms package ships: scripts/dkms-files.sh) against the
# stock headers, into a private --dkmstree/--sourcetree. KTAP on stdout.
#   scripts/dkms-check.sh [KVER]
set -uo pipefail
. "$(dirname "$0")/common.sh"

kver=${1:-$(stock_kver)}
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$ESPAH_ROOT/dkms.conf")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }

src=$tmp/src/espah-$ver
mkdir -p "$src" "$tmp/tree"
"$ESPAH_ROOT/scripts/dkms-files.sh" "$src"
dk=(--sourcetree "$tmp/src" --dkmstree "$tmp/tree")
dkms add -m espah -v "$ver" "${dk[@]}" > "$tmp/add.log" 2>&1
ok $? "dkms add espah/$ver" || sed 's/^/# /' "$tmp/add.log"
t0=$(date +%s)
dkms build -m espah -v "$ver" -k "$kver" "${dk[@]}" > "$tmp/build.log" 2>&1
rc=$?
ok $rc "dkms build -k $kver ($(( $(date +%s) - t0 )) s)"
[ $rc = 0 ] || { sed 's/^/# /' "$tmp/build.log" | tail -30; find "$tmp/tree" -name make.log -exec tail -30 {} \; | sed 's/^/# /'; }
ko=$(find "$tmp/tree/espah/$ver/$kver" -name 'espah.ko*' 2>/dev/null | head -1)
vm=$([ -n "$ko" ] && modinfo -F vermagic "$ko" | cut -d' ' -f1)
[ "$vm" = "$kver" ]
ok $? "built module is for $kver (vermagic ${vm:-none})"
dep=$([ -n "$ko" ] && modinfo -F depends "$ko")
[ -n "$ko" ] && [ -z "$dep" ]
ok $? "no hard module dependency (depends: '${dep}')"
# DKMS_KEEP=DIR: keep the built tree (the install layer hands it to the
# guest test, whose DKMS then installs this build instead of compiling
# again under emulation)
if [ -n "${DKMS_KEEP:-}" ] && [ -n "$ko" ]; then
	rm -rf "$DKMS_KEEP"
	mkdir -p "$DKMS_KEEP"
	cp -a "$tmp/tree/espah" "$DKMS_KEEP/"
fi
echo "1..$n"
exit $failed
