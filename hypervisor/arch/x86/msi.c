/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * MSI and MSI-X for dom0's devices, done as Xen 4.17 does for a PV dom0: dom0 asks
 * for a pirq per vector (PHYSDEVOP_map_pirq, arch/x86/irq.c) and enables the
 * capability in configuration space itself; the hypervisor writes each vector's
 * address and data (fixed delivery to the boot CPU's local APIC, edge) and masks it
 * until dom0 binds the pirq to an event channel. Linux's Xen code never writes a
 * message or a mask bit (pci_msi_ignore_mask), so the hypervisor keeps an MSI-X
 * table and its pending-bit array read-only in the mappings dom0 makes from then on,
 * as Xen adds them to its mmio_ro_ranges (a store there is dropped, pv/iomem.c;
 * mappings dom0 made before, like Linux's own of the table, keep their RW, as on
 * Xen, which has no answer for them either).
 *
 * The table is reached through an uncacheable mapping of the frames the BAR's
 * address says (read from configuration space, not from dom0's table_base), which
 * must be device memory dom0 may map: a BAR dom0 pointed at RAM or at the local
 * APIC gets -EPERM, so the hypervisor never writes its own memory for a device.
 */
#include <asm/mm.h>
#include <asm/msi.h>
#include <asm/page.h>
#include <asm/pci.h>
#include <asm/pv/iomem.h>
#include <asm/vmap.h>
#include <hv/console.h>
#include <hv/errcodes.h>
#include <hv/spinlock.h>

#define MAX_MSI_DEVICES  32
#define MSIX_MAX_ENTRIES 2048

/* MSI capability registers (offsets from the capability). */
#define MSI_CTRL         0x02
#define MSI_CTRL_QSIZE   (7u << 4) /* multiple message enable */
#define MSI_CTRL_64BIT   (1u << 7)
#define MSI_CTRL_MASKBIT (1u << 8)
#define MSI_ADDR_LO      0x04
#define MSI_ADDR_HI      0x08
#define MSI_DATA_32      0x08
#define MSI_DATA_64      0x0c
#define MSI_MASK_32      0x0c
#define MSI_MASK_64      0x10

/* MSI-X capability registers and table entries. */
#define MSIX_CTRL          0x02
#define MSIX_CTRL_SIZE     0x7ffu /* table size - 1 */
#define MSIX_TABLE         0x04
#define MSIX_PBA           0x08
#define MSIX_BIR           0x7u
#define MSIX_ENTRY_SIZE    16
#define MSIX_ENTRY_ADDR_LO 0x0
#define MSIX_ENTRY_ADDR_HI 0x4
#define MSIX_ENTRY_DATA    0x8
#define MSIX_ENTRY_CTRL    0xc
#define MSIX_ENTRY_MASKED  1u

/* The message: the local APIC's window, physical destination; fixed, edge. */
#define MSI_ADDR_BASE       0xfee00000u
#define MSI_ADDR_DEST_SHIFT 12
#define MSI_DATA_ASSERT     (1u << 14)

static struct msi_dev {
    bool used;
    uint8_t bus, devfn;
    unsigned int cap; /* the MSI or MSI-X capability's offset */
    bool msix;
    bool msi_claimed; /* MSI: its one source */
    unsigned int msix_users, nr_entries;
    uint64_t entries[MSIX_MAX_ENTRIES / 64]; /* MSI-X entries claimed */
    uint8_t *table;                          /* the mapping: the table's first frame */
    unsigned int table_off;                  /* the table's offset in that frame */
    uint64_t table_pages;
    int ro_table, ro_pba; /* iomem_read_only_add slots, -1 none */
} devs[MAX_MSI_DEVICES];

static spinlock_t pcidevs_lock = SPIN_LOCK_UNLOCKED(LOCK_CLASS_PCIDEVS);

void msi_lock(void)
{
    spin_lock(&pcidevs_lock);
}

void msi_unlock(void)
{
    spin_unlock(&pcidevs_lock);
}

static struct msi_dev *dev_of(uint8_t bus, uint8_t devfn)
{
    for (unsigned int i = 0; i < MAX_MSI_DEVICES; i++)
        if (devs[i].used && devs[i].bus == bus && devs[i].devfn == devfn)
            return &devs[i];
    return NULL;
}

static bool entry_claimed(const struct msi_dev *m, unsigned int e)
{
    return (m->entries[e / 64] >> (e % 64)) & 1;
}

/* Device memory d may map, every frame of [first, last]. */
static bool device_frames(const struct domain *d, mfn_t first, mfn_t last)
{
    for (mfn_t f = first; f <= last; f++)
        if (mfn_is_ram(f) || iomem_permitted(d, f))
            return false;
    return true;
}

/* The address of the MSI-X structure whose offset/BIR register is at reg. */
static uint64_t msix_struct_address(uint8_t bus, uint8_t devfn, unsigned int reg)
{
    uint32_t v = pci_conf_read(bus, devfn, reg, 4);
    uint64_t bar = pci_bar_address(bus, devfn, v & MSIX_BIR);
    return bar ? bar + (v & ~MSIX_BIR) : 0;
}

/* The first MSI-X entry of a device: map its table, protect table and PBA. */
static int msix_setup(const struct domain *d, struct msi_dev *m)
{
    uint64_t table = msix_struct_address(m->bus, m->devfn, m->cap + MSIX_TABLE);
    uint64_t pba = msix_struct_address(m->bus, m->devfn, m->cap + MSIX_PBA);
    if (!table || !pba)
        return -ENXIO;
    mfn_t first = table >> PAGE_SHIFT;
    mfn_t last = (table + m->nr_entries * MSIX_ENTRY_SIZE - 1) >> PAGE_SHIFT;
    mfn_t pba_first = pba >> PAGE_SHIFT;
    mfn_t pba_last = (pba + (m->nr_entries + 63) / 64 * 8 - 1) >> PAGE_SHIFT;
    if (!device_frames(d, first, last) || !device_frames(d, pba_first, pba_last))
        return -EPERM;
    void *va = vmap_io(first, last - first + 1);
    if (!va)
        return -ENOMEM;
    m->table = va;
    m->table_off = table & (PAGE_SIZE - 1);
    m->table_pages = last - first + 1;
    m->ro_table = iomem_read_only_add(first, last);
    m->ro_pba = iomem_read_only_add(pba_first, pba_last);
    if (m->ro_table < 0 || m->ro_pba < 0)
        log_printf(LOG_WARN, "msi: %02x:%02x.%u: MSI-X table/PBA left writable (no slot)", m->bus,
                   m->devfn >> 3, m->devfn & 7);
    return 0;
}

static void msix_teardown(struct msi_dev *m)
{
    iomem_read_only_remove(m->ro_table);
    iomem_read_only_remove(m->ro_pba);
    vunmap(m->table, m->table_pages);
    m->table = NULL;
}

static volatile uint32_t *msix_reg(const struct msi_dev *m, unsigned int entry, unsigned int reg)
{
    return (volatile uint32_t *)(m->table + m->table_off + entry * MSIX_ENTRY_SIZE + reg);
}

static void dev_free_if_unused(struct msi_dev *m)
{
    if (!m->msi_claimed && !m->msix_users)
        m->used = false;
}

int msi_claim(const struct domain *d, const struct msi_source *s)
{
    if (!pci_device_known(s->seg, s->bus, s->devfn) || s->seg ||
        pci_conf_read(s->bus, s->devfn, PCI_VENDOR_ID, 2) == 0xffff)
        return -ENODEV; /* Xen: no pci_dev for it (dom0 never added it) */
    unsigned int cap = pci_find_cap(s->bus, s->devfn, s->msix ? PCI_CAP_ID_MSIX : PCI_CAP_ID_MSI);
    if (!cap)
        return -ENODEV;
    unsigned int nr = 1;
    if (s->msix) {
        nr = (pci_conf_read(s->bus, s->devfn, cap + MSIX_CTRL, 2) & MSIX_CTRL_SIZE) + 1;
        if (s->entry >= nr)
            return -EINVAL;
    }
    struct msi_dev *m = dev_of(s->bus, s->devfn);
    if (m && (m->msix != s->msix || (s->msix ? entry_claimed(m, s->entry) : m->msi_claimed)))
        return -EEXIST;
    if (!m) {
        for (unsigned int i = 0; i < MAX_MSI_DEVICES && !m; i++)
            if (!devs[i].used)
                m = &devs[i];
        if (!m)
            return -ENOSPC;
        *m = (struct msi_dev){.used = true,
                              .bus = s->bus,
                              .devfn = s->devfn,
                              .cap = cap,
                              .msix = s->msix,
                              .nr_entries = nr,
                              .ro_table = -1,
                              .ro_pba = -1};
    }
    if (s->msix && !m->msix_users) {
        int rc = msix_setup(d, m);
        if (rc) {
            dev_free_if_unused(m);
            return rc;
        }
    }
    if (s->msix) {
        m->entries[s->entry / 64] |= 1ull << (s->entry % 64);
        m->msix_users++;
    } else {
        m->msi_claimed = true;
    }
    return 0;
}

void msi_unclaim(const struct msi_source *s)
{
    struct msi_dev *m = dev_of(s->bus, s->devfn);
    if (!m)
        return;
    msi_mask(s, true);
    if (s->msix && entry_claimed(m, s->entry)) {
        m->entries[s->entry / 64] &= ~(1ull << (s->entry % 64));
        if (!--m->msix_users)
            msix_teardown(m);
    } else if (!s->msix) {
        m->msi_claimed = false;
    }
    dev_free_if_unused(m);
}

static unsigned int msi_reg(const struct msi_dev *m, unsigned int reg32, unsigned int reg64)
{
    bool is64 = pci_conf_read(m->bus, m->devfn, m->cap + MSI_CTRL, 2) & MSI_CTRL_64BIT;
    return m->cap + (is64 ? reg64 : reg32);
}

void msi_write_msg(const struct msi_source *s, uint8_t vector, uint32_t apic_id)
{
    const struct msi_dev *m = dev_of(s->bus, s->devfn);
    if (!m)
        return;
    uint32_t addr = MSI_ADDR_BASE | apic_id << MSI_ADDR_DEST_SHIFT;
    uint32_t data = MSI_DATA_ASSERT | vector;
    msi_mask(s, true);
    if (s->msix) {
        *msix_reg(m, s->entry, MSIX_ENTRY_ADDR_LO) = addr;
        *msix_reg(m, s->entry, MSIX_ENTRY_ADDR_HI) = 0;
        *msix_reg(m, s->entry, MSIX_ENTRY_DATA) = data;
        (void)*msix_reg(m, s->entry, MSIX_ENTRY_DATA); /* the writes reach the device */
        return;
    }
    uint32_t ctrl = pci_conf_read(m->bus, m->devfn, m->cap + MSI_CTRL, 2);
    pci_conf_write(m->bus, m->devfn, m->cap + MSI_ADDR_LO, 4, addr);
    if (ctrl & MSI_CTRL_64BIT)
        pci_conf_write(m->bus, m->devfn, m->cap + MSI_ADDR_HI, 4, 0);
    pci_conf_write(m->bus, m->devfn, msi_reg(m, MSI_DATA_32, MSI_DATA_64), 2, data);
    /* One vector: no multiple-message enable (Xen clears it too). */
    pci_conf_write(m->bus, m->devfn, m->cap + MSI_CTRL, 2, ctrl & ~MSI_CTRL_QSIZE);
}

void msi_mask(const struct msi_source *s, bool masked)
{
    const struct msi_dev *m = dev_of(s->bus, s->devfn);
    if (!m)
        return;
    if (s->msix) {
        if (!m->table)
            return;
        volatile uint32_t *ctrl = msix_reg(m, s->entry, MSIX_ENTRY_CTRL);
        uint32_t v = *ctrl;
        *ctrl = masked ? v | MSIX_ENTRY_MASKED : v & ~MSIX_ENTRY_MASKED;
        (void)*ctrl;
        return;
    }
    if (!(pci_conf_read(m->bus, m->devfn, m->cap + MSI_CTRL, 2) & MSI_CTRL_MASKBIT))
        return;
    unsigned int reg = msi_reg(m, MSI_MASK_32, MSI_MASK_64);
    uint32_t bits = pci_conf_read(m->bus, m->devfn, reg, 4);
    pci_conf_write(m->bus, m->devfn, reg, 4, masked ? bits | 1u : bits & ~1u);
}
