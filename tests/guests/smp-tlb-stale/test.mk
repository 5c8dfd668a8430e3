# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += smp-tlb-stale
smp-tlb-stale_LIBS := mm_util smp
smp-tlb-stale_SMP := 2
