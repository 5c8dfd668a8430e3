# SPDX-License-Identifier: GPL-2.0-only
# console-raw: dom0's console bytes reach the serial line raw and at once, a domU's filtered.
# The log must show dom0's escape, tab and CR as they are, and its partial line followed on
# the same line by the hypervisor's next log line (written while dom0 waited for the domU).
GUEST_TESTS += console-raw console-raw-peer
console-raw_LAMINA_ONLY := needs a boot-time domU (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
console-raw_LIBS := mm_util sched_util
console-raw_DOMU_MODULES := console-raw-peer --domU mem=16M
console-raw_LAMINA_LOG_EXPECT := console-raw: esc\[[[:cntrl:]]\[0m\] tab\[[[:cntrl:]]\] cr\[[[:cntrl:]]\] partial>\(LAM\) \[
console-raw-peer_DIR := console-raw
console-raw-peer_LIBS := mm_util sched_util
console-raw-peer_HELPER := the domU half of console-raw; run as a boot-time domU, never on its own
