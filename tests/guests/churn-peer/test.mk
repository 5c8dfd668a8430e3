GUEST_TESTS += churn-peer
churn-peer_LIBS := mm_util big_tree
