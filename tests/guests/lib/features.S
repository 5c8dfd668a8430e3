/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The feature notes of a test kernel, as Linux has them: the FEATURES string
 * and a SUPPORTED_FEATURES note naming XENFEAT_dom0 (with that note present,
 * both hypervisors refuse a dom0 kernel that does not name it).
 */
#include <lamina/features.h>

#include "elfnote.inc"

ELFNOTE_STR LAM_ELFNOTE_FEATURES,      "!writable_page_tables|pae_pgdir_above_4gb"
ELFNOTE LAM_ELFNOTE_SUPPORTED_FEATURES, .long, (1 << LAM_XENFEAT_dom0)
