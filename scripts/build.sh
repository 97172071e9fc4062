#!/bin/bash
# Build espah (and, where the kernel has KUnit, espah_kunit) for one guest
# kernel, in a private copy under build/<kind>/ so that both kernels' objects
# never mix in the source tree. Also builds the espah tool and the fuzzers.
#   scripts/build.sh debug|stock [extra make args, e.g. W=1 C=2]
set -euo pipefail
. "$(dirname "$0")/common.sh"

kind=${1:?usage: build.sh debug|stock [make args]}
shift
kdir=$(kdir_of "$kind")
out="$ESPAH_ROOT/build/$kind"
mkdir -p "$out/src"
rsync -rlc --delete --exclude .git --exclude build --exclude tools \
	--exclude '*.o' --exclude '*.ko' --exclude '*.cmd' --exclude '*.mod' \
	--exclude '*.mod.c' --exclude Module.symvers --exclude modules.order \
	"$ESPAH_ROOT/" "$out/src/"
# the module build's own output, for scripts/lint.sh (ESPAH_LINT_BUILT)
make -s -C "$kdir" M="$out/src" -j"$(nproc)" "$@" modules 2>&1 | tee "$out/modules.log"
cp "$out"/src/*.ko "$out/"
make -s -C "$ESPAH_ROOT/tools/espah" >/dev/null
# the fuzzers the guests run (build/fuzzpkt, build/nlfuzz): compiled here,
# not in the guest (50 s under the debug kernel's emulation)
make -s -C "$ESPAH_ROOT/scripts/fuzz" >/dev/null
"$ESPAH_ROOT/scripts/fuzz/build-nlfuzz.sh" >/dev/null
