# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += dom-destroy
dom-destroy_LIBS := mm_util
