# SPDX-License-Identifier: GPL-2.0-only
# mmu-update-badcmd: an mmu_update entry whose ptr names no command ends the batch
GUEST_TESTS += mmu-update-badcmd
mmu-update-badcmd_LIBS := mm_util callbacks
