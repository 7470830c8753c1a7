# goroscope: one Makefile for everything.
#   make            build build/goroscope
#   make demo       install what the build and the demo need, build, find the
#                   leaks of a bundled Go service live
#   make check      the fast suite for every change (unit, e2e, corpus,
#                   convert, install, fuzz replay): installs nothing
#   make test       install what is missing, then every test, also under ASan+UBSan
#   make install    the binary, the man page, bash and zsh completions under
#                   $(DESTDIR)$(PREFIX) (default /usr/local); make uninstall
#   make bench      speed and memory benchmark (generates dumps of 14 MB to 4.3 GB
#                   and profiles, once; sets the page cache: bench/run.sh), then
#                   the watch daemon polling 1,000 targets (bench-watch alone)
#   make fuzz       run the libFuzzer targets for FUZZ_SECONDS each
#   make deps-build | deps-check | deps | deps-bench
#                   install the Debian packages of the demo, of make check,
#                   of make test, of make bench
#
# CFLAGS, CPPFLAGS and LDFLAGS are honoured (CFLAGS replaces the default
# -O2 -g -flto=auto). DLOPEN=0 links libcurl, libmicrohttpd and libcrypto
# like any other library instead of loading them at first use (see below).

CC      ?= cc
CFLAGS  ?= -O2 -g -flto=auto
WARN    := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-missing-field-initializers
ifeq ($(CI),true)
WARN    += -Werror
endif
pkglibs = $(shell pkg-config --libs $(1) 2>/dev/null || echo $(2))
LDLIBS  := $(call pkglibs,zlib,-lz) $(call pkglibs,sqlite3,-lsqlite3) $(call pkglibs,yaml-0.1,-lyaml) \
           $(call pkglibs,jansson,-ljansson) -lm -pthread
# libcurl, libmicrohttpd and libcrypto are not linked by default: they are
# loaded when first used (src/base/dynlib.h), which saves about 9 ms at every
# start, and a host without them can still analyse files. Their headers are
# needed to build. Packagers whose tools find run-time dependencies from the
# ELF file (dpkg-shlibdeps, rpm's find-requires) build with DLOPEN=0.
DLOPEN  ?= 1
ifeq ($(DLOPEN),0)
CPPFLAGS += -DGOROSCOPE_LINKED
LDLIBS  += -Wl,--no-as-needed $(call pkglibs,libcurl,-lcurl) $(call pkglibs,libmicrohttpd,-lmicrohttpd) \
           $(call pkglibs,libcrypto,-lcrypto) -Wl,--as-needed
endif
BUILD   := build

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions

SRC_LIB := $(wildcard src/base/*.c src/model/*.c src/parse/*.c src/analyze/*.c src/report/*.c src/fetch/*.c src/proc/*.c src/capture/*.c src/source/*.c src/store/*.c src/watch/*.c src/web/*.c)
SRC_CLI := $(wildcard src/cli/*.c)

# front-end assets built into the binary (scripts/embed.py)
GEN_ASSETS := $(BUILD)/gen/html_assets.c
# the script's parts, in load order: shared helpers, one file per view, the
# entry point that picks the views
JS_PARTS := common flame table analyze diff leaks contention timeline main
JS_FILES := $(JS_PARTS:%=src/report/html/%.js)
EMPTY   :=
SPACE   := $(EMPTY) $(EMPTY)
ASSETS  := $(JS_FILES) src/report/html/report.css
OBJ_LIB := $(SRC_LIB:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/html_assets.o
OBJ_CLI := $(SRC_CLI:%.c=$(BUILD)/obj/%.o)
SAN_LIB := $(SRC_LIB:%.c=$(BUILD)/san/%.o) $(BUILD)/san/gen/html_assets.o
SAN_CLI := $(SRC_CLI:%.c=$(BUILD)/san/%.o)
SANFLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)
UNIT_SAN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit-san/%)

FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_SECONDS ?= 60
# A unit (at most 64 KiB) that takes longer or holds more is a finding: the
# parsers are linear in their input (ASan+UBSan builds, hence the room).
FUZZ_UNIT_SECONDS ?= 2
FUZZ_RSS_MB ?= 1024
FUZZ_MALLOC_MB ?= 512

.PHONY: all deps deps-build deps-check deps-bench demo check test unit e2e corpus fixtures watch html browser \
	convert install-test san fuzz-replay fuzz bench bench-watch install uninstall completions clean

all: $(BUILD)/goroscope

deps:
	@scripts/install-deps.sh test
deps-build deps-check deps-bench:
	@scripts/install-deps.sh $(@:deps-%=%)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CPPFLAGS) $(SANFLAGS) -MMD -MP -c $< -o $@

$(GEN_ASSETS): scripts/embed.py $(ASSETS)
	@mkdir -p $(dir $@)
	python3 scripts/embed.py $@ html_report_js=$(subst $(SPACE),+,$(JS_FILES)) html_report_css=src/report/html/report.css

$(BUILD)/obj/gen/html_assets.o: $(GEN_ASSETS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/san/gen/html_assets.o: $(GEN_ASSETS)
	@mkdir -p $(dir $@)
	$(CC) $(SANFLAGS) -c $< -o $@

$(BUILD)/libgoroscope.a: $(OBJ_LIB)
	ar rcs $@ $^

$(BUILD)/libgoroscope-san.a: $(SAN_LIB)
	ar rcs $@ $^

$(BUILD)/goroscope: $(OBJ_CLI) $(BUILD)/libgoroscope.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/goroscope-san: $(SAN_CLI) $(BUILD)/libgoroscope-san.a
	$(CC) $(SANFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/unit/%: tests/unit/%.c $(BUILD)/libgoroscope.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libgoroscope.a -lcmocka $(LDLIBS)

$(BUILD)/unit-san/%: tests/unit/%.c $(BUILD)/libgoroscope-san.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CPPFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libgoroscope-san.a -lcmocka $(LDLIBS)

# libFuzzer needs clang. The library is compiled once with the fuzzer's
# coverage and ASan+UBSan, and each target links it.
FUZZFLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_LIB := $(SRC_LIB:%.c=$(BUILD)/fuzzlib/%.o) $(BUILD)/fuzzlib/gen/html_assets.o
$(BUILD)/fuzzlib/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(WARN) $(CPPFLAGS) $(FUZZFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@
$(BUILD)/fuzzlib/gen/html_assets.o: $(GEN_ASSETS)
	@mkdir -p $(dir $@)
	clang -O1 -c $< -o $@
$(BUILD)/libgoroscope-fuzz.a: $(FUZZ_LIB)
	ar rcs $@ $^
$(BUILD)/fuzz/%: fuzz/%.c $(BUILD)/libgoroscope-fuzz.a
	@mkdir -p $(dir $@)
	clang $(WARN) $(CPPFLAGS) $(FUZZFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/libgoroscope-fuzz.a $(LDLIBS)

demo: deps-build all
	@scripts/demo.sh

# The fast suite: no apt, no browser, no network, no root (once make
# deps-check has run); says what is missing instead of installing it.
check:
	@scripts/install-deps.sh --check check
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit e2e corpus convert install-test fuzz-replay
	@echo "make check: all passed"

test: deps
	@$(MAKE) --no-print-directory all $(BUILD)/goroscope-san
	@$(MAKE) --no-print-directory unit $(SUITES) install-test san fuzz-replay
	@echo "all test suites passed"

unit: $(UNIT_BIN)
	@tests/run-unit.sh $(UNIT_BIN)

# The suites that drive the binary: tests/NAME/run.sh with GOROSCOPE set
# (browser: Playwright, playwright-core from npm as locked, driving Debian's
# Chromium).
SUITES := e2e corpus fixtures watch html browser convert
$(SUITES): $(BUILD)/goroscope
	@GOROSCOPE=$(BUILD)/goroscope tests/$@/run.sh

# The same suites again on the ASan+UBSan build.
san: $(UNIT_SAN) $(BUILD)/goroscope-san
	@echo "== unit tests under ASan+UBSan"
	@tests/run-unit.sh $(UNIT_SAN)
	@echo "== $(SUITES) under ASan+UBSan"
	@for s in $(SUITES); do GOROSCOPE=$(BUILD)/goroscope-san tests/$$s/run.sh || exit 1; done

fuzz-replay: $(FUZZ_BIN)
	@tests/fuzz-replay.sh $(FUZZ_BIN)

# make install into a scratch DESTDIR, make uninstall, and a DLOPEN=0 build
install-test: $(BUILD)/goroscope
	@tests/install/run.sh

# Shell completions, written by the binary from its option tables.
completions: $(BUILD)/completion/goroscope $(BUILD)/completion/_goroscope
$(BUILD)/completion/goroscope: $(BUILD)/goroscope
	@mkdir -p $(dir $@)
	$(BUILD)/goroscope completion bash >$@
$(BUILD)/completion/_goroscope: $(BUILD)/goroscope
	@mkdir -p $(dir $@)
	$(BUILD)/goroscope completion zsh >$@

install: $(BUILD)/goroscope completions
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0755 $(BUILD)/goroscope $(DESTDIR)$(BINDIR)/goroscope
	install -m 0644 docs/goroscope.1 $(DESTDIR)$(MANDIR)/man1/goroscope.1
	install -m 0644 $(BUILD)/completion/goroscope $(DESTDIR)$(BASHCOMPDIR)/goroscope
	install -m 0644 $(BUILD)/completion/_goroscope $(DESTDIR)$(ZSHCOMPDIR)/_goroscope

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/goroscope $(DESTDIR)$(MANDIR)/man1/goroscope.1 \
	      $(DESTDIR)$(BASHCOMPDIR)/goroscope $(DESTDIR)$(ZSHCOMPDIR)/_goroscope

fuzz: deps-check $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do n=$$(basename $$f); mkdir -p $(BUILD)/fuzz-corpus/$$n; \
	  echo "== $$n for $(FUZZ_SECONDS)s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=$(FUZZ_UNIT_SECONDS) \
	      -rss_limit_mb=$(FUZZ_RSS_MB) -malloc_limit_mb=$(FUZZ_MALLOC_MB) -report_slow_units=1 \
	      $(BUILD)/fuzz-corpus/$$n fuzz/corpus/$$n || exit 1; done

bench: deps-bench all
	@bench/run.sh
	@bench/watch-scale.sh
	@python3 bench/store_scale.py $(BUILD)/bench-store $(BUILD)/goroscope

# the watch daemon alone at scale: 1,000 targets every 10 s (DURATION=540 s),
# then 5,000 through file_sd over 2, 3 and 5 shards (SHARD_DURATION=60 s)
bench-watch: deps-bench all
	@bench/watch-scale.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
