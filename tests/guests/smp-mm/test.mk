# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += smp-mm
smp-mm_LIBS := mm_util smp
smp-mm_SMP := 2 4
