# SPDX-License-Identifier: GPL-2.0-only
# fpu-xsave-hostile: XSETBV with every bit, prefixes and XCR numbers; XRSTOR/FXRSTOR of
# malformed images by the guest itself
GUEST_TESTS += fpu-xsave-hostile
fpu-xsave-hostile_LIBS := mm_util
