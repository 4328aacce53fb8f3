# vhost-cts build. Sources are found by wildcard: adding a file to a part's
# folder adds it to the build, no list to edit.
#   make            build/vhost-cts (optimised), the LD_PRELOAD shim, the man page
#   make install    PREFIX (/usr/local) under DESTDIR; make uninstall removes it
#   make check      every libcheck suite under ASan+UBSan, then the CLI tests
#   make coverage   lcov/genhtml report of the test run in build/coverage/
#   make fuzz       libFuzzer harnesses in build/fuzz/
#   make bench      benchmarks (ratios against a baseline in the same run)

# `make` alone builds `all`, not the first rule the flavour macro defines.
.DEFAULT_GOAL := all

CC ?= cc
CLANG ?= clang
PKGS := json-c libxml-2.0
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS))
# Expanded only when a test links: building the tool needs no check.
CHECK_LIBS = $(shell pkg-config --libs check)

WARN := -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers -Wformat=2 -Wvla
BASE_CFLAGS := -std=gnu11 -D_GNU_SOURCE -I. -Iinclude $(PKG_CFLAGS) $(WARN) -pthread
OPT_CFLAGS ?= -O2 -g
SAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
COV_CFLAGS := -O0 -g --coverage

# Parts: the library every tool links (lib, conformance, reports, fakes).
LIB_SRCS := $(sort $(wildcard lib/*.c lib/*/*.c conformance/*.c conformance/*/*.c \
	reports/*.c fakes/*/*.c))
# Test and fixture sources live under */tests/ and never enter the library.
LIB_SRCS := $(foreach f,$(LIB_SRCS),$(if $(findstring /tests/,$(f)),,$(f)))
CLI_SRCS := $(sort $(wildcard harness/*.c))
TEST_SRCS := $(sort $(wildcard lib/tests/test_*.c conformance/tests/test_*.c \
	reports/tests/test_*.c fakes/*/tests/test_*.c harness/tests/test_*.c))
TEST_COMMON := $(sort $(wildcard harness/tests/common/*.c))
# Parts of test binaries built from more than one file (below, per flavour):
# test_rules' fixture builders, one file a rule family; the fake's suites'
# test front-end; what the driver's suites share.
FIXTURE_SRCS := $(sort $(wildcard conformance/tests/fixtures_*.c))
FAKE_FE_TESTS := test_fake test_fake_faults
DRIVE_UTIL_TESTS := test_frontend test_frontend_hostile
FUZZ_SRCS := $(sort $(wildcard fuzz/fuzz_*.c))
# Defined before any rule names them: make expands prerequisites as it
# reads them.
FUZZ_NAMES := $(patsubst fuzz/%.c,%,$(FUZZ_SRCS))
REPLAYS := $(foreach n,$(FUZZ_NAMES),build/asan/fuzz-replay/$(n))
REPLAY_ARGS := $(foreach n,$(FUZZ_NAMES),build/asan/fuzz-replay/$(n):fuzz/corpus/$(n):fuzz/regress/$(n))
BENCH_SRCS := $(sort $(wildcard harness/bench/bench_*.c))
# pytest drives runs against real peers (QEMU, DPDK, ...); logic stays in C.
PYTESTS := $(sort $(wildcard */tests/test_*.py fakes/*/tests/test_*.py))
HDRS := $(wildcard include/vcts/*.h */*.h */*/*.h conformance/*.def)
# One archive per layer, linked higher layer first (LAYERS), so a call from
# a lower layer up is a link error; harness/layers.sh checks it in full.
LAYERS := fakes reports conformance lib
lib_SRCS := $(filter lib/%,$(LIB_SRCS))
conformance_SRCS := $(filter conformance/%,$(LIB_SRCS))
reports_SRCS := $(filter reports/%,$(LIB_SRCS))
fakes_SRCS := $(filter fakes/%,$(LIB_SRCS))

# One build tree per flavour.
define flavour
$(1)_OBJS := $$(patsubst %.c,build/$(1)/obj/%.o,$$(LIB_SRCS))
build/$(1)/obj/%.o: %.c $$(HDRS)
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$@"
	@$$(CC) $$(BASE_CFLAGS) $(2) -c $$< -o $$@
build/$(1)/libvcts.a: $$($(1)_OBJS)
	@rm -f $$@
	ar rcs $$@ $$^
$(1)_LIBS := $$(patsubst %,build/$(1)/libvcts-%.a,$$(LAYERS))
$$(foreach l,$$(LAYERS),$$(eval build/$(1)/libvcts-$$(l).a: $$$$(patsubst %.c,build/$(1)/obj/%.o,$$$$($$(l)_SRCS))))
$$($(1)_LIBS): build/$(1)/libvcts-%.a:
	@rm -f $$@
	@echo "  AR      $$@"
	@ar rcs $$@ $$^
build/$(1)/vhost-cts: $$(patsubst %.c,build/$(1)/obj/%.o,$$(CLI_SRCS)) $$($(1)_LIBS)
	$$(CC) $(2) -pthread -o $$@ $$^ $$(PKG_LIBS) -lm
build/$(1)/tests/%: build/$(1)/obj/%.o $$(patsubst %.c,build/$(1)/obj/%.o,$$(TEST_COMMON)) $$($(1)_LIBS)
	@mkdir -p $$(dir $$@)
	$$(CC) $(2) -pthread -o $$@ $$(filter %.o,$$^) $$(filter %.a,$$^) $$(PKG_LIBS) $$(CHECK_LIBS) -lm
$(1)_TESTS := $$(patsubst %.c,build/$(1)/tests/%,$$(TEST_SRCS))
build/$(1)/tests/conformance/tests/test_rules: $$(patsubst %.c,build/$(1)/obj/%.o,$$(FIXTURE_SRCS))
$$(patsubst %,build/$(1)/tests/fakes/vhost-user/tests/%,$$(FAKE_FE_TESTS)): build/$(1)/obj/fakes/vhost-user/tests/fake_fe.o
$$(patsubst %,build/$(1)/tests/fakes/frontend/tests/%,$$(DRIVE_UTIL_TESTS)): build/$(1)/obj/fakes/frontend/tests/drive_util.o
endef

$(eval $(call flavour,rel,$(OPT_CFLAGS)))
$(eval $(call flavour,asan,$(SAN_CFLAGS)))
$(eval $(call flavour,cov,$(COV_CFLAGS)))

.PHONY: all check check-rel coverage fuzz fuzz-smoke fuzz-campaign bench clean fixtures install uninstall
all: build/vhost-cts build/libvcts-vdpa-preload.so build/vhost-cts.1

build/vhost-cts: build/rel/vhost-cts
	cp $< $@

# The man page is generated from the binary's own --help texts, so it cannot
# go stale (the install lane compares the rendered page with them).
build/vhost-cts.1: build/rel/vhost-cts harness/man/mkman.sh
	sh harness/man/mkman.sh build/rel/vhost-cts > $@.tmp && mv $@.tmp $@

# make install [PREFIX=/usr/local] [DESTDIR=...]; make uninstall with the same.
PREFIX ?= /usr/local
BINDIR := $(PREFIX)/bin
SHIMDIR := $(PREFIX)/lib/vhost-cts
MANDIR := $(PREFIX)/share/man/man1
COMPDIR := $(PREFIX)/share/bash-completion/completions
INSTALLED := $(BINDIR)/vhost-cts $(SHIMDIR)/libvcts-vdpa-preload.so $(MANDIR)/vhost-cts.1 $(COMPDIR)/vhost-cts
install: all
	install -D -m 755 build/vhost-cts $(DESTDIR)$(BINDIR)/vhost-cts
	install -D -m 644 build/libvcts-vdpa-preload.so $(DESTDIR)$(SHIMDIR)/libvcts-vdpa-preload.so
	install -D -m 644 build/vhost-cts.1 $(DESTDIR)$(MANDIR)/vhost-cts.1
	install -D -m 644 harness/completion/vhost-cts.bash $(DESTDIR)$(COMPDIR)/vhost-cts
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	rmdir $(DESTDIR)$(SHIMDIR) 2>/dev/null || true

# The test run: every suite under sanitizers plus the CLI tests. The runner
# prints the final "N passed, N failed" line and fails if anything failed.
check: build/asan/vhost-cts build/rel/vhost-cts build/libvcts-vdpa-preload.so $(asan_TESTS) $(REPLAYS)
	@VCTS_BIN=build/asan/vhost-cts VCTS_PYTEST="$(PYTESTS)" sh harness/tests/run-checks.sh $(asan_TESTS) $(REPLAY_ARGS)

check-rel: build/rel/vhost-cts $(rel_TESTS)
	@VCTS_BIN=build/rel/vhost-cts sh harness/tests/run-checks.sh $(rel_TESTS)

# The whole suite under gcov, real-peer drivers included (they run the
# coverage build of vhost-cts), so the figures cover what the tests reach.
coverage: build/cov/vhost-cts $(cov_TESTS)
	@find build/cov -name '*.gcda' -delete
	-@VCTS_BIN=build/cov/vhost-cts VCTS_PYTEST="$(PYTESTS)" sh harness/tests/run-checks.sh $(cov_TESTS)
	lcov --quiet --capture --directory build/cov --output-file build/cov/lcov.info --rc lcov_branch_coverage=1
	lcov --quiet --remove build/cov/lcov.info '/usr/*' '*/tests/*' --output-file build/cov/lcov.info --rc lcov_branch_coverage=1
	genhtml --quiet --branch-coverage -o build/coverage build/cov/lcov.info
	@lcov --summary build/cov/lcov.info --rc lcov_branch_coverage=1 2>&1 | grep -E 'lines|branches'
	@for d in fakes conformance harness lib reports; do \
		lcov --quiet --extract build/cov/lcov.info "$$PWD/$$d/*" --output-file build/cov/$$d.info --rc lcov_branch_coverage=1 2>/dev/null; \
		printf '  %-12s ' "$$d/"; lcov --summary build/cov/$$d.info --rc lcov_branch_coverage=1 2>&1 | grep -E 'lines|branches' | tr -s ' ' | tr '\n' ' '; echo; \
	done
	@echo "coverage report: build/coverage/index.html"

# libFuzzer harnesses: one file each, LLVMFuzzerTestOneInput only, linked
# against the library built with the same flags ($(FUZZ_FLAGS)).
FUZZ_FLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
FUZZ_OBJS := $(patsubst %.c,build/fuzz/obj/%.o,$(LIB_SRCS))
build/fuzz/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CLANG   $@"
	@$(CLANG) $(BASE_CFLAGS) $(FUZZ_FLAGS) -c $< -o $@
# Linked from an archive so a harness carries only the objects it reaches:
# libFuzzer scans every coverage counter of the binary after each input,
# so unreached code costs exec/s.
build/fuzz/libvcts.a: $(FUZZ_OBJS)
	@rm -f $@
	ar rcs $@ $^
build/fuzz/%: build/fuzz/obj/fuzz/%.o build/fuzz/libvcts.a
	$(CLANG) -fsanitize=fuzzer,address,undefined -pthread -o $@ $^ $(PKG_LIBS) -lm
fuzz: $(patsubst fuzz/%.c,build/fuzz/%,$(FUZZ_SRCS))

# The same harnesses with a replay main instead of libFuzzer (gcc,
# ASan+UBSan): make check runs them over fuzz/corpus/NAME (seeds) and
# fuzz/regress/NAME (every input that ever crashed or hung).
build/asan/fuzz-replay/%: build/asan/obj/fuzz/%.o build/asan/obj/fuzz/common/replay_main.o $(asan_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -pthread -o $@ $^ $(PKG_LIBS) -lm
build/cov/fuzz-replay/%: build/cov/obj/fuzz/%.o build/cov/obj/fuzz/common/replay_main.o $(cov_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(COV_CFLAGS) -pthread -o $@ $^ $(PKG_LIBS) -lm

# Every harness for a bounded time (FUZZ_SECONDS each), seeds as corpus.
FUZZ_SECONDS ?= 20
fuzz-smoke: fuzz
	@sh fuzz/run-smoke.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)

# A campaign: libFuzzer -fork, corpus merged back into fuzz/corpus, and a
# coverage report of what the campaign's corpus reaches.
SECONDS ?= 600
JOBS ?= 2
fuzz-campaign: fuzz build/cov/libvcts.a
	@sh fuzz/run-campaign.sh $(SECONDS) $(JOBS) $(FUZZ_NAMES)

BENCH_BINS := $(patsubst harness/bench/%.c,build/rel/bench/%,$(BENCH_SRCS))
build/rel/bench/%: build/rel/obj/harness/bench/%.o $(rel_LIBS)
	@mkdir -p $(dir $@)
	$(CC) -pthread -o $@ $^ $(PKG_LIBS) -lm
build/fuzz/empty: build/fuzz/obj/fuzz/common/empty.o
	$(CLANG) -fsanitize=fuzzer,address,undefined -o $@ $^
BENCH_FUZZ_SECONDS ?= 10
bench: build/rel/vhost-cts $(BENCH_BINS) fuzz build/fuzz/empty
	@sh harness/bench/run-bench.sh $(BENCH_BINS)
	@sh fuzz/bench-rate.sh $(BENCH_FUZZ_SECONDS) 256 $(FUZZ_NAMES)

# Rewrite traces/fixtures/*.jsonl from their builders (conformance/tests/fixtures_*.c).
fixtures: build/rel/tests/conformance/tests/test_rules
	VCTS_REGEN_FIXTURES=1 $<

# The include layer check (make check's "layers" lane adds the calls).
.PHONY: layers
layers:
	@sh harness/layers.sh

clean:
	rm -rf build

.SECONDARY:

# The fake vDPA device's LD_PRELOAD shim (fakes/vdpa/preload/, outside the
# library's wildcard): the library rebuilt position-independent with hidden
# symbols, so only the shim's intercepted calls are exported.
PIC_OBJS := $(patsubst %.c,build/pic/obj/%.o,$(LIB_SRCS) $(wildcard fakes/vdpa/preload/*.c))
build/pic/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(BASE_CFLAGS) $(OPT_CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@
build/libvcts-vdpa-preload.so: $(PIC_OBJS)
	$(CC) -shared -pthread -o $@ $^ $(PKG_LIBS) -ldl -lm
