/* SPDX-License-Identifier: MIT */
/*
 * lamina/physdev.h - the physdev_op hypercall (number 33): physdev_op(cmd, arg).
 * physdev_op_compat (19) takes one pointer to {uint32_t cmd; union of these}.
 *
 * Every PV kernel sets a virtual IOPL of 1 at boot so its port I/O is
 * emulated rather than faulted; the rest is the control domain's hardware path
 * (Xen's public/physdev.h numbers and layouts).
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

/* irq_status_query flags (bit 0 was once "needs unmask notify"). */
#define LAM_XENIRQSTAT_needs_eoi (1U << 0)
#define LAM_XENIRQSTAT_shared    (1U << 1)

/* apic_read / apic_write: an I/O APIC register, by the I/O APIC's physical address. */
struct lam_physdev_apic {
    uint64_t apic_physbase; /* IN */
    uint32_t reg;           /* IN */
    uint32_t value;         /* IN (write) / OUT (read) */
};

/* map_pirq types */
#define LAM_MAP_PIRQ_TYPE_MSI       0
#define LAM_MAP_PIRQ_TYPE_GSI       1
#define LAM_MAP_PIRQ_TYPE_UNKNOWN   2
#define LAM_MAP_PIRQ_TYPE_MSI_SEG   3 /* bus holds segment << 16 | bus */
#define LAM_MAP_PIRQ_TYPE_MULTI_MSI 4

struct lam_physdev_map_pirq {
    uint16_t domid; /* IN: DOMID_SELF or a domain id */
    uint16_t pad;
    int32_t type;     /* IN: LAM_MAP_PIRQ_TYPE_* */
    int32_t index;    /* IN: the GSI (GSI type) or MSI-X entry */
    int32_t pirq;     /* IN: wanted pirq, or < 0 for any; OUT: the pirq */
    int32_t bus;      /* IN (MSI) */
    int32_t devfn;    /* IN (MSI) */
    int32_t entry_nr; /* IN (MSI-X entry / number of vectors) */
    uint32_t pad2;
    uint64_t table_base; /* IN (MSI-X: the table BAR's address) */
};

struct lam_physdev_unmap_pirq {
    uint16_t domid;
    uint16_t pad;
    int32_t pirq;
};

struct lam_physdev_setup_gsi {
    int32_t gsi;
    uint8_t triggering; /* 0 edge, 1 level */
    uint8_t polarity;   /* 0 active high, 1 active low */
    uint8_t pad[2];
};

/* pci_device_add flags */
#define LAM_PCI_DEV_EXTFN  0x1
#define LAM_PCI_DEV_VIRTFN 0x2
#define LAM_PCI_DEV_PXM    0x4 /* optarr[0] holds the proximity domain */

struct lam_physdev_pci_device_add {
    uint16_t seg;
    uint8_t bus;
    uint8_t devfn;
    uint32_t flags;
    struct {
        uint8_t bus;
        uint8_t devfn;
    } physfn;
    uint8_t pad[2];
    /* uint32_t optarr[] follows */
};

/* pci_device_remove, restore_msi_ext, pci_device_reset */
struct lam_physdev_pci_device {
    uint16_t seg;
    uint8_t bus;
    uint8_t devfn;
};

/* manage_pci_add / manage_pci_remove (segment 0) */
struct lam_physdev_manage_pci {
    uint8_t bus;
    uint8_t devfn;
};

struct lam_physdev_manage_pci_ext {
    uint8_t bus;
    uint8_t devfn;
    uint8_t pad[2];
    uint32_t is_extfn;
    uint32_t is_virtfn;
    struct {
        uint8_t bus;
        uint8_t devfn;
    } physfn;
    uint8_t pad2[2];
};

/* alloc_irq_vector: a no-op for the hardware domain that returns vector = irq (Xen
 * allocates vectors itself, when the GSI is bound). */
struct lam_physdev_irq {
    uint32_t irq;
    uint32_t vector;
};

struct lam_physdev_pirq_eoi_gmfn {
    uint64_t gmfn;
};

LAM_ASSERT_SIZE(struct lam_physdev_apic, 16);
LAM_ASSERT_SIZE(struct lam_physdev_map_pirq, 40);
LAM_ASSERT_OFFSET(struct lam_physdev_map_pirq, type, 4);
LAM_ASSERT_OFFSET(struct lam_physdev_map_pirq, pirq, 12);
LAM_ASSERT_OFFSET(struct lam_physdev_map_pirq, entry_nr, 24);
LAM_ASSERT_OFFSET(struct lam_physdev_map_pirq, table_base, 32);
LAM_ASSERT_SIZE(struct lam_physdev_unmap_pirq, 8);
LAM_ASSERT_SIZE(struct lam_physdev_setup_gsi, 8);
LAM_ASSERT_SIZE(struct lam_physdev_pci_device_add, 12);
LAM_ASSERT_OFFSET(struct lam_physdev_pci_device_add, physfn, 8);
LAM_ASSERT_SIZE(struct lam_physdev_pci_device, 4);
LAM_ASSERT_SIZE(struct lam_physdev_manage_pci, 2);
LAM_ASSERT_SIZE(struct lam_physdev_manage_pci_ext, 16);
LAM_ASSERT_SIZE(struct lam_physdev_pirq_eoi_gmfn, 8);
LAM_ASSERT_SIZE(struct lam_physdev_irq, 8);
LAM_ASSERT_SIZE(struct lam_physdev_set_iopl, 4);
LAM_ASSERT_SIZE(struct lam_physdev_set_iobitmap, 16);
LAM_ASSERT_OFFSET(struct lam_physdev_set_iobitmap, nr_ports, 8);
LAM_ASSERT_SIZE(struct lam_physdev_eoi, 4);
LAM_ASSERT_SIZE(struct lam_physdev_irq_status_query, 8);

#endif /* LAMINA_PHYSDEV_H */
