/* SPDX-License-Identifier: MIT */
/*
 * lamina/elfnote.h - ELF note types a PV kernel uses to describe itself to the
 * domain builder.
 *
 * Notes live in a PT_NOTE segment with name "Xen" (namesz 4, including NUL).
 * Numeric descriptors may be 4 or 8 bytes long; string descriptors are
 * NUL-terminated.
 */
#ifndef LAMINA_ELFNOTE_H
#define LAMINA_ELFNOTE_H

#define LAM_ELFNOTE_NAME "Xen"

#define LAM_ELFNOTE_INFO               0  /* unused */
#define LAM_ELFNOTE_ENTRY              1  /* virtual address of the entry point */
#define LAM_ELFNOTE_HYPERCALL_PAGE     2  /* virtual address of the page to fill with stubs */
#define LAM_ELFNOTE_VIRT_BASE          3  /* virtual address at which pseudo-physical 0 is mapped */
#define LAM_ELFNOTE_PADDR_OFFSET       4  /* subtracted from p_paddr to get the load address */
#define LAM_ELFNOTE_XEN_VERSION        5  /* string: ABI version the kernel expects, "xen-3.0" */
#define LAM_ELFNOTE_GUEST_OS           6  /* string: e.g. "linux" */
#define LAM_ELFNOTE_GUEST_VERSION      7  /* string */
#define LAM_ELFNOTE_LOADER             8  /* string: "generic" */
#define LAM_ELFNOTE_PAE_MODE           9  /* string: ignored for 64-bit guests */
#define LAM_ELFNOTE_FEATURES           10 /* string: '|'-separated feature names, '!' = required */
#define LAM_ELFNOTE_BSD_SYMTAB         11 /* string "yes": load the symbol table */
#define LAM_ELFNOTE_HV_START_LOW       12 /* 32-bit guests only */
#define LAM_ELFNOTE_L1_MFN_VALID       13 /* (mask, value) pair for save/restore tools */
#define LAM_ELFNOTE_SUSPEND_CANCEL     14 /* guest copes with a cancelled suspend */
#define LAM_ELFNOTE_INIT_P2M           15 /* virtual address at which to map the p2m list */
#define LAM_ELFNOTE_MOD_START_PFN      16 /* initrd may stay unmapped; pass its PFN */
#define LAM_ELFNOTE_SUPPORTED_FEATURES 17 /* 32-bit bitmap of LAM_XENFEAT_* the kernel supports */
#define LAM_ELFNOTE_PHYS32_ENTRY       18 /* PVH entry point (unused by PV) */
#define LAM_ELFNOTE_MAX                LAM_ELFNOTE_PHYS32_ENTRY

#endif /* LAMINA_ELFNOTE_H */
