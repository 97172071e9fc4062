#!/bin/bash
# Lint gate, as KTAP: W=1 builds for both kernels (no warnings), sparse
# (C=2) clean on the debug tree, the netlink spec check (scripts/nlspec.py),
# checkpatch --strict clean on our sources.
set -uo pipefail
. "$(dirname "$0")/common.sh"

n=0 failed=0
result() { # result NAME LOGFILE (non-empty log = failure)
	n=$((n + 1))
	if [ -s "$2" ]; then
		echo "not ok $n - $1"
		sed 's/^/# /' "$2" | head -40
		failed=1
	else
		echo "ok $n - $1"
	fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
warn='warning:|error:|Error '

for kind in stock debug; do
	extra=(W=1)
	[ $kind = debug ] && extra+=(C=2)
	if [ -n "${ESPAH_LINT_BUILT:-}" ]; then
		# make test built both afresh with these flags (scripts/test.sh)
		cp "$ESPAH_ROOT/build/$kind/modules.log" "$tmp/$kind.log" 2>/dev/null ||
			echo "Error: no build/$kind/modules.log" > "$tmp/$kind.log"
		[ -f "$ESPAH_ROOT/build/$kind/espah.ko" ] ||
			echo "Error: build/$kind/espah.ko missing: build failed" >> "$tmp/$kind.log"
	else
		rm -rf "$ESPAH_ROOT/build/lint-$kind"
		out="$ESPAH_ROOT/build/lint-$kind"
		mkdir -p "$out"
		rsync -a --exclude .git --exclude build --exclude tools "$ESPAH_ROOT/" "$out/"
		make -C "$(kdir_of $kind)" M="$out" "${extra[@]}" -j"$(nproc)" modules \
			> "$tmp/$kind.log" 2>&1 || echo "Error $?: build failed" >> "$tmp/$kind.log"
	fi
	grep -E "$warn" "$tmp/$kind.log" > "$tmp/$kind.warn"
	result "build $kind ${extra[*]}" "$tmp/$kind.warn"
done

# Every file compiled afresh, in a copy: the guests of make test may be
# running the checkout's own build of the tool at the same time.
mkdir -p "$tmp/src/tools"
rsync -a --exclude '*.o' --exclude asan "$ESPAH_ROOT/include" "$tmp/src/"
rsync -a --exclude '*.o' --exclude asan --exclude /espah/espah --exclude '/espah/espah-*' \
	"$ESPAH_ROOT/tools/espah" "$tmp/src/tools/"
make -s -C "$tmp/src/tools/espah" > "$tmp/tool.log" 2>&1 || echo "Error: tool build failed" >> "$tmp/tool.log"
grep -E "$warn" "$tmp/tool.log" > "$tmp/tool.warn"
result "espah tool builds with -Wall -Wextra -Werror" "$tmp/tool.warn"

# The netlink family against its spec: generated policies up to date, the
# uapi header and the tool's attribute tables in agreement with it.
python3 "$ESPAH_ROOT/scripts/nlspec.py" check > "$tmp/nlspec.log" 2>&1 ||
	echo "Error: nlspec.py check failed" >> "$tmp/nlspec.log"
result "netlink spec (Documentation/netlink/specs/espah.yaml) agrees with uapi, policies, tool" \
	"$tmp/nlspec.log"

cp=$(debug_kdir)/scripts/checkpatch.pl
# Kernel code: everything checkpatch --strict says. The tool is user space:
# kernel-only macros (__printf, BIT, ...) do not exist there, its usage text
# is one string per line, and its user-visible messages are never split.
mapfile -t kfiles < <(cd "$ESPAH_ROOT" && git ls-files -co --exclude-standard \
	'net/*.[ch]' 'include/*.h' 'crypto-glue/*.[ch]' 'kunit/*.[ch]')
# X-macro lists (include/espah/counters.h) expand to table entries, not
# statements: checkpatch's COMPLEX_MACRO and MACRO_ARG_REUSE miss the point.
xfiles=(include/espah/counters.h)
mapfile -t kfiles < <(printf '%s\n' "${kfiles[@]}" | grep -vxF -f <(printf '%s\n' "${xfiles[@]}"))
mapfile -t ufiles < <(cd "$ESPAH_ROOT" && git ls-files -co --exclude-standard 'tools/espah/*.[ch]')
files=("${kfiles[@]}" "${xfiles[@]}" "${ufiles[@]}")
(cd "$ESPAH_ROOT" && "$cp" --strict --no-tree --quiet --terse --show-types \
	-f "${kfiles[@]}") > "$tmp/cp.log" 2>&1
(cd "$ESPAH_ROOT" && "$cp" --strict --no-tree --quiet --terse --show-types \
	--ignore COMPLEX_MACRO,MACRO_ARG_REUSE -f "${xfiles[@]}") >> "$tmp/cp.log" 2>&1
(cd "$ESPAH_ROOT" && "$cp" --strict --no-tree --quiet --terse --show-types \
	--ignore PREFER_DEFINED_ATTRIBUTE_MACRO,BIT_MACRO,CAMELCASE,EMBEDDED_FUNCTION_NAME,LONG_LINE_STRING,MACRO_ARG_REUSE,PARENTHESIS_ALIGNMENT \
	-f "${ufiles[@]}") >> "$tmp/cp.log" 2>&1
grep -E 'ERROR|WARNING|CHECK' "$tmp/cp.log" > "$tmp/cp.warn"
# without the debug tree there is no checkpatch: say so, not "ok"
[ -x "$cp" ] || echo "Error: $cp not found (build the debug kernel tree)" >> "$tmp/cp.warn"
result "checkpatch --strict on ${#files[@]} files" "$tmp/cp.warn"
echo "1..$n"
exit $failed
