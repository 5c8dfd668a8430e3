/* SPDX-License-Identifier: GPL-2.0-only */
/* PCI configuration space through ports 0xcf8/0xcfc, segment 0 (arch/x86/pci_conf.c). */
#ifndef LAMINA_ASM_PCI_H
#define LAMINA_ASM_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_CF8 0xcf8
#define PCI_CFC 0xcfc

#define PCI_VENDOR_ID      0x00
#define PCI_COMMAND        0x04
#define PCI_STATUS         0x06
#define PCI_STATUS_CAPS    0x10
#define PCI_HEADER_TYPE    0x0e
#define PCI_BAR0           0x10
#define PCI_CAPABILITY_PTR 0x34
#define PCI_CAP_ID_MSI     0x05
#define PCI_CAP_ID_MSIX    0x11

/* One access of size 1, 2 or 4 to data port `port` (0xcfc-0xcff) with the address
 * cf8 latched first: the hypervisor's accesses and dom0's (pv/ioport.c) share the
 * lock, so no one's address is replaced between the two port accesses. */
uint32_t pci_cf8_read(uint32_t cf8, unsigned int port, unsigned int size);
void pci_cf8_write(uint32_t cf8, unsigned int port, unsigned int size, uint32_t v);

/* Register reg (size 1, 2 or 4, naturally aligned) of bus:devfn, segment 0. */
uint32_t pci_conf_read(uint8_t bus, uint8_t devfn, unsigned int reg, unsigned int size);
void pci_conf_write(uint8_t bus, uint8_t devfn, unsigned int reg, unsigned int size, uint32_t v);
/* The offset of capability id in bus:devfn's list, 0 if it has none. */
unsigned int pci_find_cap(uint8_t bus, uint8_t devfn, uint8_t id);
/* The address memory BAR bar (0-5) decodes (64-bit BARs: both halves), 0 if it is
 * an I/O BAR, unassigned or out of the header. */
uint64_t pci_bar_address(uint8_t bus, uint8_t devfn, unsigned int bar);

/* Has dom0 reported the device (PHYSDEVOP_pci_device_add, manage_pci_add*)? Xen
 * without an IOMMU knows only those (pv/physdev.c). */
bool pci_device_known(uint16_t seg, uint8_t bus, uint8_t devfn);

#endif
