/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Feature notes of an older or minimal PV kernel: only the FEATURES string,
 * not naming dom0, and no SUPPORTED_FEATURES note. Xen 4.17 builds such a
 * kernel as dom0 (it checks XENFEAT_dom0 only when that note exists).
 */
#include "elfnote.inc"

ELFNOTE_STR LAM_ELFNOTE_FEATURES,      "!writable_page_tables|pae_pgdir_above_4gb"
