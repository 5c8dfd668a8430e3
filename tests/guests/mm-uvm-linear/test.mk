# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-uvm-linear
mm-uvm-linear_LIBS := mm_util
