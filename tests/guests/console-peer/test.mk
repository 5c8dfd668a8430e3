# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += console-peer
console-peer_LIBS := mm_util sched_util
console-peer_HELPER := a domU writing to its console ring for the dom0 console test (tests/system/dom0/console.sh)
console-peer_NO_RESULT := runs until dom0 destroys it: never prints a result
