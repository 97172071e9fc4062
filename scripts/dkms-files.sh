#!/bin/bash
# Copy the module's sources, as DKMS builds them, into DIR: what
# `dkms add` takes and what the espah-dkms package installs under
# /usr/src/espah-VERSION: Kbuild, dkms.conf, LICENSE and the source
# directories, without build products (as scripts/build.sh copies them).
#   scripts/dkms-files.sh DIR
set -euo pipefail
dst=${1:?usage: dkms-files.sh DIR}
mkdir -p "$dst"
cd "$(dirname "$0")/.."
cp Kbuild dkms.conf LICENSE "$dst/"
rsync -rlc --delete --exclude '*.o' --exclude '*.ko' --exclude '*.cmd' --exclude '*.mod' \
	--exclude '*.mod.c' --exclude '*.a' --exclude '.*' \
	net include crypto-glue kunit "$dst/"
