# SPDX-License-Identifier: GPL-2.0-only
# iret-nohandler: an iret to a frame the CPU refuses, with no trap table
GUEST_TESTS += iret-nohandler
iret-nohandler_HELPER := the domU of iret-nohandler-2dom (as dom0 it would crash itself)
iret-nohandler_NO_RESULT := the hypervisor crashes it: its IRETQ fault has no handler to go to
