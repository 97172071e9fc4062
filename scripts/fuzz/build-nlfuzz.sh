#!/bin/bash
# Build the netlink fuzzer (scripts/fuzz/nlfuzz.c) into DIR (default
# build/), unless the binary there is newer than its source and the uapi
# header. Prints the binary's path.
#   scripts/fuzz/build-nlfuzz.sh [DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$root/build}
src=$root/scripts/fuzz/nlfuzz.c
hdr=$root/include/uapi/linux/espah.h
bin=$dir/nlfuzz
if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ] || [ "$hdr" -nt "$bin" ]; then
	mkdir -p "$dir"
	gcc -O2 -Wall -Wextra -Werror -o "$bin.tmp" "$src"
	mv "$bin.tmp" "$bin"
fi
echo "$bin"
