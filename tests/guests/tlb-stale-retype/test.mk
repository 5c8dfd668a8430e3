# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += tlb-stale-retype
tlb-stale-retype_LIBS := mm_util
