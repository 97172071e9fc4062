#!/bin/bash
# The install layer of `make test`, on the host, changing nothing outside
# scratch directories: `make install` / `uninstall` with DESTDIR and
# PREFIX lay out (and remove) the expected files; the unit passes
# `systemd-analyze verify`; bash completion loads and completes; `make
# deb` builds espah-dkms and espah-tools, lintian finds no error, their
# contents are right, and they install for real in a scratch root, DKMS
# building the module against the stock headers (scripts/apt-check.sh).
# KTAP on stdout; the .debs stay in build/deb.
set -uo pipefail
. "$(dirname "$0")/common.sh"
cd "$ESPAH_ROOT" || exit 1

n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ko=build/stock/espah.ko
kver=$(modinfo -F vermagic $ko | cut -d' ' -f1)

# make install into DESTDIR, PREFIX=/usr: exactly these files
d=$tmp/d1
make -s install DESTDIR=$d KO=$ko > $tmp/i1.log 2>&1
ok $? "make install DESTDIR=... (PREFIX=/usr)"
(cd $d && find . -type f | sort) > $tmp/got
cat > $tmp/want <<-W
	./etc/espah/espah.conf
	./lib/modules/$kver/updates/espah.ko
	./lib/systemd/system/espah.service
	./usr/include/linux/espah.h
	./usr/sbin/espah
	./usr/share/bash-completion/completions/espah
	./usr/share/man/man8/espah.8
W
diff $tmp/want $tmp/got > $tmp/diff
ok $? "DESTDIR layout: module in updates/, tool, man page, header, completion, unit, conf"
sed 's/^/# /' $tmp/diff
! grep -q depmod $tmp/i1.log
ok $? "no depmod with DESTDIR"
[ "$(stat -c %a $d/etc/espah/espah.conf)" = 600 ] && [ -x $d/usr/sbin/espah ]
ok $? "conf is 0600, tool executable"
echo "# changed" >> $d/etc/espah/espah.conf
make -s install DESTDIR=$d KO=$ko > /dev/null 2>&1
grep -q '^# changed' $d/etc/espah/espah.conf
ok $? "a second install keeps the configuration"
# PREFIX=/usr/local: the tool moves, the module does not
d2=$tmp/d2
make -s install DESTDIR=$d2 PREFIX=/usr/local KO=$ko > /dev/null 2>&1
[ -x $d2/usr/local/sbin/espah ] && [ -f $d2/usr/local/share/man/man8/espah.8 ] &&
	[ -f $d2/lib/modules/$kver/updates/espah.ko ] && [ ! -e $d2/usr/sbin ] &&
	grep -q '^ExecStart=/usr/local/sbin/espah ' $d2/usr/local/lib/systemd/system/espah.service
ok $? "PREFIX=/usr/local: tool, man page and unit under it, module in /lib/modules"
make -s uninstall DESTDIR=$d KO=$ko > /dev/null 2>&1
left=$(cd $d && find . -type f | sort | tr '\n' ' ')
[ "$left" = "./etc/espah/espah.conf " ]
ok $? "make uninstall removes all but the configuration (left: $left)"

# the unit, as installed, its ExecStart pointing at the staged tool
sed "s|/usr/local/sbin/espah|$d2/usr/local/sbin/espah|" $d2/usr/local/lib/systemd/system/espah.service \
	> $tmp/espah.service
systemd-analyze verify --man=no $tmp/espah.service > $tmp/verify.log 2>&1
ok $? "systemd-analyze verify espah.service"
sed 's/^/# /' $tmp/verify.log
grep -q '^ExecReload=.*-batch --atomic /etc/espah/espah.conf$' $d2/usr/local/lib/systemd/system/espah.service
ok $? "reload re-applies the configuration atomically"

# bash completion: loads and completes objects and state commands
comp=$(bash -c '
	_init_completion() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}
		words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
	_filedir() { :; }
	. tools/espah/espah.bash-completion
	COMP_WORDS=(espah st); COMP_CWORD=1; _espah; echo "${COMPREPLY[*]}"
	COMP_WORDS=(espah state fl); COMP_CWORD=2; _espah; echo "${COMPREPLY[*]}"
	COMP_WORDS=(espah stats -o ""); COMP_CWORD=3; _espah; echo "${COMPREPLY[*]}"' 2>&1 | tr '\n' '|')
[ "$comp" = "state stats|flush|prometheus|" ]
ok $? "bash completion completes (got: $comp)"

# one version for DKMS and the packages
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
[ "$ver" = "$(dpkg-parsechangelog -l debian/changelog -S Version)" ]
ok $? "dkms.conf and debian/changelog have the same version ($ver)"

# make deb + lintian + contents + apt's view of the dependencies
t0=$(date +%s)
make -s deb > $tmp/deb.log 2>&1
ok $? "make deb ($(( $(date +%s) - t0 )) s)" || sed 's/^/# /' $tmp/deb.log | tail -20
debs=(build/deb/espah-dkms_*.deb build/deb/espah-tools_*.deb)
[ -f "${debs[0]}" ] && [ -f "${debs[1]}" ]
ok $? "espah-dkms and espah-tools built"
lintian --fail-on error build/deb/*.deb > $tmp/lintian.log 2>&1
ok $? "lintian: no error ($(grep -c '^W:' $tmp/lintian.log) warnings)"
sed 's/^/# /' $tmp/lintian.log
c=$(dpkg-deb -c "${debs[1]}" | awk '{print $6}')
for f in ./usr/sbin/espah ./usr/share/man/man8/espah.8.gz ./lib/systemd/system/espah.service \
	./usr/share/bash-completion/completions/espah ./etc/espah/espah.conf ./usr/include/linux/espah.h; do
	grep -qx -- "$f" <<< "$c"
	ok $? "espah-tools has $f"
done
dpkg-deb -I "${debs[1]}" conffiles | grep -qx /etc/espah/espah.conf
ok $? "espah-tools: /etc/espah/espah.conf is a conffile"
c=$(dpkg-deb -c "${debs[0]}" | awk '{print $6}')
grep -qx "./usr/src/espah-$ver/dkms.conf" <<< "$c" && grep -qx "./usr/src/espah-$ver/Kbuild" <<< "$c" &&
	grep -q "^./usr/src/espah-$ver/net/main.c" <<< "$c"
ok $? "espah-dkms has the sources and dkms.conf under /usr/src/espah-$ver"
dpkg-deb -I "${debs[0]}" control | grep -q '^Depends:.*dkms' &&
	dpkg-deb -I "${debs[0]}" postinst | grep -q dkms
ok $? "espah-dkms depends on dkms and runs it from its postinst"
apt-get install --simulate --no-download "./${debs[0]}" "./${debs[1]}" > $tmp/apt.log 2>&1
ok $? "apt resolves the packages' dependencies (apt install --simulate)"
grep -E '^(Inst|E:)' $tmp/apt.log | sed 's/^/# /'

# installed for real, in a scratch root: apt, dpkg, the maintainer
# scripts, DKMS's build against the stock headers, a kernel update, purge
t0=$(date +%s)
scripts/apt-check.sh "${debs[0]}" "${debs[1]}" > $tmp/aptc.tap 2>&1
rc=$?
while read -r line; do
	case $line in
	ok\ *) ok 0 "apt: ${line#ok * - }" ;;
	not\ ok\ *) ok 1 "apt: ${line#not ok * - }" ;;
	\#*) echo "$line" ;;
	esac
done < $tmp/aptc.tap
ok $rc "apt check ($(( $(date +%s) - t0 )) s)"
echo "1..$n"
exit $failed
