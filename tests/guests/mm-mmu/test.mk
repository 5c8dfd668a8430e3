# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-mmu
mm-mmu_LIBS := mm_util
