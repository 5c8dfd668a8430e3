# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += sysctl-info
sysctl-info_LIBS := mm_util
