# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += timer-flood timer-flood-peer
timer-flood_LIBS := mm_util vcpu_start
timer-flood-peer_DIR := timer-flood
timer-flood-peer_LIBS := mm_util vcpu_start
