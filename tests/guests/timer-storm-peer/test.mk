# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += timer-storm-peer
timer-storm-peer_LIBS := mm_util sched_util smp
timer-storm-peer_HELPER := the domU of timer-storm-2dom; run as a boot-time domU, never on its own
timer-storm-peer_NO_RESULT := storms until dom0 ends the test: never prints a result
