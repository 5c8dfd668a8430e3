/* SPDX-License-Identifier: MIT */
/*
 * lamina/vm_assist.h - the vm_assist hypercall (number 21): vm_assist(cmd, type).
 *
 * Turns optional hypervisor behaviours on or off for the calling domain.
 * Linux enables types 0, 2 and 3 ignoring the result, and type 5.
 */
#ifndef LAMINA_VM_ASSIST_H
#define LAMINA_VM_ASSIST_H

#define LAM_VMASST_CMD_enable  0
#define LAM_VMASST_CMD_disable 1

#define LAM_VMASST_TYPE_4gb_segments         0  /* 32-bit only */
#define LAM_VMASST_TYPE_4gb_segments_notify  1  /* 32-bit only */
#define LAM_VMASST_TYPE_writable_pagetables  2  /* emulate direct writes to L1 tables */
#define LAM_VMASST_TYPE_pae_extended_cr3     3  /* PAE L3 above 4 GiB (32-bit) */
#define LAM_VMASST_TYPE_architectural_iopl   4  /* IOPL in bounce frames is the virtual IOPL */
#define LAM_VMASST_TYPE_runstate_update_flag 5  /* XEN_RUNSTATE_UPDATE bit in runstate times */
#define LAM_VMASST_TYPE_m2p_strict           32 /* hide the M2P from the user page tables */

#endif /* LAMINA_VM_ASSIST_H */
