# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += gnt-smp-race
gnt-smp-race_LIBS := mm_util smp
gnt-smp-race_SMP := 2
gnt-smp-race_LAMINA_LOG_EXPECT := audit d0: 0 frame\(s\) with unbalanced counts
