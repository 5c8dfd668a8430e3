# SPDX-License-Identifier: GPL-2.0-only
# Included by tests/guests/Makefile: the null-hypercall benchmark kernel,
# built as build/guests/bench-hypercall.elf (not run by make test).
GUEST_BENCHES += bench-hypercall
bench-hypercall_DIR := $(ROOT)/tests/bench/hypercall
