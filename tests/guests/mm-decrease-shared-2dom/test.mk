# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-decrease-shared-2dom
mm-decrease-shared-2dom_DIR := domu-attack
mm-decrease-shared-2dom_LIBS := mm_util
