# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-ptwr-mmio
mm-ptwr-mmio_LIBS := mm_util
