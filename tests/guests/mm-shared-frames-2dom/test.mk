# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-shared-frames-2dom
mm-shared-frames-2dom_DIR := domu-attack
mm-shared-frames-2dom_LIBS := mm_util
