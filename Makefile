# SPDX-License-Identifier: GPL-2.0
# espah: out-of-tree build plus the project's test, lint, demo and bench entry points.
#
#   make                 espah.ko (+ espah_kunit.ko if KDIR has KUnit) and the espah tool
#   make KDIR=/path      build against any prepared kernel tree
#   make test            everything: lint gate, KUnit, end-to-end in both kernels
#   make demo            boot the stock kernel in QEMU and show a tunnel
#   make bench           espah vs native XFRM, same VM run
#   make install         module, tool, man page, header, completion, unit
#   make deb             espah-dkms and espah-tools .debs (build/deb/)

ifneq ($(KERNELRELEASE),)
include $(src)/Kbuild
else

STOCK_KVER ?= $(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null | \
		sed -n 's/.*linux-headers-\([^ ,]*-amd64\).*/\1/p')
KDIR ?= /usr/src/linux-headers-$(STOCK_KVER)
PWD := $(shell pwd)

all: modules tool

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

tool:
	$(MAKE) -C tools/espah

# make install [DESTDIR=...] [PREFIX=/usr] [KO=espah.ko]: installs what
# `make` built (nothing is built here): the module into
# /lib/modules/<the kernel KO was built for>/updates/ (then depmod, unless
# DESTDIR is set: a staging tree's modules are indexed where it lands), the
# tool, its man page, the uapi header, bash completion, the systemd unit
# and an example configuration (never over an existing one).
PREFIX ?= /usr
DESTDIR ?=
KO ?= espah.ko
INSTALL ?= install
SBINDIR := $(PREFIX)/sbin
MANDIR := $(PREFIX)/share/man
INCDIR := $(PREFIX)/include
COMPDIR := $(PREFIX)/share/bash-completion/completions
UNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
SYSCONFDIR ?= /etc
# the kernel KO was built for (KVER=... to name it, e.g. for uninstall)
MOD_KVER = $(or $(KVER),$(shell modinfo -F vermagic $(KO) 2>/dev/null | cut -d' ' -f1))
MODDIR = /lib/modules/$(MOD_KVER)/updates

install: install-module install-tool

install-module:
	@test -f $(KO) || { echo "install: $(KO) missing: run make first" >&2; exit 1; }
	@test -n "$(MOD_KVER)" || { echo "install: no vermagic in $(KO)" >&2; exit 1; }
	$(INSTALL) -D -m 644 $(KO) $(DESTDIR)$(MODDIR)/espah.ko
	$(if $(DESTDIR),,depmod -a $(MOD_KVER))

install-tool:
	@test -x tools/espah/espah || { echo "install: tools/espah/espah missing: run make first" >&2; exit 1; }
	$(INSTALL) -D -m 755 tools/espah/espah $(DESTDIR)$(SBINDIR)/espah
	$(INSTALL) -D -m 644 tools/espah/espah.8 $(DESTDIR)$(MANDIR)/man8/espah.8
	$(INSTALL) -D -m 644 include/uapi/linux/espah.h $(DESTDIR)$(INCDIR)/linux/espah.h
	$(INSTALL) -D -m 644 tools/espah/espah.bash-completion $(DESTDIR)$(COMPDIR)/espah
	$(INSTALL) -d $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' tools/espah/espah.service.in > $(DESTDIR)$(UNITDIR)/espah.service
	chmod 644 $(DESTDIR)$(UNITDIR)/espah.service
	test -e $(DESTDIR)$(SYSCONFDIR)/espah/espah.conf || \
		$(INSTALL) -D -m 600 tools/espah/espah.conf $(DESTDIR)$(SYSCONFDIR)/espah/espah.conf

# The configuration stays (as dpkg keeps conffiles until a purge).
uninstall:
	rm -f $(DESTDIR)$(MODDIR)/espah.ko $(DESTDIR)$(SBINDIR)/espah \
		$(DESTDIR)$(MANDIR)/man8/espah.8 $(DESTDIR)$(INCDIR)/linux/espah.h \
		$(DESTDIR)$(COMPDIR)/espah $(DESTDIR)$(UNITDIR)/espah.service
	$(if $(DESTDIR),,test -z "$(MOD_KVER)" || depmod -a $(MOD_KVER))

# Debian packages espah-dkms and espah-tools (debian/), built in a copy
# under build/deb so that the tree stays clean; the .debs land there.
deb:
	scripts/deb.sh

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean || true
	$(MAKE) -C tools/espah clean
	rm -rf build

test:
	scripts/test.sh

# make test with every suite in the debug kernel too and larger sizes
# (about an hour on 2 cores)
soak:
	ESPAH_SOAK=1 scripts/test.sh

demo:
	scripts/demo.sh

bench:
	scripts/bench.sh

lint:
	scripts/lint.sh

.PHONY: all modules tool clean test soak demo bench lint install install-module install-tool uninstall deb
endif
