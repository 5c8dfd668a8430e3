# SPDX-License-Identifier: GPL-2.0-only
# dbg-movss: MOV SS breakpoints before SYSCALL and INT
GUEST_TESTS += dbg-movss
# QEMU's TCG delivers the MOV SS #DB before the SYSCALL or INT, in the guest; the case it stands
# for on hardware (a #DB on the SYSCALL entry with the guest's RSP) is what the hypervisor's boot
# self-test does on every CPU, which must have passed.
dbg-movss_LAMINA_LOG_EXPECT := CPU 0: \#DB runs on its own stack
