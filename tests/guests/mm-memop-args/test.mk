# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-memop-args
mm-memop-args_LIBS := mm_util
