# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += domctl-build
domctl-build_LIBS := mm_util
