/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dom0's hardware path through physdev_op and event_channel_op, and the port
 * rules, with values good and bad, on Xen 4.17 and Lamina (QEMU's PC: one I/O
 * APIC at 0xfec00000 with 24 pins, one CPU, so 208 pirqs for dom0):
 *
 *   irq_status_query   any pirq below the limit: 0 and "needs EOI"; at or above: -EINVAL;
 *   apic_read          the I/O APIC's version register 0x00170020; elsewhere -EINVAL;
 *   alloc_irq_vector   vector = irq;
 *   setup_gsi          GSI -1, 24, 100000: -EINVAL; GSI 10: 0; again: -EEXIST;
 *   map_pirq           bad type or GSI -EINVAL, GSI 0 -EPERM, missing domain -ESRCH,
 *                      pirq -1 gets the first free one from 16, a GSI mapped again
 *                      keeps its pirq, another pirq for it -EEXIST, a pirq past
 *                      the limit -EINVAL;
 *   bind_pirq          past the limit -EINVAL, unmapped -EPERM, twice -EEXIST;
 *                      status shows the pirq; close;
 *   eoi                past the limit or never mapped -EINVAL, mapped 0;
 *   unmap_pirq         past the limit / unmapped -EINVAL, missing domain -ESRCH;
 *   pci_device_add/remove  of 00:01.0: add 0, remove 0, remove again -ENODEV;
 *   ports              PCI config through 0xcf8/0xcfc (the host bridge's ids, the
 *                      latch read back), the PIC mask and PIT count read as 0xff.
 *
 * As a domU (physdev-irq-2dom, Lamina only) every privileged operation is
 * -EPERM, irq_status_query still answers, bind_pirq is -EPERM and the PCI
 * ports read as all-ones.
 */
#include <stdbool.h>

#include <lamina/errno.h>
#include <lamina/event_channel.h>
#include <lamina/physdev.h>

#include "lam.h"

const char lam_test_title[] = "dom0 interrupts and PCI: physdev_op, bind_pirq, ports";

#define IOAPIC_BASE   0xfec00000ull
#define NR_GSIS       24
#define NR_PIRQS      208
#define GSI_TEST      10
#define GSI_BIND      12
#define FIRST_DYNAMIC 16
#define NO_DOMAIN     1000
#define HOST_BRIDGE   0x12378086u /* i440FX */
#define CF8_ENABLE    0x80000000u

static bool privileged;

#define EXPECT(what, got, want)                                                                    \
    do {                                                                                           \
        long g_ = (got), w_ = (want);                                                              \
        if (g_ != w_)                                                                              \
            lam_fail("%s: got %ld, want %ld", what, g_, w_);                                       \
        else                                                                                       \
            lam_printf("ok: %s (%ld)\n", what, g_);                                                \
    } while (0)

/* Privileged operations: their answer as dom0, -EPERM as a domU. */
#define EXPECT_PRIV(what, got, want) EXPECT(what, got, privileged ? (want) : -LAM_EPERM)

static long physdev(int cmd, void *arg)
{
    return hypercall_physdev_op(cmd, arg);
}

static long status_query(uint32_t pirq, uint32_t *flags)
{
    struct lam_physdev_irq_status_query q = {.irq = pirq, .flags = 0xdead};
    long rc = physdev(LAM_PHYSDEVOP_irq_status_query, &q);
    *flags = q.flags;
    return rc;
}

static long map_gsi(uint16_t domid, int type, int gsi, int *pirq)
{
    struct lam_physdev_map_pirq m = {.domid = domid, .type = type, .index = gsi, .pirq = *pirq};
    long rc = physdev(LAM_PHYSDEVOP_map_pirq, &m);
    *pirq = m.pirq;
    return rc;
}

static long unmap(uint16_t domid, int pirq)
{
    struct lam_physdev_unmap_pirq u = {.domid = domid, .pirq = pirq};
    return physdev(LAM_PHYSDEVOP_unmap_pirq, &u);
}

static long setup_gsi(int gsi, uint8_t level, uint8_t low)
{
    struct lam_physdev_setup_gsi g = {.gsi = gsi, .triggering = level, .polarity = low};
    return physdev(LAM_PHYSDEVOP_setup_gsi, &g);
}

static long eoi(uint32_t pirq)
{
    struct lam_physdev_eoi e = {.irq = pirq};
    return physdev(LAM_PHYSDEVOP_eoi, &e);
}

static long bind_pirq(uint32_t pirq, uint32_t *port)
{
    struct lam_evtchn_bind_pirq b = {.pirq = pirq, .flags = 0, .port = 0};
    long rc = hypercall_event_channel_op(LAM_EVTCHNOP_bind_pirq, &b);
    *port = b.port;
    return rc;
}

static long pci_dev(int cmd, uint8_t bus, uint8_t devfn)
{
    if (cmd == LAM_PHYSDEVOP_pci_device_add) {
        struct lam_physdev_pci_device_add a = {.seg = 0, .bus = bus, .devfn = devfn};
        return physdev(cmd, &a);
    }
    struct lam_physdev_pci_device r = {.seg = 0, .bus = bus, .devfn = devfn};
    return physdev(cmd, &r);
}

static void status_queries(void)
{
    uint32_t flags;
    EXPECT("irq_status_query pirq 5", status_query(5, &flags), 0);
    EXPECT("irq_status_query pirq 5: needs EOI", flags, LAM_XENIRQSTAT_needs_eoi);
    if (privileged)
        EXPECT("irq_status_query last pirq", status_query(NR_PIRQS - 1, &flags), 0);
    EXPECT("irq_status_query pirq past the limit", status_query(100000, &flags), -LAM_EINVAL);
    EXPECT("irq_status_query pirq ~0", status_query(0xffffffffu, &flags), -LAM_EINVAL);
    if (privileged)
        EXPECT("irq_status_query pirq 208", status_query(NR_PIRQS, &flags), -LAM_EINVAL);
}

static void apic_reads(void)
{
    struct lam_physdev_apic a = {.apic_physbase = IOAPIC_BASE, .reg = 1};
    EXPECT_PRIV("apic_read I/O APIC version", physdev(LAM_PHYSDEVOP_apic_read, &a), 0);
    if (privileged)
        EXPECT("apic_read version value", a.value, 0x00170020);
    a = (struct lam_physdev_apic){.apic_physbase = IOAPIC_BASE + 0x1000, .reg = 1};
    EXPECT_PRIV("apic_read no I/O APIC there", physdev(LAM_PHYSDEVOP_apic_read, &a), -LAM_EINVAL);
    struct lam_physdev_irq v = {.irq = 9, .vector = 0};
    EXPECT_PRIV("alloc_irq_vector 9", physdev(LAM_PHYSDEVOP_alloc_irq_vector, &v), 0);
    if (privileged)
        EXPECT("alloc_irq_vector gives vector = irq", v.vector, 9);
}

static void gsi_setup(void)
{
    EXPECT("setup_gsi -1", setup_gsi(-1, 1, 1), -LAM_EINVAL);
    EXPECT("setup_gsi 24", setup_gsi(NR_GSIS, 1, 1), -LAM_EINVAL);
    EXPECT("setup_gsi 100000", setup_gsi(100000, 1, 1), -LAM_EINVAL);
    EXPECT_PRIV("setup_gsi 10 level high", setup_gsi(GSI_TEST, 1, 0), 0);
    EXPECT_PRIV("setup_gsi 10 again", setup_gsi(GSI_TEST, 1, 0), -LAM_EEXIST);
}

static void mappings(void)
{
    int pirq = -1;
    EXPECT("map_pirq missing domain", map_gsi(NO_DOMAIN, LAM_MAP_PIRQ_TYPE_GSI, 5, &pirq),
           -LAM_ESRCH);
    pirq = -1;
    EXPECT_PRIV("map_pirq bad type", map_gsi(LAM_DOMID_SELF, 99, 5, &pirq), -LAM_EINVAL);
    pirq = -1;
    EXPECT_PRIV("map_pirq GSI -1", map_gsi(LAM_DOMID_SELF, LAM_MAP_PIRQ_TYPE_GSI, -1, &pirq),
                -LAM_EINVAL);
    pirq = -1;
    EXPECT_PRIV("map_pirq GSI 24", map_gsi(LAM_DOMID_SELF, LAM_MAP_PIRQ_TYPE_GSI, NR_GSIS, &pirq),
                -LAM_EINVAL);
    pirq = 0;
    EXPECT_PRIV("map_pirq GSI 0 (the timer)",
                map_gsi(LAM_DOMID_SELF, LAM_MAP_PIRQ_TYPE_GSI, 0, &pirq), -LAM_EPERM);
    pirq = -1;
    EXPECT_PRIV("map_pirq GSI 10, any pirq",
                map_gsi(LAM_DOMID_SELF, LAM_MAP_PIRQ_TYPE_GSI, GSI_TEST, &pirq), 0);
    if (!privileged)
        return;
    EXPECT("map_pirq GSI 10 got the first free from 16", pirq, FIRST_DYNAMIC);
    pirq = -1;
    EXPECT("map_pirq GSI 10 again", map_gsi(LAM_DOMID_SELF, LAM_MAP_PIRQ_TYPE_GSI, GSI_TEST, &pirq),
           0);
    EXPECT("map_pirq GSI 10 again keeps its pirq", pirq, FIRST_DYNAMIC);
    pirq = GSI_TEST;
    EXPECT("map_pirq GSI 10 to another pirq",
           map_gsi(LAM_DOMID_SELF, LAM_MAP_PIRQ_TYPE_GSI, GSI_TEST, &pirq), -LAM_EEXIST);
    pirq = NR_PIRQS;
    EXPECT("map_pirq pirq 208", map_gsi(LAM_DOMID_SELF, LAM_MAP_PIRQ_TYPE_GSI, GSI_BIND, &pirq),
           -LAM_EINVAL);
    pirq = GSI_BIND;
    EXPECT("map_pirq GSI 12 to pirq 12",
           map_gsi(LAM_DOMID_SELF, LAM_MAP_PIRQ_TYPE_GSI, GSI_BIND, &pirq), 0);
    EXPECT("map_pirq GSI 12 pirq", pirq, GSI_BIND);
}

static void bindings(void)
{
    uint32_t port, port2;
    EXPECT("bind_pirq past the limit", bind_pirq(100000, &port), -LAM_EINVAL);
    EXPECT("bind_pirq unmapped", bind_pirq(13, &port), -LAM_EPERM);
    EXPECT("bind_pirq 12", bind_pirq(GSI_BIND, &port), privileged ? 0 : -LAM_EPERM);
    if (!privileged)
        return;
    EXPECT("bind_pirq 12 twice", bind_pirq(GSI_BIND, &port2), -LAM_EEXIST);
    struct lam_evtchn_status st = {.dom = LAM_DOMID_SELF, .port = port};
    EXPECT("status of the pirq port", hypercall_event_channel_op(LAM_EVTCHNOP_status, &st), 0);
    EXPECT("status: pirq", st.status, LAM_EVTCHNSTAT_pirq);
    EXPECT("status: its pirq", st.u.pirq, GSI_BIND);
    EXPECT("eoi pirq 12", eoi(GSI_BIND), 0);
    struct lam_evtchn_port_arg c = {.port = port};
    EXPECT("close the pirq port", hypercall_event_channel_op(LAM_EVTCHNOP_close, &c), 0);
    EXPECT("bind_pirq 12 after close", bind_pirq(GSI_BIND, &port), 0);
    c.port = port;
    EXPECT("close it again", hypercall_event_channel_op(LAM_EVTCHNOP_close, &c), 0);
}

static void eois_and_unmaps(void)
{
    EXPECT("eoi past the limit", eoi(100000), -LAM_EINVAL);
    EXPECT("eoi never mapped", eoi(20), -LAM_EINVAL);
    EXPECT("unmap_pirq missing domain", unmap(NO_DOMAIN, GSI_BIND), -LAM_ESRCH);
    EXPECT_PRIV("unmap_pirq past the limit", unmap(LAM_DOMID_SELF, 100000), -LAM_EINVAL);
    EXPECT_PRIV("unmap_pirq never mapped", unmap(LAM_DOMID_SELF, 20), -LAM_EINVAL);
    if (!privileged)
        return;
    EXPECT("unmap_pirq 12", unmap(LAM_DOMID_SELF, GSI_BIND), 0);
    EXPECT("unmap_pirq 12 again", unmap(LAM_DOMID_SELF, GSI_BIND), -LAM_EINVAL);
    EXPECT("unmap_pirq 16", unmap(LAM_DOMID_SELF, FIRST_DYNAMIC), 0);
}

static void pci_devices(void)
{
    EXPECT_PRIV("pci_device_add 00:01.0", pci_dev(LAM_PHYSDEVOP_pci_device_add, 0, 8), 0);
    EXPECT_PRIV("pci_device_remove 00:01.0", pci_dev(LAM_PHYSDEVOP_pci_device_remove, 0, 8), 0);
    EXPECT_PRIV("pci_device_remove 00:01.0 again", pci_dev(LAM_PHYSDEVOP_pci_device_remove, 0, 8),
                -LAM_ENODEV);
    EXPECT_PRIV("pci_device_add 00:01.0 back", pci_dev(LAM_PHYSDEVOP_pci_device_add, 0, 8), 0);
    EXPECT("physdev_op 99", physdev(99, NULL), -LAM_ENOSYS);
}

static uint32_t inl_(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static uint8_t inb_(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static void outl_(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static void ports(void)
{
    struct lam_physdev_set_iopl iopl = {.iopl = 1};
    EXPECT("set_iopl 1", physdev(LAM_PHYSDEVOP_set_iopl, &iopl), 0);
    outl_(0xcf8, CF8_ENABLE);
    EXPECT("0xcf8 latch reads back", inl_(0xcf8), privileged ? CF8_ENABLE : 0xffffffffu);
    EXPECT("host bridge ids through 0xcfc", inl_(0xcfc), privileged ? HOST_BRIDGE : 0xffffffffu);
    EXPECT("PIC mask port", inb_(0x21), 0xff);
    EXPECT("PIT channel 0", inb_(0x40), 0xff);
}

void test_main(void)
{
    privileged = lam_start_info->flags & LAM_SIF_PRIVILEGED;
    lam_printf("running as %s\n", privileged ? "dom0" : "a domU");
    status_queries();
    apic_reads();
    gsi_setup();
    mappings();
    bindings();
    eois_and_unmaps();
    pci_devices();
    ports();
}
