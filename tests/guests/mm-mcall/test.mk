# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-mcall
mm-mcall_LIBS := mm_util
