# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += segbase-canonical-domu
segbase-canonical-domu_DIR := domu-watch
