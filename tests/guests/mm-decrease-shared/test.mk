# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-decrease-shared
mm-decrease-shared_LIBS := mm_util
