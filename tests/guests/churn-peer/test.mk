# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += churn-peer
churn-peer_LIBS := mm_util big_tree
