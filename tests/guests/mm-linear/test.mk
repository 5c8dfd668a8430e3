# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-linear
mm-linear_LIBS := mm_util
