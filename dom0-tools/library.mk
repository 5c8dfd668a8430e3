# SPDX-License-Identifier: GPL-2.0-only
# How a host library (dom0-tools/lib*, backend-drivers/lib*) is built, in one place. Its
# Makefile sets these, then includes this file before any rule of its own:
#   NAME      the library, e.g. libfoo: $(BUILD)/tools/lib/libfoo.a, and the same built with
#             ASan and UBSan for the host tests, $(BUILD)/tools/lib/asan/libfoo.a
#   CFLAGS    its compiler flags ($(TOOLS_WARN) from warnings.mk first)
#   HDRS      what every object is rebuilt after
#   SRCS      its sources (default src/*.c); OBJ_DEPS, more prerequisites of every object
#             (e.g. a generated-header stamp); EXTRA_OBJS, objects from elsewhere, as
#             <name>.o, built by the Makefile's own rules under $(OBJ)/opt and $(OBJ)/san
# It gets OBJ (its build directory), LIB, SAN, RESULTS, the default target `all`, and for
# its test target FUZZ_CFLAGS_BASE and FUZZ_RUN (below).
OBJ      := $(BUILD)/tools/$(NAME)
LIB      := $(BUILD)/tools/lib
RESULTS  := $(BUILD)/results
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SRCS     ?= $(sort $(wildcard src/*.c))
OPT_OBJS := $(patsubst src/%.c,$(OBJ)/opt/%.o,$(SRCS)) $(addprefix $(OBJ)/opt/,$(EXTRA_OBJS))
SAN_OBJS := $(patsubst src/%.c,$(OBJ)/san/%.o,$(SRCS)) $(addprefix $(OBJ)/san/,$(EXTRA_OBJS))

all: $(LIB)/$(NAME).a $(LIB)/asan/$(NAME).a

$(OBJ)/opt/%.o: src/%.c $(HDRS) $(OBJ_DEPS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@
$(OBJ)/san/%.o: src/%.c $(HDRS) $(OBJ_DEPS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN) -c $< -o $@

$(LIB)/$(NAME).a: $(OPT_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^
$(LIB)/asan/$(NAME).a: $(SAN_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# libFuzzer harnesses are built by clang from the sources, so the parser itself is
# instrumented; a harness adds its own -I flags.
FUZZ_CFLAGS_BASE := -std=c11 -g -O1 -D_GNU_SOURCE -I$(ROOT)/tests/fuzz \
                    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
# $(call FUZZ_RUN,HARNESS,LABEL,SECONDS,CORPUS_DIR[,MORE_FLAGS]): a shell command printing one
# result line: SKIP LABEL without clang, FAIL LABEL when HARNESS (a target of the Makefile)
# does not build or the run finds a crash, else PASS LABEL. The run uses a copy of the corpus
# for SECONDS; logs and crash inputs go to $(OBJ).
FUZZ_RUN = if ! command -v clang >/dev/null; then echo "SKIP $(2) (no clang)"; \
  elif ! $(MAKE) --no-print-directory $(1) >$(OBJ)/fuzz-build.log 2>&1; then \
    echo "FAIL $(2) (build failed, see $(OBJ)/fuzz-build.log)"; \
  else \
    rm -rf $(OBJ)/fuzz-corpus && mkdir -p $(OBJ)/fuzz-corpus && cp $(4)/* $(OBJ)/fuzz-corpus/ && \
    if $(1) -max_total_time=$(3) -timeout=10 $(5) -artifact_prefix=$(OBJ)/fuzz- \
         $(OBJ)/fuzz-corpus >$(OBJ)/fuzz.log 2>&1; \
    then echo "PASS $(2)"; else echo "FAIL $(2) (see $(OBJ)/fuzz.log)"; fi; \
  fi
