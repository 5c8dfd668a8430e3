# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += timer-values-domu
timer-values-domu_DIR := domu-watch
