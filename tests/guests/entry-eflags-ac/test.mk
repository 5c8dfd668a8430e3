# SPDX-License-Identifier: GPL-2.0-only
# entry-eflags-ac: every way into the hypervisor with EFLAGS.AC set
GUEST_TESTS += entry-eflags-ac
# The boot self-test found SMEP and SMAP enforced (QEMU's -cpu max has both).
entry-eflags-ac_LAMINA_LOG_EXPECT := protect: SMEP on, SMAP on; boot self-test passed
