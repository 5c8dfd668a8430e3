/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Physical interrupts as dom0's pirqs, with Xen 4.17's numbers and answers.
 *
 * A GSI is an I/O APIC input. dom0 maps it to a pirq (PHYSDEVOP_map_pirq; Linux asks
 * for pirq == GSI), tells its trigger and polarity (PHYSDEVOP_setup_gsi, from the
 * ACPI _PRT; the ISA lines keep the MADT's defaults), binds the pirq to an event
 * channel (EVTCHNOP_bind_pirq), which programs and unmasks the pin, and EOIs it
 * after each event (PHYSDEVOP_eoi; irq_status_query always says "needs EOI", as
 * Xen). An edge-triggered one is acknowledged at once; a level-triggered one is
 * masked at the I/O APIC and acknowledged, and unmasked when dom0 EOIs it, so a
 * line that stays asserted fires again only once dom0 has served it.
 *
 * An MSI or an MSI-X table entry becomes a pirq too (irq_map_msi: dom0 asks with
 * pirq -1 and gets the highest free one, as Xen); arch/x86/msi.c writes its
 * message, masked, and bind unmasks it, close masks it again.
 *
 * Every mapped pirq has a vector of its own from the device range (0x30-0xdf but
 * int $0x80's gate), taken when it is mapped and given back when it is unmapped;
 * every device interrupt arrives at the boot CPU.
 *
 * Only the hardware domain (dom0) has a pirq table; other domains only get the
 * range checks (their nr_pirqs is Xen's nr_irqs_gsi + 32), so their answers match
 * Xen's for every pirq number. GSI 0 (the timer) is never dom0's: Xen 4.17 grants
 * the hardware domain IRQs 1 .. nr_irqs_gsi - 1 only (-EPERM).
 *
 * irq_lock covers the tables; it is taken inside d->evtchn_lock (bind, close)
 * and released before an event is raised from the interrupt handler. Mapping and
 * unmapping run under msi_lock (physdev.c), so a pirq chosen in one irq_lock
 * section is still free in the next.
 */
#include <asm/cpu.h>
#include <asm/io_apic.h>
#include <asm/irq.h>
#include <asm/msi.h>
#include <asm/smp.h>
#include <asm/time.h>
#include <hv/domain.h>
#include <hv/errcodes.h>
#include <hv/event.h>
#include <hv/irqlock.h>
#include <hv/lib.h>
#include <hv/spinlock.h>
#include <hv/xmalloc.h>

#define MAX_GSIS 256
_Static_assert(IRQ_VECTOR_LAST < IPI_VECTOR_KICK, "device vectors must stay below the IPIs");
#define ISA_IRQS            16
#define XEN_DYNAMIC_VECTORS 208   /* Xen 4.17's vectors per CPU for MSIs and GSIs */
#define XEN_EXTRA_DOMU_IRQS 32    /* extra_domU_irqs' default */
#define PIRQ_EOI_MAP_BITS   32768 /* Xen bounds nr_pirqs by the EOI bitmap page */
#define NO_GSI              (-1)

static struct gsi_state {
    bool level, active_low;
    bool programmed; /* setup_gsi has set it (Xen's pin_programmed) */
    int pirq;        /* the hardware domain's pirq for it, 0 none */
} gsis[MAX_GSIS];

static struct pirq_state {
    int gsi;               /* NO_GSI when no GSI is mapped */
    bool msi;              /* an MSI or MSI-X source is mapped */
    struct msi_source src; /* ... this one */
    uint8_t vector;        /* while mapped */
    uint32_t port;         /* bound event channel, 0 none */
    bool info;             /* Xen's pirq_info exists: mapped or bound since */
    bool in_flight;        /* level-triggered, masked until dom0's EOI */
} * hw_pirqs;
/* The pirq each device vector carries, plus one (0: none). */
static uint32_t vector_pirq[IRQ_VECTOR_LAST + 1];
static unsigned int hw_nr_pirqs, nr_gsis = ISA_IRQS;
static struct domain *hw_domain;
static uint32_t boot_apic_id;
static spinlock_t irq_lock = SPIN_LOCK_UNLOCKED(LOCK_CLASS_IRQ);

/* MPS INTI flags: polarity bits 1-0, trigger bits 3-2 (1 high/edge, 3 low/level). */
#define INTI_POLARITY_LOW  3
#define INTI_TRIGGER_LEVEL (3 << 2)
#define INTI_POLARITY_MASK 3
#define INTI_TRIGGER_MASK  (3 << 2)

void irq_init(const struct acpi_devices *dev)
{
    ioapic_init(dev);
    nr_gsis = ioapic_nr_gsis();
    if (nr_gsis > MAX_GSIS)
        nr_gsis = MAX_GSIS;
    boot_apic_id = get_cpu_info()->apic_id;
    for (unsigned int g = 0; g < MAX_GSIS; g++)
        gsis[g] = (struct gsi_state){.level = g >= ISA_IRQS, .active_low = g >= ISA_IRQS};
    for (unsigned int i = 0; i < dev->nr_overrides; i++) {
        uint32_t g = dev->override[i].gsi;
        uint16_t f = dev->override[i].flags;
        if (g >= MAX_GSIS)
            continue;
        if (f & INTI_TRIGGER_MASK)
            gsis[g].level = (f & INTI_TRIGGER_MASK) == INTI_TRIGGER_LEVEL;
        if (f & INTI_POLARITY_MASK)
            gsis[g].active_low = (f & INTI_POLARITY_MASK) == INTI_POLARITY_LOW;
    }
}

unsigned int irq_nr_gsis(void)
{
    return nr_gsis;
}

static bool is_hardware_domain(const struct domain *d)
{
    return d->domain_id == 0 && d->is_privileged;
}

unsigned int irq_nr_pirqs(const struct domain *d)
{
    unsigned int cpus = nr_cpus_online ? nr_cpus_online : 1;
    unsigned int nr_irqs = MAX(cpus * XEN_DYNAMIC_VECTORS, 8 * nr_gsis);
    if (!is_hardware_domain(d))
        return MIN(nr_gsis + XEN_EXTRA_DOMU_IRQS, nr_irqs);
    unsigned int n = 0;
    while ((1u << n) <= cpus) /* fls(cpus) */
        n++;
    n = MIN(n, d->max_vcpus);
    return MIN(MIN(nr_gsis + n * XEN_DYNAMIC_VECTORS, nr_irqs), (unsigned int)PIRQ_EOI_MAP_BITS);
}

/* The hardware domain's table, made on its first mapping. */
static int hw_table(struct domain *d)
{
    if (hw_pirqs)
        return hw_domain == d ? 0 : -EPERM;
    unsigned int n = irq_nr_pirqs(d);
    struct pirq_state *t = xzalloc_array(struct pirq_state, n);
    if (!t)
        return -ENOMEM;
    for (unsigned int i = 0; i < n; i++)
        t[i].gsi = NO_GSI;
    unsigned long flags = spin_lock_irqsave(&irq_lock);
    if (!hw_pirqs) {
        hw_pirqs = t;
        hw_nr_pirqs = n;
        hw_domain = d;
        t = NULL;
    }
    spin_unlock_irqrestore(&irq_lock, flags);
    xfree(t);
    return hw_domain == d ? 0 : -EPERM;
}

static bool pirq_free(unsigned int p)
{
    return hw_pirqs[p].gsi == NO_GSI && !hw_pirqs[p].msi && !hw_pirqs[p].port && !hw_pirqs[p].info;
}

static bool pirq_mapped(const struct pirq_state *p)
{
    return p->gsi != NO_GSI || p->msi;
}

/* A free device vector for pirq, 0 if none is left. */
static uint8_t vector_alloc(unsigned int pirq)
{
    for (unsigned int v = IRQ_VECTOR_BASE; v <= IRQ_VECTOR_LAST; v++)
        if (v != VECTOR_INT80 && !vector_pirq[v]) {
            vector_pirq[v] = pirq + 1;
            return (uint8_t)v;
        }
    return 0;
}

static void vector_free(struct pirq_state *p)
{
    if (p->vector)
        vector_pirq[p->vector] = 0;
    p->vector = 0;
}

/* Xen's get_free_pirq: for a GSI the lowest free in [16, nr_gsis), else (and for an
 * MSI) the highest free at or above nr_gsis. */
static int free_pirq(bool gsi)
{
    for (unsigned int p = ISA_IRQS; gsi && p < nr_gsis && p < hw_nr_pirqs; p++)
        if (pirq_free(p))
            return (int)p;
    for (unsigned int p = hw_nr_pirqs - 1; p >= nr_gsis; p--)
        if (pirq_free(p))
            return (int)p;
    return -ENOSPC;
}

int irq_map_gsi(struct domain *d, int gsi, int *pirq_p)
{
    if (gsi < 0 || (unsigned int)gsi >= nr_gsis)
        return -EINVAL;
    int rc = hw_table(d);
    if (rc)
        return rc;
    unsigned long flags = spin_lock_irqsave(&irq_lock);
    int cur = gsis[gsi].pirq, pirq = *pirq_p;
    if (pirq < 0)
        pirq = cur ? cur : free_pirq(true);
    else if (cur && pirq != cur)
        pirq = -EEXIST; /* allocate_pirq: the GSI has another pirq */
    if (pirq < 0) {
        rc = pirq;
    } else if (gsi == 0) {
        rc = -EPERM; /* map_domain_pirq: IRQ 0 is not the hardware domain's */
    } else if ((unsigned int)pirq >= hw_nr_pirqs) {
        rc = -EINVAL;
    } else if ((hw_pirqs[pirq].gsi != NO_GSI && hw_pirqs[pirq].gsi != gsi) || hw_pirqs[pirq].msi) {
        /* The pirq carries something else: Xen's map_domain_pirq logs it and returns 0
         * without mapping anything, and the pirq goes back to the caller. */
        *pirq_p = pirq;
    } else if (hw_pirqs[pirq].gsi == NO_GSI && !(hw_pirqs[pirq].vector = vector_alloc(pirq))) {
        rc = -ENOSPC; /* Xen: no vector for the IRQ */
    } else {
        hw_pirqs[pirq].gsi = gsi;
        hw_pirqs[pirq].info = true;
        gsis[gsi].pirq = pirq;
        *pirq_p = pirq;
    }
    spin_unlock_irqrestore(&irq_lock, flags);
    return rc;
}

int irq_map_msi(struct domain *d, const struct msi_source *src, int *pirq_p)
{
    int rc = hw_table(d);
    if (rc)
        return rc;
    /* Xen's order: the pirq (allocate_pirq, map_domain_pirq's range and "already
     * mapped" answers), then the device (pci_enable_msi). */
    unsigned long flags = spin_lock_irqsave(&irq_lock);
    int pirq = *pirq_p < 0 ? free_pirq(false) : *pirq_p;
    if (pirq >= 0 && (unsigned int)pirq >= hw_nr_pirqs)
        rc = -EINVAL;
    else if (pirq >= 0 && pirq_mapped(&hw_pirqs[pirq]))
        rc = 1; /* carries something else: 0, nothing mapped, the pirq goes back */
    else if (pirq < 0)
        rc = pirq;
    spin_unlock_irqrestore(&irq_lock, flags);
    if (rc) {
        if (rc == 1)
            *pirq_p = pirq;
        return rc == 1 ? 0 : rc;
    }
    rc = msi_claim(d, src);
    if (rc)
        return rc;
    flags = spin_lock_irqsave(&irq_lock);
    struct pirq_state *p = &hw_pirqs[pirq];
    uint8_t vector = vector_alloc((unsigned int)pirq);
    if (vector) {
        p->msi = true;
        p->src = *src;
        p->vector = vector;
        p->info = true;
        p->in_flight = false;
        msi_write_msg(src, vector, boot_apic_id);
        *pirq_p = pirq;
    }
    spin_unlock_irqrestore(&irq_lock, flags);
    if (!vector) {
        msi_unclaim(src);
        return -ENOSPC;
    }
    return 0;
}

int irq_unmap_pirq(struct domain *d, int pirq)
{
    if (pirq < 0 || (unsigned int)pirq >= irq_nr_pirqs(d))
        return -EINVAL;
    if (!hw_pirqs || hw_domain != d)
        return -EINVAL;
    unsigned long flags = spin_lock_irqsave(&irq_lock);
    struct pirq_state *p = &hw_pirqs[pirq];
    int rc = -EINVAL;
    bool msi = p->msi;
    struct msi_source src = p->src;
    if (p->gsi != NO_GSI) {
        ioapic_mask((unsigned int)p->gsi, true); /* forced unbind: the port stays */
        gsis[p->gsi].pirq = 0;
        p->gsi = NO_GSI;
        rc = 0;
    } else if (msi) {
        msi_mask(&src, true);
        p->msi = false;
        rc = 0;
    }
    if (!rc) {
        vector_free(p);
        p->in_flight = false;
        p->info = p->port != 0;
    }
    spin_unlock_irqrestore(&irq_lock, flags);
    if (msi)
        msi_unclaim(&src);
    return rc;
}

int irq_setup_gsi(int gsi, bool level, bool active_low)
{
    if (gsi < 0 || (unsigned int)gsi >= nr_gsis || !ioapic_has_gsi((unsigned int)gsi))
        return -EINVAL;
    unsigned long flags = spin_lock_irqsave(&irq_lock);
    struct gsi_state *g = &gsis[gsi];
    bool bound = g->pirq && hw_pirqs && hw_pirqs[g->pirq].port;
    int rc = 0;
    if (bound || g->programmed) {
        rc = -EEXIST;
    } else {
        g->level = level;
        g->active_low = active_low;
        g->programmed = true;
    }
    spin_unlock_irqrestore(&irq_lock, flags);
    return rc;
}

int irq_pirq_eoi(struct domain *d, uint32_t pirq)
{
    if (pirq >= irq_nr_pirqs(d) || !hw_pirqs || hw_domain != d)
        return -EINVAL;
    unsigned long flags = spin_lock_irqsave(&irq_lock);
    struct pirq_state *p = &hw_pirqs[pirq];
    int rc = p->info ? 0 : -EINVAL;
    if (p->in_flight) {
        p->in_flight = false;
        if (p->gsi != NO_GSI && p->port)
            ioapic_mask((unsigned int)p->gsi, false);
    }
    spin_unlock_irqrestore(&irq_lock, flags);
    return rc;
}

int irq_pirq_bind_check(struct domain *d, uint32_t pirq)
{
    if (pirq >= irq_nr_pirqs(d))
        return -EINVAL;
    if (!hw_pirqs || hw_domain != d || !pirq_mapped(&hw_pirqs[pirq]))
        return -EPERM; /* pirq_access_permitted: nothing mapped there */
    return hw_pirqs[pirq].port ? -EEXIST : 0;
}

void irq_pirq_bind(struct domain *d, uint32_t pirq, uint32_t port)
{
    (void)d;
    unsigned long flags = spin_lock_irqsave(&irq_lock);
    struct pirq_state *p = &hw_pirqs[pirq];
    p->port = port;
    p->info = true;
    p->in_flight = false;
    if (p->msi) {
        msi_mask(&p->src, false);
    } else {
        const struct gsi_state *g = &gsis[p->gsi];
        ioapic_route((unsigned int)p->gsi, p->vector, boot_apic_id, g->level, g->active_low, false);
    }
    spin_unlock_irqrestore(&irq_lock, flags);
}

void irq_pirq_unbind(struct domain *d, uint32_t pirq)
{
    if (!hw_pirqs || hw_domain != d || pirq >= hw_nr_pirqs)
        return;
    unsigned long flags = spin_lock_irqsave(&irq_lock);
    struct pirq_state *p = &hw_pirqs[pirq];
    if (p->gsi != NO_GSI)
        ioapic_mask((unsigned int)p->gsi, true);
    else if (p->msi)
        msi_mask(&p->src, true);
    p->port = 0;
    p->in_flight = false;
    p->info = pirq_mapped(p);
    spin_unlock_irqrestore(&irq_lock, flags);
}

void do_device_irq(unsigned int vector)
{
    uint32_t port = 0, pirq = 0;
    unsigned long flags = spin_lock_irqsave(&irq_lock);
    struct pirq_state *p = NULL;
    if (vector <= IRQ_VECTOR_LAST && vector_pirq[vector] && hw_pirqs) {
        pirq = vector_pirq[vector] - 1;
        p = &hw_pirqs[pirq];
    }
    if (p && p->port) {
        port = p->port;
        if (p->gsi != NO_GSI && gsis[p->gsi].level) {
            ioapic_mask((unsigned int)p->gsi, true);
            p->in_flight = true;
        }
    } else if (p && p->gsi != NO_GSI) {
        ioapic_mask((unsigned int)p->gsi, true); /* nobody listens: keep it quiet */
    } else if (p && p->msi) {
        msi_mask(&p->src, true);
    }
    spin_unlock_irqrestore(&irq_lock, flags);
    apic_eoi();
    if (port)
        evtchn_send_pirq(hw_domain, port, pirq);
}
