/* SPDX-License-Identifier: MIT */
/*
 * lamina/features.h - feature bits reported by xen_version(LAM_XENVER_get_features)
 * in submap 0, and used as bit numbers in the SUPPORTED_FEATURES ELF note.
 *
 * What a 64-bit PV guest must see: bits 5 and 7 set (Linux panics otherwise),
 * bits 0, 2, 3 and 8 clear. The initial control domain additionally gets bit 11.
 */
#ifndef LAMINA_FEATURES_H
#define LAMINA_FEATURES_H

#define LAM_XENFEAT_writable_page_tables       0  /* guest may write its page tables directly */
#define LAM_XENFEAT_writable_descriptor_tables 1  /* guest may write its GDT/LDT directly */
#define LAM_XENFEAT_auto_translated_physmap    2  /* hypervisor translates pseudo-physical */
#define LAM_XENFEAT_supervisor_mode_kernel     3  /* guest kernel runs in ring 0 */
#define LAM_XENFEAT_pae_pgdir_above_4gb        4  /* PAE L3 may live above 4 GiB (32-bit) */
#define LAM_XENFEAT_mmu_pt_update_preserve_ad  5  /* MMU_PT_UPDATE_PRESERVE_AD exists */
#define LAM_XENFEAT_highmem_assist             6  /* MMUEXT_CLEAR_PAGE/COPY_PAGE exist */
#define LAM_XENFEAT_gnttab_map_avail_bits      7  /* GNTMAP bits 16+ land in PTE AVL bits */
#define LAM_XENFEAT_hvm_callback_vector        8  /* HVM only */
#define LAM_XENFEAT_hvm_safe_pvclock           9  /* HVM only */
#define LAM_XENFEAT_hvm_pirqs                  10 /* HVM only */
#define LAM_XENFEAT_dom0                       11 /* the domain is the hardware domain */
#define LAM_XENFEAT_grant_map_identity         12 /* ARM only */
#define LAM_XENFEAT_memory_op_vnode_supported  13 /* XENMEM_get_vnumainfo exists */
#define LAM_XENFEAT_ARM_SMCCC_supported        14 /* ARM only */
#define LAM_XENFEAT_linux_rsdp_unrestricted    15 /* dom0 may place the RSDP anywhere */
#define LAM_XENFEAT_not_direct_mapped          16 /* gfn != mfn for this domain */
#define LAM_XENFEAT_direct_mapped              17 /* gfn == mfn for this domain */
#define LAM_XENFEAT_runstate_phys_area         18 /* VCPUOP_register_runstate_phys_area */
#define LAM_XENFEAT_vcpu_time_phys_area        19 /* VCPUOP_register_vcpu_time_phys_area */
#define LAM_XENFEAT_dm_msix_all_writes         20 /* device models see all MSI-X writes */

#define LAM_XENFEAT_NR_SUBMAPS 1

#define LAM_XENFEAT_BIT(n) (1U << (n))

#endif /* LAMINA_FEATURES_H */
