/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * MSI and MSI-X through PHYSDEVOP_map_pirq, as Linux 6.1's xen_initdom_setup_msi_irqs
 * asks for them, on Xen 4.17 and Lamina, with QEMU's virtio-rng-pci at 00:04.0
 * (MSI-X) and ich9-ahci at 00:05.0 (MSI) (test.mk's QEMU_DEVICES):
 *
 *   bad requests        a device dom0 has not added (PHYSDEVOP_pci_device_add: Xen
 *                       without an IOMMU knows no other), an absent device or one
 *                       without the capability -ENODEV, an
 *                       MSI with an IRQ number (index 5) -EINVAL, an MSI-X entry past
 *                       the table -EINVAL, a pirq past the limit -EINVAL, segment 1
 *                       -ENODEV, MULTI_MSI with a table -EINVAL, 0 or 33 vectors
 *                       -EDOM, 2 vectors -EOPNOTSUPP (no interrupt remapping);
 *   MSI-X entries 0, 1  pirqs 207 and 206 (the highest free), the entry's message in
 *                       the table (address in the local APIC's window), masked; a new
 *                       writable mapping of the table is installed read-only and an
 *                       aligned store through it is dropped; bind_pirq and close;
 *                       unmap, unmap again -EINVAL;
 *   MSI                 the address in the AHCI function's capability; unmap;
 *   refusals            (Lamina) the MSI-X BAR moved onto RAM or onto the local APIC:
 *                       -EPERM, the hypervisor never writes there for dom0; Xen's
 *                       answers are printed.
 * As a domU (physdev-msi-2dom) every map_pirq is -EPERM.
 */
#include <stdbool.h>

#include <lamina/errno.h>
#include <lamina/event_channel.h>
#include <lamina/physdev.h>
#include <lamina/version.h>

#include "mm_util.h"

const char lam_test_title[] = "dom0 MSI and MSI-X: map_pirq, the messages, the table";

#define NR_PIRQS      208
#define CF8_ENABLE    0x80000000u
#define DEVFN_RNG     (4 << 3)
#define DEVFN_AHCI    (5 << 3)
#define DEVFN_ABSENT  (0x1f << 3)
#define VENDOR_VIRTIO 0x1af4
#define CAP_MSI       0x05
#define CAP_MSIX      0x11
#define TREE_SLOT     301
#define MSIX_CTRL_OFF 12
#define APIC_BASE     0xfee00000u

static bool privileged, on_lamina;
static struct mm_tree tree;

#define EXPECT(what, got, want)                                                                    \
    do {                                                                                           \
        long g_ = (got), w_ = (want);                                                              \
        if (g_ != w_)                                                                              \
            lam_fail("%s: got %ld, want %ld", what, g_, w_);                                       \
        else                                                                                       \
            lam_printf("ok: %s (%ld)\n", what, g_);                                                \
    } while (0)
#define EXPECT_PRIV(what, got, want) EXPECT(what, got, privileged ? (want) : -LAM_EPERM)

static uint32_t inl_(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static void outl_(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static uint32_t cfg_read(unsigned devfn, unsigned reg)
{
    outl_(0xcf8, CF8_ENABLE | devfn << 8 | (reg & 0xfc));
    return inl_(0xcfc) >> (8 * (reg & 3));
}
static void cfg_write(unsigned devfn, unsigned reg, uint32_t v)
{
    outl_(0xcf8, CF8_ENABLE | devfn << 8 | (reg & 0xfc));
    outl_(0xcfc, v);
}

static unsigned find_cap(unsigned devfn, uint8_t id)
{
    unsigned pos = cfg_read(devfn, 0x34) & 0xfc;
    for (int n = 0; pos >= 0x40 && n < 48; n++) {
        uint32_t h = cfg_read(devfn, pos);
        if ((h & 0xff) == id)
            return pos;
        pos = (h >> 8) & 0xfc;
    }
    return 0;
}

static long map_msi(int type, int index, int *pirq, int bus, int devfn, int entry, uint64_t table)
{
    struct lam_physdev_map_pirq m = {.domid = LAM_DOMID_SELF,
                                     .type = type,
                                     .index = index,
                                     .pirq = *pirq,
                                     .bus = bus,
                                     .devfn = devfn,
                                     .entry_nr = entry,
                                     .table_base = table};
    long rc = hypercall_physdev_op(LAM_PHYSDEVOP_map_pirq, &m);
    *pirq = m.pirq;
    return rc;
}

static long unmap(int pirq)
{
    struct lam_physdev_unmap_pirq u = {.domid = LAM_DOMID_SELF, .pirq = pirq};
    return hypercall_physdev_op(LAM_PHYSDEVOP_unmap_pirq, &u);
}

static long msix(int entry, int *pirq, uint64_t table)
{
    return map_msi(LAM_MAP_PIRQ_TYPE_MSI_SEG, -1, pirq, 0, DEVFN_RNG, entry, table);
}

/* Map the frame at ma writable at tree.base; the installed entry's RW bit. */
static long map_frame(uint64_t ma, bool *rw)
{
    long rc =
        hypercall_update_va_mapping(tree.base, (ma & ~0xfffull) | MM_PTE_FLAGS, LAM_UVMF_INVLPG);
    *rw = rc == 0 && (mm_read_entry_ma(mm_tab_ma(tree.l1, 0)) & LAM_PTE_RW);
    return rc;
}

static volatile uint32_t *table_word(uint64_t table, int entry, unsigned off)
{
    return (volatile uint32_t *)(tree.base + (table & 0xfff) + entry * 16 + off);
}

static long pci_add(unsigned devfn)
{
    struct lam_physdev_pci_device_add a = {.seg = 0, .bus = 0, .devfn = (uint8_t)devfn};
    return hypercall_physdev_op(LAM_PHYSDEVOP_pci_device_add, &a);
}

static void bad_requests(uint64_t table, unsigned nr_entries)
{
    int pirq = -1;
    EXPECT_PRIV("MSI-X of virtio-rng before dom0 added it", msix(0, &pirq, table), -LAM_ENODEV);
    EXPECT_PRIV("pci_device_add 00:04.0", pci_add(DEVFN_RNG), 0);
    EXPECT_PRIV("pci_device_add 00:05.0", pci_add(DEVFN_AHCI), 0);
    EXPECT_PRIV("pci_device_add 00:00.0", pci_add(0), 0);
    pirq = -1;
    EXPECT_PRIV("MSI of an absent device",
                map_msi(LAM_MAP_PIRQ_TYPE_MSI_SEG, -1, &pirq, 0, DEVFN_ABSENT, 0, 0), -LAM_ENODEV);
    pirq = -1;
    EXPECT_PRIV("MSI of the host bridge (no capability)",
                map_msi(LAM_MAP_PIRQ_TYPE_MSI, -1, &pirq, 0, 0, 0, 0), -LAM_ENODEV);
    pirq = -1;
    EXPECT_PRIV("MSI with IRQ number 5",
                map_msi(LAM_MAP_PIRQ_TYPE_MSI, 5, &pirq, 0, DEVFN_AHCI, 0, 0), -LAM_EINVAL);
    pirq = -1;
    EXPECT_PRIV("MSI on segment 1",
                map_msi(LAM_MAP_PIRQ_TYPE_MSI_SEG, -1, &pirq, 1 << 16, DEVFN_AHCI, 0, 0),
                -LAM_ENODEV);
    pirq = -1;
    EXPECT("MULTI_MSI with a table (refused before the privilege check)",
           map_msi(LAM_MAP_PIRQ_TYPE_MULTI_MSI, -1, &pirq, 0, DEVFN_AHCI, 1, 0x1000), -LAM_EINVAL);
    pirq = -1;
    EXPECT_PRIV("MULTI_MSI of 0 vectors",
                map_msi(LAM_MAP_PIRQ_TYPE_MULTI_MSI, -1, &pirq, 0, DEVFN_AHCI, 0, 0), -LAM_EDOM);
    pirq = -1;
    EXPECT_PRIV("MULTI_MSI of 33 vectors",
                map_msi(LAM_MAP_PIRQ_TYPE_MULTI_MSI, -1, &pirq, 0, DEVFN_AHCI, 33, 0), -LAM_EDOM);
    pirq = -1;
    EXPECT_PRIV("MULTI_MSI of 2 vectors",
                map_msi(LAM_MAP_PIRQ_TYPE_MULTI_MSI, -1, &pirq, 0, DEVFN_AHCI, 2, 0),
                -LAM_EOPNOTSUPP);
    pirq = -1;
    EXPECT_PRIV("MSI-X entry past the table", msix((int)nr_entries, &pirq, table), -LAM_EINVAL);
    pirq = NR_PIRQS;
    EXPECT_PRIV("MSI-X to pirq 208", msix(0, &pirq, table), -LAM_EINVAL);
    struct lam_physdev_map_pirq m = {.domid = 1000, .type = LAM_MAP_PIRQ_TYPE_MSI, .index = -1};
    EXPECT("MSI for a missing domain", hypercall_physdev_op(LAM_PHYSDEVOP_map_pirq, &m),
           -LAM_ESRCH);
}

static void msix_entries(uint64_t table)
{
    int p0 = -1, p1 = -1;
    bool rw;
    EXPECT("map the table frame before (writable)", map_frame(table, &rw), 0);
    EXPECT("  installed writable", rw, 1);
    EXPECT("MSI-X entry 0", msix(0, &p0, table), 0);
    EXPECT("MSI-X entry 0: the highest pirq", p0, NR_PIRQS - 1);
    EXPECT("MSI-X entry 1", msix(1, &p1, table), 0);
    EXPECT("MSI-X entry 1: the next", p1, NR_PIRQS - 2);
    uint32_t addr = *table_word(table, 0, 0), data = *table_word(table, 0, 8);
    uint32_t ctrl = *table_word(table, 0, MSIX_CTRL_OFF);
    lam_printf("entry 0: address %x data %x control %x\n", addr, data, ctrl);
    EXPECT("entry 0: address in the local APIC's window", addr & 0xfff00000u, APIC_BASE);
    LAM_CHECK((data & 0xff) >= 0x20, "entry 0: vector %u", data & 0xff);
    EXPECT("entry 0: masked until bound", ctrl & 1, 1);
    LAM_CHECK((*table_word(table, 1, 8) & 0xff) != (data & 0xff), "entries 0 and 1 share a vector");

    EXPECT("map the table frame again (writable asked)", map_frame(table, &rw), 0);
    EXPECT("  installed read-only", rw, 0);
    mm_expect(mm_try_write((volatile uint64_t *)table_word(table, 0, 0), 0) == 0,
              "  an aligned store through it goes on");
    EXPECT("  and is dropped", *table_word(table, 0, 0), addr);

    uint32_t port = 0;
    struct lam_evtchn_bind_pirq b = {.pirq = (uint32_t)p0};
    EXPECT("bind_pirq of entry 0", hypercall_event_channel_op(LAM_EVTCHNOP_bind_pirq, &b), 0);
    port = b.port;
    struct lam_physdev_eoi e = {.irq = (uint32_t)p0};
    EXPECT("eoi of entry 0", hypercall_physdev_op(LAM_PHYSDEVOP_eoi, &e), 0);
    lam_printf("info: entry 0 control after bind and eoi: %x\n",
               *table_word(table, 0, MSIX_CTRL_OFF));
    struct lam_evtchn_port_arg c = {.port = port};
    EXPECT("close its port", hypercall_event_channel_op(LAM_EVTCHNOP_close, &c), 0);
    EXPECT("entry 0 masked after close", *table_word(table, 0, MSIX_CTRL_OFF) & 1, 1);
    int again = -1;
    long rc = msix(0, &again, table);
    lam_printf("info: entry 0 mapped a second time: rc %ld pirq %d\n", rc, again);
    if (on_lamina)
        EXPECT("entry 0 mapped a second time (Lamina)", rc, -LAM_EEXIST);
    else if (rc == 0)
        unmap(again);
    EXPECT("unmap entry 0", unmap(p0), 0);
    EXPECT("unmap entry 0 again", unmap(p0), -LAM_EINVAL);
    EXPECT("unmap entry 1", unmap(p1), 0);
    EXPECT("entry 1 masked after unmap", *table_word(table, 1, MSIX_CTRL_OFF) & 1, 1);
    map_frame(table, &rw);
    lam_printf("info: the table frame mapped after the last unmap: rw %d\n", rw);
    hypercall_update_va_mapping(tree.base, 0, LAM_UVMF_INVLPG);
}

static void plain_msi(void)
{
    unsigned cap = find_cap(DEVFN_AHCI, CAP_MSI);
    LAM_CHECK(cap != 0, "the AHCI function has an MSI capability");
    if (!cap)
        return;
    int pirq = -1;
    EXPECT("MSI of the AHCI function",
           map_msi(LAM_MAP_PIRQ_TYPE_MSI_SEG, -1, &pirq, 0, DEVFN_AHCI, 0, 0), 0);
    EXPECT("MSI: the highest pirq", pirq, NR_PIRQS - 1);
    uint32_t ctrl = cfg_read(DEVFN_AHCI, cap) >> 16;
    uint32_t addr = cfg_read(DEVFN_AHCI, cap + 4);
    uint32_t data = cfg_read(DEVFN_AHCI, cap + ((ctrl & 0x80) ? 12 : 8)) & 0xffff;
    lam_printf("MSI: control %x address %x data %x\n", ctrl, addr, data);
    EXPECT("MSI: address in the local APIC's window", addr & 0xfff00000u, APIC_BASE);
    LAM_CHECK((data & 0xff) >= 0x20, "MSI: vector %u", data & 0xff);
    EXPECT("unmap the MSI", unmap(pirq), 0);
}

/* The MSI-X BAR moved onto RAM, then onto the local APIC: the hypervisor must not
 * write its table there (Lamina -EPERM; Xen's answer printed). */
static void refusals(unsigned bar_reg, uint32_t bar)
{
    static const struct {
        const char *what;
        uint32_t where;
    } places[] = {{"RAM at 16 MiB", 0x01000000u}, {"the local APIC", APIC_BASE}};
    for (unsigned i = 0; i < 2; i++) {
        cfg_write(DEVFN_RNG, bar_reg, places[i].where);
        int pirq = -1;
        long rc = msix(0, &pirq, places[i].where);
        lam_printf("info: MSI-X table moved onto %s: rc %ld\n", places[i].what, rc);
        if (on_lamina)
            EXPECT(places[i].what, rc, -LAM_EPERM);
        if (rc == 0)
            unmap(pirq);
    }
    cfg_write(DEVFN_RNG, bar_reg, bar);
}

void test_main(void)
{
    mm_init();
    privileged = lam_start_info->flags & LAM_SIF_PRIVILEGED;
    char extra[16] = {0};
    hypercall_xen_version(LAM_XENVER_extraversion, extra);
    on_lamina = strstr(extra, "lamina") != NULL;
    lam_printf("running as %s on %s\n", privileged ? "dom0" : "a domU",
               on_lamina ? "Lamina" : "Xen");
    struct lam_physdev_set_iopl iopl = {.iopl = 1};
    EXPECT("set_iopl 1", hypercall_physdev_op(LAM_PHYSDEVOP_set_iopl, &iopl), 0);
    if (!privileged) {
        bad_requests(0x1000, 1);
        return;
    }
    uint32_t id = cfg_read(DEVFN_RNG, 0);
    EXPECT("virtio-rng at 00:04.0", id & 0xffff, VENDOR_VIRTIO);
    unsigned cap = find_cap(DEVFN_RNG, CAP_MSIX);
    LAM_CHECK(cap != 0, "virtio-rng has an MSI-X capability");
    if (!cap)
        return;
    uint32_t tab = cfg_read(DEVFN_RNG, cap + 4);
    unsigned bar_reg = 0x10 + 4 * (tab & 7);
    uint32_t bar = cfg_read(DEVFN_RNG, bar_reg);
    uint64_t table = (bar & ~0xfu) + (tab & ~7u);
    unsigned nr = ((cfg_read(DEVFN_RNG, cap) >> 16) & 0x7ff) + 1;
    lam_printf("MSI-X: BAR %u at %x, table at %lx, %u entries\n", tab & 7, bar,
               (unsigned long)table, nr);
    LAM_CHECK(nr >= 2, "at least two MSI-X entries (%u)", nr);
    cfg_write(DEVFN_RNG, 4, cfg_read(DEVFN_RNG, 4) | 2); /* memory decoding on */
    mm_expect_rc("a tree for the table's mapping", mm_tree_build(&tree, TREE_SLOT), 0);
    bad_requests(table, nr);
    msix_entries(table);
    plain_msi();
    refusals(bar_reg, bar);
    mm_tree_destroy(&tree);
}
