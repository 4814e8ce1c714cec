# Cairn's top-level entry points; meson + ninja do the building.
#
#   make check   install missing Debian packages, build, run every test in build/,
#                again under ASan+UBSan in build-asan/, then a short fuzz run
#   make demo    install what is missing, build, then the main job on real QEMU (scripts/demo.sh)
#   make fuzz    longer libFuzzer run by hand (FUZZ_SECONDS=600 make fuzz)
#   make bench   run bench/*.sh
#   make tidy    clang-tidy over the sources (advisory)
#   make deb     Debian packages (debian/) into build-deb/: dpkg-buildpackage -b -us -uc
#   make deb-check  make deb, unpack them (dpkg -x, no install), run them, lintian
#   make clean   remove the build directories

MESON ?= meson
NINJA ?= ninja
BUILD ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
FUZZ_SECONDS ?= 600
MESON_TEST_ARGS ?= --print-errorlogs

# Debian packages needed to build and test (see README.md).
DEB_PACKAGES = meson ninja-build pkg-config gcc g++ clang libclang-rt-14-dev llvm \
	libglib2.0-dev libxml2-dev libjson-glib-dev libxml2-utils libreadline-dev \
	libvirt0 qemu-utils qemu-system-x86 cpio xz-utils binutils libnbd-bin \
	libglib2.0-bin libzstd-dev libssl-dev python3-dev python3-pytest openssh-server \
	openssh-client bash-completion debhelper dh-python dpkg-dev fakeroot lintian \
	libnbd-dev nbdkit nbdkit-plugin-dev fuse3 libext2fs-dev e2fsprogs \
	libcurl4-openssl-dev ceph-mon ceph-osd ceph-mgr radosgw uuid-runtime curl \
	clang-format time zstd

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Sanitizer settings for build-asan: stop at the first report, with a stack;
# GLib's deliberate one-time allocations are suppressed in tests/lsan.supp.
SAN_ENV = ASAN_OPTIONS=halt_on_error=1:print_stacktrace=1:detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	G_SLICE=always-malloc

# The fuzz build exists once tests/fuzz/meson.build honours -Dfuzzing=true.
HAVE_FUZZ := $(shell grep -qs "get_option('fuzzing')" tests/fuzz/meson.build && echo yes)

.PHONY: all build check deps check-build check-asan check-fuzz fuzz demo bench tidy clean deb deb-check

all: build

# --- dependencies ---------------------------------------------------------

deps:
	@if ! command -v dpkg-query >/dev/null 2>&1; then \
	    echo "deps: not a Debian system; install by hand: $(DEB_PACKAGES)"; exit 0; \
	fi; \
	missing=; \
	for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${db:Status-Abbrev}' $$p 2>/dev/null | grep -q '^ii' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    echo "deps: installing$$missing"; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	        apt-get install -y --no-install-recommends $$missing </dev/null; \
	else \
	    echo "deps: all present"; \
	fi

# --- configure + build ----------------------------------------------------

# $(call configure,DIR,MESON-OPTIONS,ENV): set up DIR, or reconfigure it
# (same options) when it exists already.
define configure
	@if [ -f $(1)/build.ninja ]; then \
	    $(3) $(MESON) setup --reconfigure $(1) $(2) >/dev/null; \
	else \
	    $(3) $(MESON) setup $(1) $(2); \
	fi
endef

build:
	$(call configure,$(BUILD),,)
	$(NINJA) -C $(BUILD)

# --- tests ----------------------------------------------------------------

# Every stage runs even when an earlier one failed; the exit status says
# whether all passed.
check: deps
	@rc=0; \
	$(MAKE) --no-print-directory check-build || rc=1; \
	$(MAKE) --no-print-directory check-asan || rc=1; \
	$(MAKE) --no-print-directory check-fuzz || rc=1; \
	if [ $$rc = 0 ]; then echo "make check: all stages passed"; \
	else echo "make check: FAILED (see above)"; fi; \
	exit $$rc

check-build:
	@echo "=== check: $(BUILD) ==="
	$(call configure,$(BUILD),,)
	$(NINJA) -C $(BUILD)
	$(MESON) test -C $(BUILD) $(MESON_TEST_ARGS)

# The guest suite is shell driving QEMU, with no Cairn code to sanitize:
# it runs once, in check-build.
check-asan:
	@echo "=== check: $(BUILD_ASAN) (ASan+UBSan) ==="
	$(call configure,$(BUILD_ASAN),-Db_sanitize=address$(,)undefined -Db_lundef=false,)
	$(NINJA) -C $(BUILD_ASAN)
	$(SAN_ENV) $(MESON) test -C $(BUILD_ASAN) --no-suite guest $(MESON_TEST_ARGS)

# A short, bounded libFuzzer run of every fuzz target (suite 'fuzz').
check-fuzz:
ifeq ($(HAVE_FUZZ),yes)
	@echo "=== check: $(BUILD_FUZZ) (libFuzzer, clang) ==="
	$(call configure,$(BUILD_FUZZ),-Dfuzzing=true -Db_sanitize=address$(,)undefined -Db_lundef=false,CC=clang CXX=clang++)
	$(NINJA) -C $(BUILD_FUZZ)
	$(SAN_ENV) $(MESON) test -C $(BUILD_FUZZ) --suite fuzz $(MESON_TEST_ARGS)
else
	@echo "=== check: fuzz stage skipped: tests/fuzz/meson.build has no -Dfuzzing support yet ==="
endif

# FUZZ: the longer run by hand. tests/fuzz (XML engineer) owns how a target
# is run; this passes the time budget as CAIRN_FUZZ_SECONDS.
fuzz:
ifeq ($(HAVE_FUZZ),yes)
	$(call configure,$(BUILD_FUZZ),-Dfuzzing=true -Db_sanitize=address$(,)undefined -Db_lundef=false,CC=clang CXX=clang++)
	$(NINJA) -C $(BUILD_FUZZ)
	$(SAN_ENV) CAIRN_FUZZ_SECONDS=$(FUZZ_SECONDS) \
	    $(MESON) test -C $(BUILD_FUZZ) --suite fuzz --timeout-multiplier 0 $(MESON_TEST_ARGS)
else
	@echo "make fuzz: TODO(tests/fuzz): no fuzz targets with -Dfuzzing support yet"
endif

# --- demo, bench, tidy ----------------------------------------------------

demo: deps build
	CAIRN=$(BUILD)/tools/cairn bash scripts/demo.sh

bench: build
	@set -e; found=; \
	for b in bench/*.sh; do \
	    [ -e "$$b" ] || continue; found=1; \
	    [ "$$b" != bench/lib.sh ] || continue; \
	    echo "=== $$b ==="; BUILD=$(BUILD) bash "$$b"; \
	done; \
	[ -n "$$found" ] || echo "bench: no bench/*.sh yet"

# Advisory: clang-tidy (.clang-tidy) over the library, CLI and daemon sources;
# needs only the configured build dir (compile_commands.json).
tidy:
	$(call configure,$(BUILD),,)
	@files=$$(git ls-files 'src/*.c' 'tools/*.c' 'daemon/*.c'); \
	clang-tidy -p $(BUILD) --quiet --extra-arg=-Wno-unknown-warning-option $$files || true

# Debian packages, built from a copy of the tree in build-deb/src (the
# .deb files land in build-deb/); deb-check also unpacks and runs them and
# runs lintian (a few minutes: a whole build, so not part of make check).
deb: deps
	bash scripts/deb.sh build

deb-check: deps
	bash scripts/deb.sh check

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ) build-deb

# A literal comma for $(call ...) arguments.
, := ,
