# SPDX-License-Identifier: GPL-2.0-only
# Included by tests/guests/Makefile: the PV-memory benchmark kernel, built as
# build/guests/bench-mm.elf (not run by make test; run.sh here runs it).
GUEST_BENCHES += bench-mm
bench-mm_DIR  := $(ROOT)/tests/bench/mm
bench-mm_LIBS := mm_util
