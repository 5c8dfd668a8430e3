# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += smp-tlb
smp-tlb_LIBS := mm_util smp
smp-tlb_SMP := 2 4
