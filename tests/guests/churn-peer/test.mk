# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += churn-peer
churn-peer_LIBS := mm_util big_tree
churn-peer_HELPER := only booted as dom-destroy-busy's and dom-destroy-race's domU
churn-peer_NO_RESULT := pins and unpins until it is destroyed: never prints a result
