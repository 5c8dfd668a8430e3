# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += gnt-preempt-domu
gnt-preempt-domu_DIR := domu-watch
