# goroscope: one Makefile for everything.
#   make            build build/goroscope
#   make demo       install what is missing, build, analyze a dump of a bundled Go program
#   make test       install what is missing, then every test, also under ASan+UBSan
#   make bench      speed and memory benchmark (generates 14 MB and 140 MB dumps),
#                   then the watch daemon polling 1,000 targets (bench-watch alone)
#   make fuzz       run the libFuzzer targets for FUZZ_SECONDS each
#   make deps       install the Debian packages the targets above need

CC      ?= cc
CFLAGS  ?= -O2 -g -flto=auto
WARN    := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-missing-field-initializers
ifeq ($(CI),true)
WARN    += -Werror
endif
# libcurl, libmicrohttpd and libcrypto are not linked: they are loaded when
# first used (src/base/dynlib.h), which saves about 9 ms at every start.
# Their headers are still needed to build.
LDLIBS  := $(shell pkg-config --libs zlib 2>/dev/null || echo -lz) $(shell pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3) $(shell pkg-config --libs yaml-0.1 2>/dev/null || echo -lyaml) $(shell pkg-config --libs jansson 2>/dev/null || echo -ljansson) -lm -pthread
BUILD   := build

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

.PHONY: all deps demo test unit e2e corpus fixtures watch html browser convert san fuzz-replay fuzz bench bench-watch clean

all: $(BUILD)/goroscope

deps:
	@scripts/install-deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(SANFLAGS) -MMD -MP -c $< -o $@

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
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/goroscope-san: $(SAN_CLI) $(BUILD)/libgoroscope-san.a
	$(CC) $(SANFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/unit/%: tests/unit/%.c $(BUILD)/libgoroscope.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) -o $@ $< $(BUILD)/libgoroscope.a -lcmocka $(LDLIBS)

$(BUILD)/unit-san/%: tests/unit/%.c $(BUILD)/libgoroscope-san.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(SANFLAGS) -o $@ $< $(BUILD)/libgoroscope-san.a -lcmocka $(LDLIBS)

# libFuzzer needs clang; the targets link the sanitizer build of the library.
$(BUILD)/fuzz/%: fuzz/%.c $(SRC_LIB) $(GEN_ASSETS)
	@mkdir -p $(dir $@)
	clang $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ $< $(SRC_LIB) $(GEN_ASSETS) $(LDLIBS)

demo: deps all
	@scripts/demo.sh

test: deps
	@$(MAKE) --no-print-directory all $(BUILD)/goroscope-san
	@$(MAKE) --no-print-directory unit $(SUITES) san fuzz-replay
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

fuzz: deps $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do n=$$(basename $$f); mkdir -p $(BUILD)/fuzz-corpus/$$n; \
	  echo "== $$n for $(FUZZ_SECONDS)s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 $(BUILD)/fuzz-corpus/$$n fuzz/corpus/$$n || exit 1; done

bench: deps all
	@bench/run.sh
	@bench/watch-scale.sh

# the watch daemon alone at scale: 1,000 targets every 10 s (DURATION=540 s)
bench-watch: deps all
	@bench/watch-scale.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
