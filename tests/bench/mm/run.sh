#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# PV-memory benchmark: 512-entry mmu_update batches, update_va_mapping,
# an emulated PTE write, pin and unpin of a populated L4 tree; Lamina against
# Xen 4.17 in one run (tests/bench/guest-bench.sh).
exec "$(dirname "$0")/../guest-bench.sh" bench-mm "bench mm: PV memory operations (5 rounds)" \
    "mmu_update 512-entry batch" "update_va_mapping (INVLPG)" "emulated PTE write (MOV)" \
    "pin L4 tree" "unpin L4 tree"
