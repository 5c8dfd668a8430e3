# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-ptwr
mm-ptwr_LIBS := mm_util
