# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += blk-peer
blk-peer_LIBS := mm_util sched_util peer_io
blk-peer_HELPER := a hostile blkfront (and a polite one) against lamblkback for the dom0 test tests/system/dom0/blkattack.sh
blk-peer_NO_RESULT := runs until dom0 destroys it: reports on its console, never prints a result
