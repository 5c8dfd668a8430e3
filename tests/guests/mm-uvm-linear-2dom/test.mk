# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-uvm-linear-2dom
mm-uvm-linear-2dom_DIR := domu-attack
mm-uvm-linear-2dom_LIBS := mm_util
