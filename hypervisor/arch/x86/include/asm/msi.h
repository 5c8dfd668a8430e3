/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * MSI and MSI-X of dom0's PCI devices (arch/x86/msi.c): the hypervisor writes each
 * vector's address and data and masks and unmasks it, as Xen does; dom0 enables the
 * capability in configuration space itself.
 */
#ifndef LAMINA_ASM_MSI_H
#define LAMINA_ASM_MSI_H

#include <stdbool.h>
#include <stdint.h>

struct domain;

/* One interrupt source: the MSI of bus:devfn, or entry `entry` of its MSI-X table. */
struct msi_source {
    uint16_t seg; /* only segment 0 has devices here */
    uint8_t bus, devfn;
    bool msix;
    uint16_t entry;
};

/* The lock over every device's MSI state and over the pirq choices of map/unmap_pirq
 * (Xen's pcidevs_lock): taken with interrupts on, outside irq_lock. */
void msi_lock(void);
void msi_unlock(void);

/* Under msi_lock: check that dom0 added the device and it answers (-ENODEV; any
 * segment but 0 too), has the capability
 * (-ENODEV), the MSI-X entry is in its table (-EINVAL) and not in use, nor the MSI,
 * nor the other kind (-EEXIST); that the table's BAR is assigned (-ENXIO) and is
 * device memory d may map (-EPERM); map the table and make it and the PBA read-only
 * to dom0's new mappings (the first entry of a device). */
int msi_claim(const struct domain *d, const struct msi_source *s);
/* Under msi_lock: the source is masked and no longer used; the table is unmapped and
 * the read-only ranges go with its last entry. */
void msi_unclaim(const struct msi_source *s);

/* A claimed source: write the message (vector at the local APIC apic_id, fixed,
 * edge), masked; then mask or unmask it. A plain MSI without per-vector masking
 * cannot be masked (as on Xen). Any context. */
void msi_write_msg(const struct msi_source *s, uint8_t vector, uint32_t apic_id);
void msi_mask(const struct msi_source *s, bool masked);

#endif
