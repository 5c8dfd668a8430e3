# SPDX-License-Identifier: GPL-2.0-only
# libFuzzer harnesses for the XML and xl.cfg parsers (tests/fuzz/domcfg). Built with clang
# against the library sources directly, so the parser itself is instrumented.
BUILD   ?= $(abspath ../../build)
ROOT    ?= $(abspath ../..)
FUZZDIR := $(ROOT)/tests/fuzz/domcfg
OUT     := $(BUILD)/tools/libdomcfg/fuzz
RESULTS := $(BUILD)/results
LIBSRC  := $(filter-out store.c,$(sort $(wildcard *.c))) $(BUILD)/tools/libdomcfg/schema_data.c
FFLAGS  := -std=c11 -g -O1 -D_GNU_SOURCE -Iinclude -I. $(shell xml2-config --cflags) \
           -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
LIBS    := $(shell xml2-config --libs) -luuid
HARNESS := fuzz_domxml fuzz_xlcfg

.PHONY: fuzz-build fuzz-test
fuzz-build: $(addprefix $(OUT)/,$(HARNESS))

$(OUT)/%: $(FUZZDIR)/%.c $(LIBSRC) $(wildcard include/*.h *.h)
	@mkdir -p $(dir $@)
	clang $(FFLAGS) $< $(LIBSRC) -o $@ $(LIBS)

# A few seconds per harness on the seed corpus (copied, so new inputs do not land in git).
fuzz-test: fuzz-build
	@mkdir -p $(RESULTS)
	@for h in $(HARNESS); do \
	  rm -rf $(OUT)/$$h-corpus && mkdir -p $(OUT)/$$h-corpus && \
	  cp $(FUZZDIR)/corpus-$${h#fuzz_}/* $(OUT)/$$h-corpus/ && \
	  if $(OUT)/$$h -max_total_time=5 -timeout=10 -rss_limit_mb=1024 \
	       -artifact_prefix=$(OUT)/$$h- $(OUT)/$$h-corpus >$(OUT)/$$h.log 2>&1; \
	  then echo "PASS fuzz:$$h"; else echo "FAIL fuzz:$$h (see $(OUT)/$$h.log)"; fi \
	  >> $(RESULTS)/domcfg.txt; \
	done
