# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += smp-stress
smp-stress_LIBS := mm_util smp
smp-stress_SMP := 2 4
