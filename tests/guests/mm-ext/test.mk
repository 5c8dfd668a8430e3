# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-ext
mm-ext_LIBS := mm_util
