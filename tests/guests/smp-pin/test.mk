# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += smp-pin
smp-pin_LIBS := mm_util smp
smp-pin_SMP := 2 4
