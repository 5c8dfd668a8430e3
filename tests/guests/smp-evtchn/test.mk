# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += smp-evtchn
smp-evtchn_LIBS := mm_util smp
smp-evtchn_SMP := 2 4
