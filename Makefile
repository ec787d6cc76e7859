# SPDX-License-Identifier: GPL-2.0
#
# vpair: the module (built by kbuild from Kbuild), the ip plugin, the tests.
#
#   make               module + plugin (KDIR=... to pick the kernel headers)
#   make demo          build, then show vpair working (here or in a VM)
#   make check         everything a CI runs: build, lint, selftests in a VM
#   make check KERNELS=all   the same for every Debian kernel (or a list:
#                      KERNELS="bookworm experimental", SUITE=ABI pins one)
#   make install       module into /lib/modules/<kver>/updates, plugin into
#                      Debian's ip lib dir
#   make dkms-install  the same module through DKMS (rebuilt on kernel updates)
#   make deb           Debian packages vpair-dkms and iproute2-vpair in deb/
#   make lint          checkpatch.pl --strict and sparse
#   make help          all targets

SHELL := /bin/bash

# The kernel to build for: the running one when its build directory is
# there, else the newest Debian headers installed (not the -common half).
ifeq ($(origin KDIR),undefined)
KDIR := $(firstword \
	$(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(shell ls -1d /usr/src/linux-headers-*-amd64 2>/dev/null | \
			grep -v -- -common | sort -V)))
endif

# W=1 is the warning level the project keeps clean; W= to build without.
W ?= 1
# The version, written in one place: debian/changelog's first line (a native
# package's version is the upstream one). dkms.conf gets it at install.
VERSION := $(shell head -n 1 debian/changelog | cut -d ' ' -f 2 | tr -d '()')
# The release the module is built for, as vermagic and /lib/modules name it
# (Debian's include/config/kernel.release holds the upstream version).
KVER = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
DEPMOD ?= /sbin/depmod
CHECKPATCH = $(shell scripts/ksft-headers.sh checkpatch)
LINT_FILES = $(wildcard kmod/*.c kmod/*.h include/uapi/linux/*.h)
# What DKMS gets: the module's sources and nothing else.
DKMS_FILES := Kbuild dkms.conf kmod include

KBUILD = $(MAKE) -C $(KDIR) M=$(CURDIR)

all: module plugin

kdir-check:
	@if [ -z "$(KDIR)" ] || [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "vpair: no kernel headers found (KDIR='$(KDIR)')." >&2; \
		echo "vpair: install them with: apt-get install linux-headers-amd64" >&2; \
		echo "vpair: (or linux-headers-\$$(uname -r)), or pass KDIR=/path/to/build" >&2; \
		exit 1; \
	fi

module: kdir-check
	$(KBUILD) W=$(W) modules

plugin:
	$(MAKE) -C iplink-plugin

selftests:
	$(MAKE) -C selftests

# Installing only where modules can load: this also writes depmod's index
# for the target kernel, so `ip link add ... type vpair` autoloads it.
install: install-module install-plugin

install-module: module
	install -D -m 0644 vpair.ko $(DESTDIR)/lib/modules/$(KVER)/updates/vpair.ko
	$(DEPMOD) -a $(if $(DESTDIR),-b $(DESTDIR)) $(KVER)

install-plugin: plugin
	$(MAKE) -C iplink-plugin install

uninstall: kdir-check
	rm -f $(DESTDIR)/lib/modules/$(KVER)/updates/vpair.ko
	$(DEPMOD) -a $(if $(DESTDIR),-b $(DESTDIR)) $(KVER)
	$(MAKE) -C iplink-plugin uninstall

DKMS_SRC = /usr/src/vpair-$(VERSION)

# Re-adding the same version replaces it: a lab host tracks the repo.
dkms-install: kdir-check plugin
	@[ -n "$(VERSION)" ] || { echo "vpair: no version in debian/changelog" >&2; exit 1; }
	-dkms remove -m vpair -v $(VERSION) --all >/dev/null 2>&1
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -r $(DKMS_FILES) $(DKMS_SRC)/
	sed -i 's/#MODULE_VERSION#/$(VERSION)/' $(DKMS_SRC)/dkms.conf
	dkms add -m vpair -v $(VERSION)
	dkms build -m vpair -v $(VERSION) -k $(KVER)
	dkms install -m vpair -v $(VERSION) -k $(KVER)
	$(MAKE) -C iplink-plugin install

dkms-uninstall:
	-dkms remove -m vpair -v $(VERSION) --all
	rm -rf $(DKMS_SRC)
	$(MAKE) -C iplink-plugin uninstall

# dpkg-buildpackage on a copy of the repository; lintian must find no error.
deb:
	@scripts/deb.sh build $(CURDIR)/deb

# The version debian/changelog gives: the packages', DKMS's and the module's.
version:
	@echo $(VERSION)

# In a scratch copy of a Debian root: install, upgrade, purge (SUITE=...).
deb-test: deb
	@scripts/deb.sh test $(or $(SUITE),bookworm) $(CURDIR)/deb

lint: checkpatch sparse

checkpatch:
	@cp=$(CHECKPATCH); [ -n "$$cp" ] || exit 1; \
	$$cp --strict --no-tree --quiet --show-types -f $(LINT_FILES)

# C=2 checks every file, built or not; W=$(W) keeps the objects the same as
# a plain build's so the next `make` relinks nothing.
sparse: kdir-check
	$(KBUILD) W=$(W) C=2 modules

# KERNELS: Debian suites (their newest kernel) or SUITE=ABI; each is built
# and tested in a root of its own release, with the Debian packages installed,
# upgraded and purged there (scripts/matrix.sh).
check:
	@scripts/check.sh $(KERNELS)

demo:
	@scripts/demo.sh

clean:
	@if [ -n "$(KDIR)" ] && [ -f "$(KDIR)/Makefile" ]; then \
		$(KBUILD) clean; \
	else \
		rm -f vpair.ko vpair.o vpair.mod vpair.mod.[co] modules.order \
			Module.symvers kmod/*.o .*.cmd kmod/.*.cmd; \
	fi
	$(MAKE) -C iplink-plugin clean
	[ ! -f selftests/Makefile ] || $(MAKE) -C selftests clean

# vpair's cost, measured in one VM run: bypass vs lo, lo with and without
# the module, vpair vs veth between namespaces.
bench:
	@scripts/bench.sh

help:
	@sed -n '3,16s/^# \{0,1\}//p' Makefile
	@echo "  other targets: module plugin selftests install-module install-plugin"
	@echo "                 uninstall dkms-uninstall checkpatch sparse clean"
	@echo "                 deb-test (SUITE=...) version"
	@echo "  KDIR=$(KDIR)"

.PHONY: all kdir-check module plugin selftests install install-module \
	install-plugin uninstall dkms-install dkms-uninstall lint checkpatch \
	sparse check demo deb deb-test version bench clean help
