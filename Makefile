# SPDX-License-Identifier: GPL-2.0-only
# Lamina top-level build. Everything lands in build/ (see docs/building.md).
#   make            build the hypervisor, the dom0 tools and the test kernels
#   make run        build, then boot Lamina in QEMU on the serial console
#   make test       every test suite; last line "N passed, N failed"
#   make bench      Lamina against Xen 4.17 in one run (not part of make test)
#   make fuzz       the hypercall fuzzer guest, seed after seed, for FUZZ_SECONDS (default
#                   60); FUZZ_SEEDS, FUZZ_CALLS, FUZZ_CPUS, FUZZ_HV, FUZZ_DOMU=1, FUZZ_ARGS
#                   (tests/guests/hc-fuzz/fuzz.sh --help); the report is build/fuzz/report.txt
#   make format     rewrite sources with clang-format
#   make lint       clang-format check + cppcheck, warnings as errors
# Each part has its own Makefile, called with BUILD set to the absolute build dir.

BUILD      := $(CURDIR)/build
RESULTS    := $(BUILD)/results
SUBMAKE     = $(MAKE) --no-print-directory BUILD=$(BUILD) ROOT=$(CURDIR)

# Parts, in build order. A part is listed once a directory has a Makefile.
PARTS      := hypercall-abi hypervisor dom0-tools backend-drivers tests/guests tests/system
PRESENT    := $(foreach p,$(PARTS),$(if $(wildcard $(p)/Makefile),$(p)))

.PHONY: all deps run test bench fuzz format lint clean $(PRESENT)

all: deps
	@for p in $(PRESENT); do $(SUBMAKE) -C $$p all || exit 1; done

deps: $(BUILD)/.deps-ok
$(BUILD)/.deps-ok: scripts/deps.sh
	@BUILD=$(BUILD) scripts/deps.sh
	@touch $@

# Boot Lamina with a test kernel (or, once dom0 boots, with Debian's kernel).
run: all
	@scripts/run.sh

# Every part's "test" target writes PASS/FAIL/SKIP lines to $(RESULTS)/<suite>.txt;
# a part that fails to build records one FAIL line so it cannot pass silently.
test: deps
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@for p in $(PRESENT); do \
	  $(SUBMAKE) -C $$p test || echo "FAIL build-or-run:$$p" >> $(RESULTS)/make-$$(echo $$p | tr / -).txt; \
	done
	@# Style and static analysis are part of the verdict too.
	@if $(MAKE) --no-print-directory lint > $(BUILD)/lint.log 2>&1; then \
	  echo "PASS lint" > $(RESULTS)/lint.txt; \
	else \
	  echo "FAIL lint (see $(BUILD)/lint.log)" > $(RESULTS)/lint.txt; tail -n 20 $(BUILD)/lint.log; \
	fi
	@scripts/summarize.sh $(RESULTS)

# Each part prints its own figures, always Lamina against Xen 4.17 (or the
# reference implementation) measured in the same run.
bench: all
	@for p in $(PRESENT); do $(SUBMAKE) -C $$p bench || exit 1; done

# Reports calls per second and every seed that broke the host (panic, hang, frame audit
# not 0, a domU not freed), keeping those seeds' serial logs in build/fuzz/.
fuzz: all
	@BUILD=$(BUILD) tests/guests/hc-fuzz/fuzz.sh $(if $(FUZZ_DOMU),--domu) -- $(FUZZ_ARGS)

SOURCES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)

format:
	@clang-format -i $(SOURCES)

lint:
	@clang-format --dry-run --Werror $(SOURCES)
	@for p in $(PRESENT); do $(SUBMAKE) -C $$p lint || exit 1; done
	@echo "lint: ok"

clean:
	rm -rf $(filter-out $(BUILD)/pkgs,$(wildcard $(BUILD)/*))
