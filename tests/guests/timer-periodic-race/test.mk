# SPDX-License-Identifier: GPL-2.0-only
# timer-periodic-race: two vCPUs set one vCPU's periodic timer at once; when a periodic
# timer runs (only while its vCPU runs, as on Xen)
GUEST_TESTS += timer-periodic-race
timer-periodic-race_LIBS := mm_util smp
timer-periodic-race_SMP := 2
