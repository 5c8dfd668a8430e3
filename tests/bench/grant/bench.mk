# SPDX-License-Identifier: GPL-2.0-only
# Included by tests/guests/Makefile: the grant-table benchmark kernel,
# build/guests/bench-grant.elf (run by run.sh here, not by make test).
GUEST_BENCHES += bench-grant
bench-grant_DIR  := $(ROOT)/tests/bench/grant
bench-grant_LIBS := mm_util
