# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += evtchn-hostile
evtchn-hostile_LIBS := mm_util smp
evtchn-hostile_SMP := 2
