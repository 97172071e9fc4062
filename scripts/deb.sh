#!/bin/bash
# `make deb`: build espah-dkms and espah-tools with Debian's tooling
# (dpkg-buildpackage, debhelper, dh-dkms) in a copy of the tree under
# build/deb/, so that the checkout stays clean. Prints the .deb paths.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ver=$(dpkg-parsechangelog -l "$root/debian/changelog" -S Version)
out=$root/build/deb
src=$out/espah-$ver
rm -rf "$out"
mkdir -p "$src"
rsync -a --exclude .git --exclude build --exclude '*.o' --exclude '*.ko' --exclude '*.cmd' \
	--exclude '*.mod' --exclude '*.mod.c' --exclude Module.symvers --exclude modules.order \
	--exclude 'tools/espah/espah' --exclude 'tools/espah/espah-*' --exclude tools/espah/asan \
	"$root/" "$src/"
(cd "$src" && dpkg-buildpackage -b -us -uc) > "$out/build.log" 2>&1 ||
	{ tail -40 "$out/build.log" >&2; exit 1; }
ls "$out"/*.deb
