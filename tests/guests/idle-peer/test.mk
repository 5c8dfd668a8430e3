# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += idle-peer
idle-peer_HELPER := a domU for the dom0 system test's lam checks; never a test of its own
idle-peer_NO_RESULT := blocks forever: never prints a result
