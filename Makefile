# SPDX-License-Identifier: GPL-2.0
# espah: out-of-tree build plus the project's test, lint, demo and bench entry points.
#
#   make                 espah.ko (+ espah_kunit.ko if KDIR has KUnit) and the espah tool
#   make KDIR=/path      build against any prepared kernel tree
#   make test            everything: lint gate, KUnit, end-to-end in both kernels
#   make demo            boot the stock kernel in QEMU and show a tunnel
#   make bench           espah vs native XFRM, same VM run

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

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean || true
	$(MAKE) -C tools/espah clean
	rm -rf build

test:
	scripts/test.sh

demo:
	scripts/demo.sh

bench:
	scripts/bench.sh

lint:
	scripts/lint.sh

.PHONY: all modules tool clean test demo bench lint
endif
