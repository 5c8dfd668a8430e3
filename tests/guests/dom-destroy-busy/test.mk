# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += dom-destroy-busy
dom-destroy-busy_LIBS := mm_util
