# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-hostile
mm-hostile_LIBS := mm_util
