# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += smp-pin-types
smp-pin-types_LIBS := mm_util smp
smp-pin-types_SMP := 2
