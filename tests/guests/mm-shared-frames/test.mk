# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-shared-frames
mm-shared-frames_LIBS := mm_util
