# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += tlb-stale-realloc
tlb-stale-realloc_LIBS := mm_util
