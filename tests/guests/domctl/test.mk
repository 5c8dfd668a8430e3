# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += domctl
domctl_LIBS := mm_util
