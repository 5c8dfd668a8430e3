# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += gnt-basic
gnt-basic_LIBS := mm_util
