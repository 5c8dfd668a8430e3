/* SPDX-License-Identifier: MIT */
/*
 * lamina/physdev.h - the physdev_op hypercall (number 33): physdev_op(cmd, arg).
 * physdev_op_compat (19) takes one pointer to {uint32_t cmd; union of these}.
 *
 * Every PV kernel sets a virtual IOPL of 1 at boot so its port I/O is
 * emulated rather than faulted; the rest is the control domain's hardware path.
 */
#ifndef LAMINA_PHYSDEV_H
#define LAMINA_PHYSDEV_H

#include "types.h"

#define LAM_PHYSDEVOP_irq_status_query   5
#define LAM_PHYSDEVOP_set_iopl           6 /* struct lam_physdev_set_iopl */
#define LAM_PHYSDEVOP_set_iobitmap       7 /* struct lam_physdev_set_iobitmap */
#define LAM_PHYSDEVOP_apic_read          8
#define LAM_PHYSDEVOP_apic_write         9
#define LAM_PHYSDEVOP_alloc_irq_vector   10
#define LAM_PHYSDEVOP_free_irq_vector    11
#define LAM_PHYSDEVOP_eoi                12
#define LAM_PHYSDEVOP_map_pirq           13
#define LAM_PHYSDEVOP_unmap_pirq         14
#define LAM_PHYSDEVOP_manage_pci_add     15
#define LAM_PHYSDEVOP_manage_pci_remove  16
#define LAM_PHYSDEVOP_pirq_eoi_gmfn_v1   17
#define LAM_PHYSDEVOP_restore_msi        19
#define LAM_PHYSDEVOP_manage_pci_add_ext 20
#define LAM_PHYSDEVOP_setup_gsi          21
#define LAM_PHYSDEVOP_get_free_pirq      23
#define LAM_PHYSDEVOP_pci_mmcfg_reserved 24
#define LAM_PHYSDEVOP_pci_device_add     25
#define LAM_PHYSDEVOP_pci_device_remove  26
#define LAM_PHYSDEVOP_restore_msi_ext    27
#define LAM_PHYSDEVOP_pirq_eoi_gmfn_v2   28
#define LAM_PHYSDEVOP_dbgp_op            29
#define LAM_PHYSDEVOP_prepare_msix       30
#define LAM_PHYSDEVOP_release_msix       31
#define LAM_PHYSDEVOP_pci_device_reset   32

struct lam_physdev_set_iopl {
    uint32_t iopl; /* 0..3 */
};

struct lam_physdev_set_iobitmap {
    lam_guest_addr_t bitmap; /* one bit per port, 1 = access denied */
    uint32_t nr_ports;
    uint32_t pad;
};

struct lam_physdev_eoi {
    uint32_t irq;
};

#define LAM_PHYSDEVOP_IRQ_NEEDS_UNMASK_NOTIFY (1U << 0)
struct lam_physdev_irq_status_query {
    uint32_t irq;   /* IN */
    uint32_t flags; /* OUT */
};

LAM_ASSERT_SIZE(struct lam_physdev_set_iopl, 4);
LAM_ASSERT_SIZE(struct lam_physdev_set_iobitmap, 16);
LAM_ASSERT_OFFSET(struct lam_physdev_set_iobitmap, nr_ports, 8);
LAM_ASSERT_SIZE(struct lam_physdev_eoi, 4);
LAM_ASSERT_SIZE(struct lam_physdev_irq_status_query, 8);

#endif /* LAMINA_PHYSDEV_H */
