# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-foreign-frames
mm-foreign-frames_LIBS := mm_util
