/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Physical interrupts as dom0's pirqs, with Xen 4.17's numbers and answers.
 *
 * A GSI is an I/O APIC input. dom0 maps it to a pirq (PHYSDEVOP_map_pirq; Linux asks
 * for pirq == GSI), tells its trigger and polarity (PHYSDEVOP_setup_gsi, from the
 * ACPI _PRT; the ISA lines keep the MADT's defaults), binds the pirq to an event
 * channel (EVTCHNOP_bind_pirq), which programs and unmasks the pin, and EOIs it
 * after each event (PHYSDEVOP_eoi; irq_status_query always says "needs EOI", as
 * Xen). GSI n arrives on vector IRQ_VECTOR_BASE + n at the boot CPU. An
 * edge-triggered one is acknowledged at once; a level-triggered one is masked at
 * the I/O APIC and acknowledged, and unmasked when dom0 EOIs it, so a line that
 * stays asserted fires again only once dom0 has served it.
 *
 * Only the hardware domain (dom0) has a pirq table; other domains only get the
 * range checks (their nr_pirqs is Xen's nr_irqs_gsi + 32), so their answers match
 * Xen's for every pirq number. GSI 0 (the timer) is never dom0's: Xen 4.17 grants
 * the hardware domain IRQs 1 .. nr_irqs_gsi - 1 only (-EPERM).
 *
 * irq_lock covers the two tables; it is taken inside d->evtchn_lock (bind, close)
 * and released before an event is raised from the interrupt handler.
 */
#include <asm/cpu.h>
#include <asm/io_apic.h>
#include <asm/irq.h>
#include <asm/smp.h>
#include <asm/time.h>
#include <hv/domain.h>
#include <hv/errcodes.h>
#include <hv/event.h>
#include <hv/irqlock.h>
#include <hv/lib.h>
#include <hv/spinlock.h>
#include <hv/xmalloc.h>

#define MAX_GSIS (IRQ_VECTOR_LAST - IRQ_VECTOR_BASE + 1)
_Static_assert(IRQ_VECTOR_LAST < VECTOR_INT80, "device vectors must stay below int $0x80");
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
    int gsi;        /* NO_GSI when not mapped */
    uint32_t port;  /* bound event channel, 0 none */
    bool info;      /* Xen's pirq_info exists: mapped or bound since */
    bool in_flight; /* level-triggered, masked until dom0's EOI */
} * hw_pirqs;
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
    return hw_pirqs[p].gsi == NO_GSI && !hw_pirqs[p].port && !hw_pirqs[p].info;
}

/* Xen's get_free_pirq for a GSI: the lowest free in [16, nr_gsis), else the highest. */
static int free_pirq(void)
{
    for (unsigned int p = ISA_IRQS; p < nr_gsis && p < hw_nr_pirqs; p++)
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
        pirq = cur ? cur : free_pirq();
    else if (cur && pirq != cur)
        pirq = -EEXIST; /* allocate_pirq: the GSI has another pirq */
    if (pirq < 0) {
        rc = pirq;
    } else if (gsi == 0) {
        rc = -EPERM; /* map_domain_pirq: IRQ 0 is not the hardware domain's */
    } else if ((unsigned int)pirq >= hw_nr_pirqs) {
        rc = -EINVAL;
    } else if (hw_pirqs[pirq].gsi != NO_GSI && hw_pirqs[pirq].gsi != gsi) {
        /* The pirq carries another GSI: Xen's map_domain_pirq logs it and returns 0
         * without mapping anything, and the pirq goes back to the caller. */
        *pirq_p = pirq;
    } else {
        hw_pirqs[pirq].gsi = gsi;
        hw_pirqs[pirq].info = true;
        gsis[gsi].pirq = pirq;
        *pirq_p = pirq;
    }
    spin_unlock_irqrestore(&irq_lock, flags);
    return rc;
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
    if (p->gsi != NO_GSI) {
        if (p->port)
            ioapic_mask((unsigned int)p->gsi, true); /* forced unbind: the port stays */
        gsis[p->gsi].pirq = 0;
        p->gsi = NO_GSI;
        p->in_flight = false;
        p->info = p->port != 0;
        rc = 0;
    }
    spin_unlock_irqrestore(&irq_lock, flags);
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
    if (!hw_pirqs || hw_domain != d || hw_pirqs[pirq].gsi == NO_GSI)
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
    const struct gsi_state *g = &gsis[p->gsi];
    ioapic_route((unsigned int)p->gsi, (uint8_t)(IRQ_VECTOR_BASE + p->gsi), boot_apic_id, g->level,
                 g->active_low, false);
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
    p->port = 0;
    p->in_flight = false;
    p->info = p->gsi != NO_GSI;
    spin_unlock_irqrestore(&irq_lock, flags);
}

void do_device_irq(unsigned int vector)
{
    unsigned int gsi = vector - IRQ_VECTOR_BASE;
    uint32_t port = 0, pirq = 0;
    unsigned long flags = spin_lock_irqsave(&irq_lock);
    if (gsi < nr_gsis && gsis[gsi].pirq && hw_pirqs)
        pirq = (uint32_t)gsis[gsi].pirq;
    struct pirq_state *p = pirq ? &hw_pirqs[pirq] : NULL;
    if (p && p->port) {
        port = p->port;
        if (gsis[gsi].level) {
            ioapic_mask(gsi, true);
            p->in_flight = true;
        }
    } else if (gsi < nr_gsis) {
        ioapic_mask(gsi, true); /* nobody listens: keep it quiet */
    }
    spin_unlock_irqrestore(&irq_lock, flags);
    apic_eoi();
    if (port)
        evtchn_send_pirq(hw_domain, port, pirq);
}
