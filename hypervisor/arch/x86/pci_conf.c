/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PCI configuration space through the ports 0xcf8 (address) and 0xcfc-0xcff (data),
 * segment 0 only, as QEMU's `pc` machine has it. The hypervisor reads and writes
 * capabilities itself when it sets up a device's MSI or MSI-X (arch/x86/msi.c), and
 * dom0's accesses, emulated in pv/ioport.c with dom0's own address latch, go
 * through the same lock: an address written to 0xcf8 is the one the data port uses.
 */
#include <asm/pci.h>
#include <asm/x86.h>
#include <hv/irqlock.h>
#include <hv/spinlock.h>

#define CF8_ENABLE      0x80000000u
#define PCI_MAX_CAPS    48 /* a loop in a broken list ends */
#define BAR_IO          0x1
#define BAR_TYPE_MASK   0x6
#define BAR_TYPE_64     0x4
#define BAR_MEM_MASK    (~0xfu)
#define HEADER_TYPE_STD 0x00

static spinlock_t pci_cfg_lock = SPIN_LOCK_UNLOCKED(LOCK_CLASS_PORTS);

uint32_t pci_cf8_read(uint32_t cf8, unsigned int port, unsigned int size)
{
    unsigned long f = spin_lock_irqsave(&pci_cfg_lock);
    outl(PCI_CF8, cf8);
    uint32_t v = port_in_sized(port, size);
    spin_unlock_irqrestore(&pci_cfg_lock, f);
    return v;
}

void pci_cf8_write(uint32_t cf8, unsigned int port, unsigned int size, uint32_t v)
{
    unsigned long f = spin_lock_irqsave(&pci_cfg_lock);
    outl(PCI_CF8, cf8);
    port_out_sized(port, size, v);
    spin_unlock_irqrestore(&pci_cfg_lock, f);
}

static uint32_t cf8_of(uint8_t bus, uint8_t devfn, unsigned int reg)
{
    return CF8_ENABLE | (uint32_t)bus << 16 | (uint32_t)devfn << 8 | (reg & 0xfc);
}

uint32_t pci_conf_read(uint8_t bus, uint8_t devfn, unsigned int reg, unsigned int size)
{
    return pci_cf8_read(cf8_of(bus, devfn, reg), PCI_CFC + (reg & 3), size);
}

void pci_conf_write(uint8_t bus, uint8_t devfn, unsigned int reg, unsigned int size, uint32_t v)
{
    pci_cf8_write(cf8_of(bus, devfn, reg), PCI_CFC + (reg & 3), size, v);
}

unsigned int pci_find_cap(uint8_t bus, uint8_t devfn, uint8_t id)
{
    if (!(pci_conf_read(bus, devfn, PCI_STATUS, 2) & PCI_STATUS_CAPS))
        return 0;
    unsigned int pos = pci_conf_read(bus, devfn, PCI_CAPABILITY_PTR, 1) & 0xfc;
    for (unsigned int n = 0; pos >= 0x40 && n < PCI_MAX_CAPS; n++) {
        uint32_t hdr = pci_conf_read(bus, devfn, pos, 2);
        if ((hdr & 0xff) == id)
            return pos;
        pos = (hdr >> 8) & 0xfc;
    }
    return 0;
}

uint64_t pci_bar_address(uint8_t bus, uint8_t devfn, unsigned int bar)
{
    if (bar > 5 || (pci_conf_read(bus, devfn, PCI_HEADER_TYPE, 1) & 0x7f) != HEADER_TYPE_STD)
        return 0;
    unsigned int reg = PCI_BAR0 + 4 * bar;
    uint32_t lo = pci_conf_read(bus, devfn, reg, 4);
    if (lo & BAR_IO)
        return 0;
    uint64_t addr = lo & BAR_MEM_MASK;
    if ((lo & BAR_TYPE_MASK) == BAR_TYPE_64) {
        if (bar == 5)
            return 0;
        addr |= (uint64_t)pci_conf_read(bus, devfn, reg + 4, 4) << 32;
    }
    return addr;
}
