# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-pte-bits
mm-pte-bits_LIBS := mm_util
