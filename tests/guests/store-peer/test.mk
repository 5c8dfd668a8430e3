# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += store-peer
store-peer_LIBS := mm_util sched_util peer_io
store-peer_HELPER := a hostile domU against dom0's store daemon for the dom0 store attack test (tests/system/dom0/storeattack.sh)
store-peer_NO_RESULT := runs until dom0 destroys it: reports on its console, never prints a result
