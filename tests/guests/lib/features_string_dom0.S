/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Feature notes that name dom0 only in the FEATURES string, with a
 * SUPPORTED_FEATURES note of 0: the two together declare XENFEAT_dom0.
 */
#include "elfnote.inc"

ELFNOTE_STR LAM_ELFNOTE_FEATURES,      "!writable_page_tables|pae_pgdir_above_4gb|dom0"
ELFNOTE LAM_ELFNOTE_SUPPORTED_FEATURES, .long, 0
