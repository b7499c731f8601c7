# SPDX-License-Identifier: GPL-2.0
#
# ttrec: the human entry point. Kernel-build rules live in Kbuild.
#
#   make            install missing packages, build everything into .output/
#   make check      build, run the host tests, boot the test VM once per
#                   supported kernel and run the kernel tests there; last
#                   line: "N passed, N failed" (both kernels counted)
#   make check-host / check-vm   only one half of make check
#   make demo       in the test VM: record a program, show info and dump
#   make bench      recording overhead vs strace, replay time, where signals
#                   between syscalls are replayed, reverse execution
#                   and watchpoints under gdb (host, root)
#   make bench-vm   snapshot pause vs fork() and CRIU, incremental size (VM)
#   make fuzz       fuzz the journal reader (FUZZ_SECONDS, default 300)
#   make vm-shell   boot the test VM with an interactive shell
#   make install    install ttrec, its man pages and bash completion, and
#                   ttrec.ko with its DKMS sources (honours DESTDIR, PREFIX)
#   make deb        Debian packages ttrec, ttrec-dev, ttrec-dkms (.output/deb/)
#   make deps       install the Debian packages the project needs
#
# Variables: KERNELRELEASE= / KDIR= build the module for that one kernel
# (default: for the newest installed Debian cloud kernel of each supported
# series, KSERIES), KERNEL=6.12 / VM_KERNELRELEASE= boot only that kernel in
# the VM targets, V=1 shows commands,
# TTREC_VM_APPEND="ttrec.only=kmod_api,record" runs only those VM suites.

OUTPUT		:= $(abspath .output)
SRCDIR		:= $(abspath .)

# Packages (Debian 12) the build, the tests and the VM need.
DEB_PKGS	:= make gcc gcc-12 pkg-config clang llvm bpftool libbpf-dev \
		   libelf-dev zlib1g-dev libnl-3-dev libnl-genl-3-dev \
		   liblz4-dev libcapstone-dev linux-image-cloud-amd64 linux-headers-cloud-amd64 \
		   linux-source-6.1 qemu-system-x86 busybox-static cpio xz-utils \
		   file gzip
# The second supported kernel series (Debian 12 ships it as well).
DEB_PKGS	+= linux-image-6.12-cloud-amd64 linux-headers-6.12-cloud-amd64 \
		   linux-source-6.12

# The kernels the module is built for: the newest installed Debian cloud
# kernel (with headers) of each supported series, or the one KERNELRELEASE=
# or KDIR= names. Kernel differences live in kmod/compat.h.
KSERIES		:= 6.1 6.12
ifneq ($(KDIR),)
KERNELRELEASE	?= $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
endif
ifneq ($(KERNELRELEASE),)
KRELS		:= $(KERNELRELEASE)
else
KRELS_ALL	:= $(shell cd /lib/modules 2>/dev/null && ls -1d *-cloud-amd64/build 2>/dev/null | \
		     sed 's|/build$$||' | sort -V)
KRELS		:= $(foreach s,$(KSERIES),$(lastword $(filter $(s).%,$(KRELS_ALL))))
endif
# The kernels the VM targets boot, one run each: all of KRELS, or the one
# of series KERNEL= (e.g. KERNEL=6.12), or VM_KERNELRELEASE=.
ifneq ($(VM_KERNELRELEASE),)
VM_KRELS	:= $(VM_KERNELRELEASE)
else ifneq ($(KERNEL),)
VM_KRELS	:= $(lastword $(filter $(KERNEL).%,$(KRELS)))
else
VM_KRELS	:= $(KRELS)
endif
MODULES		:= $(foreach r,$(KRELS),$(OUTPUT)/module/$(r)/ttrec.ko)
# The kernel of the targets that boot the VM once (demo, vm-shell).
VMLINUZ		?= /boot/vmlinuz-$(firstword $(VM_KRELS))
KSRC_TARBALL	?= /usr/src/linux-source-6.1.tar.xz

VERSION		:= 0.1.0
# The git revision --version shows. A source tree copied out of git (make
# deb) carries it in .scmversion, as the kernel's source packages do.
GIT_REV		:= $(shell cat $(SRCDIR)/.scmversion 2>/dev/null || \
		     git -C $(SRCDIR) describe --always --dirty 2>/dev/null)

CC		?= gcc
CLANG		?= clang
BPFTOOL		?= bpftool
PKGS_USER	:= libbpf libnl-genl-3.0 liblz4 capstone

CFLAGS		?= -O2 -g
CFLAGS		+= -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Werror \
		   -D_GNU_SOURCE -std=gnu11 \
		   -I$(SRCDIR)/include/uapi -I$(SRCDIR)/bpf -I$(SRCDIR)/user \
		   -I$(OUTPUT) -I$(OUTPUT)/kselftest \
		   $(shell pkg-config --cflags $(PKGS_USER) 2>/dev/null) \
		   -DTTREC_VERSION='"$(VERSION)$(if $(GIT_REV), ($(GIT_REV)))"'
LDLIBS		:= $(shell pkg-config --libs $(PKGS_USER) 2>/dev/null) -lelf -lz -lpthread
BPF_CFLAGS	:= -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
		   -I$(SRCDIR)/bpf -I$(OUTPUT)

BPF_SRCS	:= $(wildcard bpf/*.bpf.c)
BPF_OBJS	:= $(patsubst bpf/%.bpf.c,$(OUTPUT)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_SKELS	:= $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))

# user/main.c and one folder per role (user/cmd/, user/format/, ...).
USER_SRCS	:= $(wildcard user/*.c user/*/*.c)
USER_HDRS	:= $(wildcard user/*/*.h)
USER_OBJS	:= $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(USER_SRCS))
# Everything but main.o goes into a library the selftests link against.
LIB_OBJS	:= $(filter-out $(OUTPUT)/user/main.o,$(USER_OBJS))

TEST_SRCS	:= $(wildcard selftests/*.c)
TEST_PROGS	:= $(patsubst selftests/%.c,$(OUTPUT)/selftests/%,$(TEST_SRCS))
WORKLOAD_SRCS	:= $(wildcard selftests/workloads/*.c)
WORKLOADS	:= $(patsubst selftests/%.c,$(OUTPUT)/selftests/%,$(WORKLOAD_SRCS))
KSFT_HDRS	:= $(OUTPUT)/kselftest/kselftest_harness.h $(OUTPUT)/kselftest/kselftest.h

KMOD_SRCS	:= $(wildcard kmod/*.c kmod/*.h) include/uapi/linux/ttrec.h Kbuild
INITRAMFS	:= $(OUTPUT)/vm/initramfs.cpio.gz

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(patsubst $(OUTPUT)/%,%,$(2))";
endif

.PHONY: all build deps deps-ensure module tool bpf selftests check check-host \
	check-vm vm-shell initramfs install clean help

all: deps-ensure
	$(Q)$(MAKE) --no-print-directory build

build: module tool selftests

help:
	@sed -n '3,/^$$/p' Makefile | sed -e '/^$$/d' -e 's/^# \{0,1\}//'

# ---------------------------------------------------------------- packages
deps:
	$(Q)SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	export DEBIAN_FRONTEND=noninteractive; \
	$$SUDO apt-get update -q && \
	$$SUDO apt-get install -y -q --no-install-recommends $(sort $(DEB_PKGS))

# Installs packages only when one is missing, so `make` stays fast.
deps-ensure:
	$(Q)n=$$(dpkg-query -W -f='$${db:Status-Abbrev}\n' $(sort $(DEB_PKGS)) 2>/dev/null | grep -c '^ii'); \
	if [ "$$n" != "$(words $(sort $(DEB_PKGS)))" ]; then \
		echo "ttrec: installing missing build packages (make deps)"; \
		$(MAKE) --no-print-directory deps; \
	fi

# ---------------------------------------------------------------- module
# One build per kernel, in .output/module/<kernelrelease>/. Kbuild writes
# its objects next to the sources; build from a shadow tree of symlinks so
# the source tree stays clean.
module: $(MODULES)
	$(Q)[ -n "$(KRELS)" ] || { echo "ttrec: no kernel headers of a supported series ($(KSERIES)); run 'make deps' or set KERNELRELEASE=/KDIR=" >&2; exit 1; }

$(OUTPUT)/module/%/ttrec.ko: $(KMOD_SRCS)
	$(Q)kdir=$(or $(KDIR),/lib/modules/$*/build); if [ ! -d "$$kdir" ]; then \
		echo "ttrec: no kernel headers in $$kdir; run 'make deps' or set KERNELRELEASE=/KDIR=" >&2; exit 1; fi
	$(Q)mkdir -p $(@D)/kmod
	$(Q)find $(@D)/kmod -maxdepth 1 -type l -delete
	$(Q)ln -sf $(SRCDIR)/kmod/* $(@D)/kmod/
	$(Q)ln -sfn $(SRCDIR)/include $(@D)/include
	$(Q)ln -sf $(SRCDIR)/Kbuild $(@D)/Kbuild
	$(call msg,MODULE,$@)
	$(Q)$(MAKE) -C $(or $(KDIR),/lib/modules/$*/build) M=$(@D) $(if $(filter 1,$(V)),V=1) modules

# ---------------------------------------------------------------- bpf
bpf: $(BPF_SKELS)

$(OUTPUT)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) | $(OUTPUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

# ---------------------------------------------------------------- tool
tool: $(OUTPUT)/ttrec

$(OUTPUT)/user/%.o: user/%.c $(USER_HDRS) $(wildcard bpf/*.h) include/uapi/linux/ttrec.h $(BPF_SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(OUTPUT)/libttrec.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUTPUT)/ttrec: $(OUTPUT)/user/main.o $(OUTPUT)/libttrec.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Man pages, made from the tool's own --help texts (user/man/mkman.sh), so
# they never drift from it; dated by the last commit (or SOURCE_DATE_EPOCH,
# which dpkg-buildpackage sets from the changelog).
MAN_DIR		:= $(OUTPUT)/man
MAN_DATE	:= $(if $(SOURCE_DATE_EPOCH),$(shell date -u -d @$(SOURCE_DATE_EPOCH) +%F),$(shell \
		     git -C $(SRCDIR) log -1 --format=%cs 2>/dev/null || date -u +%F))
DEB_PKGS	+= groff-base man-db
# ttrec replay --gdb, and its tests (selftests/gdb.c)
DEB_PKGS	+= gdb
tool: $(MAN_DIR)/ttrec.8

$(MAN_DIR)/ttrec.8: $(OUTPUT)/ttrec user/man/mkman.sh user/man/help2roff.awk
	$(call msg,MAN,$(MAN_DIR))
	$(Q)rm -rf $(MAN_DIR) && user/man/mkman.sh $(OUTPUT)/ttrec $(MAN_DIR) $(VERSION) $(MAN_DATE)

# ---------------------------------------------------------------- selftests
selftests: $(TEST_PROGS) $(WORKLOADS)

# The kselftest harness comes from the kernel source package, not the repo.
$(KSFT_HDRS) &:
	$(call msg,EXTRACT,$(OUTPUT)/kselftest)
	$(Q)mkdir -p $(OUTPUT)/kselftest
	$(Q)tar xJf $(KSRC_TARBALL) -C $(OUTPUT)/kselftest --strip-components=4 \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/tools/testing/selftests/kselftest.h
	$(Q)touch $(KSFT_HDRS)

$(OUTPUT)/selftests/%: selftests/%.c $(wildcard selftests/*.h selftests/workloads/*.h) $(KSFT_HDRS) $(OUTPUT)/libttrec.a include/uapi/linux/ttrec.h | $(OUTPUT)/selftests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) $< $(OUTPUT)/libttrec.a $(LDLIBS) -o $@

$(OUTPUT)/selftests/workloads/%: selftests/workloads/%.c $(wildcard selftests/workloads/*.h) | $(OUTPUT)/selftests/workloads
	$(call msg,WORKLOAD,$@)
	$(Q)$(CC) $(if $(filter gdb_%,$*),-O0,-O1) -g -Wall -Werror -D_GNU_SOURCE -pthread $< -o $@

$(OUTPUT)/bpf $(OUTPUT)/selftests $(OUTPUT)/selftests/workloads $(OUTPUT)/vm:
	$(Q)mkdir -p $@

# ---- fuzz
# libFuzzer targets, built with clang's ASan/UBSan on the host only (they
# never go into the VM): selftests/fuzz/journal_fuzz.c (the journal
# container) and selftests/fuzz/records_fuzz.c (the record codec above it).
# `make fuzz` runs each for FUZZ_SECONDS on its corpus in .output/fuzz/;
# the selftests jnl.fuzz_reader_briefly and jnl.fuzz_record_decoder_briefly
# run them for 20 s each in make check.
FUZZ_SECONDS	?= 300
FUZZ_TARGETS	:= journal_fuzz records_fuzz
FUZZ_BINS	:= $(addprefix $(OUTPUT)/fuzz/,$(FUZZ_TARGETS))
FUZZ_CFLAGS	:= -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		   -Wall -Wextra -Wno-unused-parameter -Werror -D_GNU_SOURCE -std=gnu11 \
		   -I$(SRCDIR)/user -I$(SRCDIR)/bpf -I$(SRCDIR)/include/uapi
FUZZ_LIBS	:= $(shell pkg-config --libs liblz4 2>/dev/null || echo -llz4)
DEB_PKGS	+= libclang-rt-14-dev

.PHONY: fuzz
selftests: $(FUZZ_BINS)

$(OUTPUT)/fuzz/journal_fuzz: selftests/fuzz/journal_fuzz.c user/format/journal.c user/format/journal.h user/lib/log.h | $(OUTPUT)/fuzz
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $< user/format/journal.c $(FUZZ_LIBS) -o $@

$(OUTPUT)/fuzz/records_fuzz: selftests/fuzz/records_fuzz.c selftests/fuzz/records_gen.h \
		user/format/records.c user/format/records.h user/format/journal.c \
		user/format/journal.h bpf/record.h user/lib/log.h | $(OUTPUT)/fuzz
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $< user/format/records.c user/format/journal.c \
		$(FUZZ_LIBS) -o $@

fuzz: $(FUZZ_BINS)
	$(Q)for t in $(FUZZ_TARGETS); do \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		mkdir -p $(OUTPUT)/fuzz/corpus-$$t && \
		TTREC_FUZZ_MKSEEDS=$(OUTPUT)/fuzz/corpus-$$t $(OUTPUT)/fuzz/$$t && \
		$(OUTPUT)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
			-artifact_prefix=$(OUTPUT)/fuzz/$$t- $(OUTPUT)/fuzz/corpus-$$t || exit 1; \
	done

$(OUTPUT)/fuzz:
	$(Q)mkdir -p $@

# ---- record: bench and demo
# `make bench` measures recording overhead on the host kernel (root):
# native vs `ttrec attach` vs `strace -f`, one line per workload
# (selftests/bench/bench.sh). BENCH_RUNS=N: the median of N rounds
# (default 5). bench/copyfloor measures what copying the read bench's
# payloads once costs on this machine: the floor of its ttrec_ratio.
# `make demo` boots the test VM with ttrec.demo: it records a workload with
# `ttrec record`, then shows `ttrec info` and the first events of `ttrec dump`.
DEB_PKGS	+= strace sqlite3
# Real programs the record selftests run in the VM too (with their libraries).
TTREC_VM_EXTRA	+= sqlite3 gzip
export TTREC_VM_EXTRA
# Replay: the selftests replay real programs (python3 on the host only; its
# library is too big for the VM); `make bench` adds replay-vs-record lines
# (selftests/bench/replay.sh) and how often signals recorded between
# syscalls are replayed where they came (selftests/bench/async_signals.sh).
DEB_PKGS	+= lua5.4 python3
TTREC_VM_EXTRA	+= lua5.4
# The replay corpus (selftests/corpus.c): real programs from Debian packages;
# those in TTREC_VM_EXTRA run in the VM too (busybox's applets stand in for
# coreutils there).
DEB_PKGS	+= coreutils diffutils findutils grep sed mawk tar bzip2 zstd zip unzip \
		   perl tcl bash dash bc jq git curl wget openssl nodejs
TTREC_VM_EXTRA	+= bash dash jq zstd

COPYFLOOR	:= $(OUTPUT)/bench/copyfloor
selftests: $(COPYFLOOR)

$(COPYFLOOR): selftests/bench/copyfloor.c | $(OUTPUT)/bench
	$(call msg,BENCH,$@)
	$(Q)$(CC) $(CFLAGS) $< -o $@

.PHONY: bench demo
bench: build
	$(Q)selftests/bench/bench.sh $(OUTPUT)
	$(Q)selftests/bench/replay.sh $(OUTPUT)
	$(Q)selftests/bench/async_signals.sh $(OUTPUT)
	$(Q)selftests/bench/reverse.sh $(OUTPUT)
	$(Q)selftests/bench/watch.sh $(OUTPUT)

demo: build initramfs
	$(Q)OUTPUT=$(OUTPUT) VMLINUZ=$(VMLINUZ) TTREC_VM_APPEND="ttrec.demo" \
		selftests/vm/run-vm.sh

# ---- snapshot bench (VM)
# `make bench-vm` boots the test VM with ttrec.bench, once per kernel of
# VM_KRELS (both series; KERNEL=6.12 for one), and runs
# selftests/bench/snapbench there: the pause of a snapshot against fork()
# and `criu dump --leave-running` of a 256 MiB target, and the size of an
# incremental image after 1% of its pages changed. criu is copied into a
# separate initramfs per kernel (with that kernel's modules), for this run
# only. Logs in .output/vm/bench-<release>/. Not part of make check.
DEB_PKGS	+= criu
SNAPBENCH	:= $(OUTPUT)/bench/snapbench
BENCH_INITRAMFS	= $(OUTPUT)/vm/initramfs-bench-$(1).cpio.gz
# criu's kernel feature checks need netfilter and the socket diag modules.
BENCH_KMODS	:= nf_tables unix_diag inet_diag tcp_diag udp_diag netlink_diag \
		   af_packet_diag tun veth

.PHONY: bench-vm
selftests: $(SNAPBENCH)

$(SNAPBENCH): selftests/bench/snapbench.c $(OUTPUT)/libttrec.a include/uapi/linux/ttrec.h | $(OUTPUT)/bench
	$(call msg,BENCH,$@)
	$(Q)$(CC) $(CFLAGS) $< $(OUTPUT)/libttrec.a $(LDLIBS) -o $@

$(OUTPUT)/bench:
	$(Q)mkdir -p $@

$(call BENCH_INITRAMFS,%): build selftests/vm/init selftests/vm/mkinitramfs.sh | $(OUTPUT)/vm
	$(call msg,CPIO,$@)
	$(Q)TTREC_VM_EXTRA="$(TTREC_VM_EXTRA) criu $(SNAPBENCH)" \
		TTREC_VM_KMODS="$(BENCH_KMODS)" TTREC_VM_KMODS_DIR=/lib/modules/$* \
		selftests/vm/mkinitramfs.sh $(OUTPUT) $@

bench-vm: deps-ensure
	$(Q)$(MAKE) --no-print-directory $(foreach r,$(VM_KRELS),$(call BENCH_INITRAMFS,$(r)))
	$(Q)for r in $(VM_KRELS); do \
		echo "== bench-vm on $$r (QEMU TCG)"; \
		OUTPUT=$(OUTPUT) VMLINUZ=/boot/vmlinuz-$$r \
			TTREC_VM_INITRD=$(call BENCH_INITRAMFS,$$r) \
			TTREC_VM_LOGS=$(OUTPUT)/vm/bench-$$r TTREC_VM_MEM=3072 \
			TTREC_VM_APPEND="ttrec.bench" selftests/vm/run-vm.sh || exit 1; \
	done

# ---------------------------------------------------------------- tests
# Host tests need no module; kernel tests (selftests/kmod_*) run in the VM.
HOST_TESTS	:= $(filter-out $(OUTPUT)/selftests/kmod_%,$(TEST_PROGS))

initramfs: $(INITRAMFS)

$(INITRAMFS): build selftests/vm/init selftests/vm/mkinitramfs.sh selftests/run-tests.sh | $(OUTPUT)/vm
	$(call msg,CPIO,$@)
	$(Q)selftests/vm/mkinitramfs.sh $(OUTPUT) $@

check: deps-ensure
	$(Q)$(MAKE) --no-print-directory build
	$(Q)$(MAKE) --no-print-directory initramfs $(DEB_STAMP)
	$(Q)OUTPUT=$(OUTPUT) TTREC_VM_KERNELS="$(VM_KRELS)" selftests/vm/check.sh

check-host: build
	$(Q)$(MAKE) --no-print-directory $(DEB_STAMP)
	$(Q)OUTPUT=$(OUTPUT) selftests/vm/check.sh --host-only

check-vm: build initramfs
	$(Q)OUTPUT=$(OUTPUT) TTREC_VM_KERNELS="$(VM_KRELS)" selftests/vm/check.sh --vm-only

vm-shell: deps-ensure
	$(Q)$(MAKE) --no-print-directory build initramfs
	$(Q)OUTPUT=$(OUTPUT) VMLINUZ=$(VMLINUZ) selftests/vm/run-vm.sh --shell

# ---------------------------------------------------------------- install
# `make install` is install-tool (ttrec, its man pages and bash completion),
# install-dev (the uapi header), install-module (ttrec.ko for each kernel
# it was built for, into /lib/modules/<release>/extra) and install-dkms
# (the module's sources and kmod/dkms.conf in /usr/src/ttrec-VERSION).
# The Debian packages (make deb) are made of all but install-module.
PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
MANDIR		?= $(PREFIX)/share/man
COMPLETIONDIR	?= $(PREFIX)/share/bash-completion/completions
INCLUDEDIR	?= $(PREFIX)/include
DKMSDIR		?= /usr/src/ttrec-$(VERSION)

.PHONY: install-tool install-dev install-module install-dkms
install: install-tool install-dev install-module install-dkms

install-tool: tool
	install -D -m 0755 $(OUTPUT)/ttrec $(DESTDIR)$(BINDIR)/ttrec
	install -d $(DESTDIR)$(MANDIR)/man8
	install -m 0644 $(MAN_DIR)/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -D -m 0644 user/completion/ttrec.bash $(DESTDIR)$(COMPLETIONDIR)/ttrec

install-dev:
	install -D -m 0644 include/uapi/linux/ttrec.h $(DESTDIR)$(INCLUDEDIR)/linux/ttrec.h

install-module: module
	$(foreach r,$(KRELS),install -D -m 0644 $(OUTPUT)/module/$(r)/ttrec.ko \
		$(DESTDIR)/lib/modules/$(r)/extra/ttrec.ko;)
	@[ -n "$(DESTDIR)" ] || for r in $(KRELS); do depmod -a $$r || true; done

install-dkms:
	install -d $(DESTDIR)$(DKMSDIR)/kmod $(DESTDIR)$(DKMSDIR)/include/uapi/linux
	sed '/^PACKAGE_VERSION=/s/#MODULE_VERSION#/$(VERSION)/' kmod/dkms.conf > $(DESTDIR)$(DKMSDIR)/dkms.conf
	chmod 0644 $(DESTDIR)$(DKMSDIR)/dkms.conf
	install -m 0644 Kbuild $(DESTDIR)$(DKMSDIR)/Kbuild
	install -m 0644 kmod/*.c kmod/*.h $(DESTDIR)$(DKMSDIR)/kmod/
	install -m 0644 include/uapi/linux/ttrec.h $(DESTDIR)$(DKMSDIR)/include/uapi/linux/

# ---------------------------------------------------------------- deb
# `make deb`: Debian packages, made with debhelper from user/packaging/.
# The tree has no debian/ of its own: as the kernel's scripts/package/
# mkdebian does, user/packaging/mkdebian.sh copies the source tree (the
# files git tracks, as they are in the work tree) to
# .output/deb/ttrec-VERSION/ and generates debian/ there, and
# dpkg-buildpackage builds ttrec, ttrec-dev and ttrec-dkms (and ttrec's
# debug symbols) into .output/deb/. selftests/deb.sh installs them in a
# clean Debian chroot (make check).
DEB_PKGS	+= debhelper dh-dkms dkms dpkg-dev debootstrap
DEB_DIR		:= $(OUTPUT)/deb
DEB_STAMP	:= $(DEB_DIR)/.built
DEB_INPUTS	:= Makefile $(KMOD_SRCS) kmod/dkms.conf $(BPF_SRCS) $(wildcard bpf/*.h) \
		   $(USER_SRCS) $(USER_HDRS) $(wildcard user/man/* user/completion/*) \
		   $(shell find user/packaging -type f)

.PHONY: deb
deb: deps-ensure
	$(Q)$(MAKE) --no-print-directory $(DEB_STAMP)

$(DEB_STAMP): $(DEB_INPUTS)
	$(call msg,DEB,$(DEB_DIR))
	$(Q)user/packaging/mkdebian.sh $(SRCDIR) $(DEB_DIR) $(VERSION) "$(GIT_REV)"
	$(Q)cd $(DEB_DIR)/ttrec-$(VERSION) && \
		dpkg-buildpackage -b -us -uc $(if $(filter 1,$(V)),,>../build.log 2>&1) || \
		{ $(if $(filter 1,$(V)),,tail -n 40 ../build.log;) \
		  echo "ttrec: dpkg-buildpackage failed (log: $(DEB_DIR)/build.log)" >&2; exit 1; }
	$(Q)touch $@

clean:
	rm -rf $(OUTPUT)
