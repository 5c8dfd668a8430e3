# SPDX-License-Identifier: GPL-2.0-only
# iret-bad-frame: iret hypercall to frames the CPU refuses
GUEST_TESTS += iret-bad-frame
iret-bad-frame_LIBS := mm_util callbacks
