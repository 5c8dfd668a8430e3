/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * physdev_op's hardware commands, for dom0's device drivers (the virtual IOPL
 * commands are in misc.c). The checks and their order are Xen 4.17's
 * (xen/arch/x86/physdev.c, irq.c), so a caller sees the same error codes:
 *
 *   irq_status_query, eoi     any domain; -EINVAL for a pirq out of its range,
 *                             eoi also for one never mapped or bound;
 *   apic_read                 privileged (-EPERM) after the copy; -EINVAL for an
 *                             address that is no I/O APIC;
 *   alloc_irq_vector          privileged; answers vector = irq and allocates nothing;
 *   map_pirq, unmap_pirq      the domain by id (-ESRCH), then privileged (-EPERM);
 *                             GSIs, MSI and MSI-X (arch/x86/irq.c, msi.c), under
 *                             msi_lock (Xen's pcidevs_lock); MULTI_MSI with more
 *                             than one vector is -EOPNOTSUPP, as on a Xen without
 *                             interrupt remapping;
 *   setup_gsi                 -EINVAL for a GSI out of range, then privileged;
 *   pci_device_add/remove, manage_pci_add/_ext/remove
 *                             privileged; remove of a device never added -ENODEV.
 *
 * The devices dom0 reports are recorded: as on a Xen without an IOMMU (which scans
 * no bus itself), only a device dom0 added may get MSI or MSI-X pirqs (msi.c); with
 * no passthrough there is nothing else to set up for them.
 */
#include <asm/guest_access.h>
#include <asm/io_apic.h>
#include <asm/irq.h>
#include <asm/msi.h>
#include <asm/pci.h>
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errcodes.h>
#include <hv/irqlock.h>
#include <hv/lib.h>
#include <hv/spinlock.h>
#include <lamina/physdev.h>
#include <asm/pv/physdev.h>

#define MAX_PCI_DEVICES 256

static struct pci_record {
    uint16_t seg;
    uint8_t bus, devfn;
    bool used;
} pci_devices[MAX_PCI_DEVICES];
static spinlock_t pci_lock = SPIN_LOCK_UNLOCKED(LOCK_CLASS_PORTS);

static int pci_add(uint16_t seg, uint8_t bus, uint8_t devfn)
{
    int rc = -ENOMEM, free = -1;
    unsigned long flags = spin_lock_irqsave(&pci_lock);
    for (int i = 0; i < MAX_PCI_DEVICES; i++) {
        struct pci_record *r = &pci_devices[i];
        if (r->used && r->seg == seg && r->bus == bus && r->devfn == devfn) {
            free = -1;
            rc = 0; /* already known: Xen answers 0 again */
            break;
        }
        if (!r->used && free < 0)
            free = i;
    }
    if (free >= 0) {
        pci_devices[free] =
            (struct pci_record){.seg = seg, .bus = bus, .devfn = devfn, .used = true};
        rc = 0;
    }
    spin_unlock_irqrestore(&pci_lock, flags);
    return rc;
}

bool pci_device_known(uint16_t seg, uint8_t bus, uint8_t devfn)
{
    bool known = false;
    unsigned long flags = spin_lock_irqsave(&pci_lock);
    for (int i = 0; i < MAX_PCI_DEVICES && !known; i++) {
        const struct pci_record *r = &pci_devices[i];
        known = r->used && r->seg == seg && r->bus == bus && r->devfn == devfn;
    }
    spin_unlock_irqrestore(&pci_lock, flags);
    return known;
}

static int pci_remove(uint16_t seg, uint8_t bus, uint8_t devfn)
{
    int rc = -ENODEV;
    unsigned long flags = spin_lock_irqsave(&pci_lock);
    for (int i = 0; i < MAX_PCI_DEVICES; i++) {
        struct pci_record *r = &pci_devices[i];
        if (r->used && r->seg == seg && r->bus == bus && r->devfn == devfn) {
            r->used = false;
            rc = 0;
            break;
        }
    }
    spin_unlock_irqrestore(&pci_lock, flags);
    return rc;
}

/* DOMID_SELF or an id: a reference the caller drops with domain_put. */
static struct domain *domain_by_any_id(uint16_t id)
{
    return domain_get(id == LAM_DOMID_SELF ? current_domain()->domain_id : id);
}

#define MULTI_MSI_MAX 32 /* vectors a PCI MSI capability can have */

/* map_pirq of an MSI (table_base 0) or an MSI-X entry, after Xen's
 * allocate_and_map_msi_pirq: index is an IRQ number Xen made before, which Lamina
 * has none of (-1 asks for a new one). */
static long map_msi(struct domain *d, struct lam_physdev_map_pirq *m, uint16_t seg)
{
    bool multi = m->type == LAM_MAP_PIRQ_TYPE_MULTI_MSI;
    if (!multi && !m->table_base)
        m->entry_nr = 1;
    if (!multi && m->index != -1)
        return -EINVAL; /* "can't create irq for msi": no such IRQ of Lamina's */
    if (multi && (m->entry_nr <= 0 || m->entry_nr > MULTI_MSI_MAX))
        return -EDOM;
    if (multi && m->entry_nr != 1)
        return -EOPNOTSUPP; /* several vectors need interrupt remapping */
    /* An entry no table has (MSI-X tables have at most 2048) is refused by msi_claim. */
    bool entry_ok = m->entry_nr >= 0 && m->entry_nr < UINT16_MAX;
    struct msi_source src = {.seg = seg,
                             .bus = (uint8_t)m->bus,
                             .devfn = (uint8_t)m->devfn,
                             .msix = m->table_base != 0,
                             .entry = !m->table_base ? 0
                                      : entry_ok     ? (uint16_t)m->entry_nr
                                                     : UINT16_MAX};
    msi_lock();
    long rc = irq_map_msi(d, &src, &m->pirq);
    msi_unlock();
    return rc;
}

static long map_pirq(guest_ptr_t arg)
{
    struct lam_physdev_map_pirq m;
    if (copy_from_guest(&m, arg, sizeof(m)))
        return -EFAULT;
    /* Xen sorts the types first: MSI_SEG is MSI with a segment, MULTI_MSI has none
     * of MSI-X's table (-EINVAL before anything else). */
    uint16_t seg = 0;
    if (m.type == LAM_MAP_PIRQ_TYPE_MSI_SEG) {
        m.type = LAM_MAP_PIRQ_TYPE_MSI;
        seg = (uint16_t)((uint32_t)m.bus >> 16);
    } else if (m.type == LAM_MAP_PIRQ_TYPE_MULTI_MSI) {
        if (m.table_base)
            return -EINVAL;
        seg = (uint16_t)((uint32_t)m.bus >> 16);
    }
    struct domain *d = domain_by_any_id(m.domid);
    if (!d)
        return -ESRCH;
    long rc;
    if (!current_domain()->is_privileged) {
        rc = -EPERM;
    } else if (d != current_domain()) {
        rc = -EPERM; /* mapping for another domain comes with passthrough */
    } else if (m.type == LAM_MAP_PIRQ_TYPE_GSI) {
        msi_lock();
        rc = irq_map_gsi(d, m.index, &m.pirq);
        msi_unlock();
    } else if (m.type == LAM_MAP_PIRQ_TYPE_MSI || m.type == LAM_MAP_PIRQ_TYPE_MULTI_MSI) {
        rc = map_msi(d, &m, seg);
    } else {
        rc = -EINVAL;
    }
    domain_put(d);
    /* Xen copies the structure back whatever the outcome (the type as it sorted it). */
    if (copy_to_guest(arg, &m, sizeof(m)))
        rc = -EFAULT;
    return rc;
}

static long unmap_pirq(guest_ptr_t arg)
{
    struct lam_physdev_unmap_pirq u;
    if (copy_from_guest(&u, arg, sizeof(u)))
        return -EFAULT;
    struct domain *d = domain_by_any_id(u.domid);
    if (!d)
        return -ESRCH;
    long rc;
    if (!current_domain()->is_privileged || d != current_domain())
        rc = -EPERM;
    else {
        msi_lock();
        rc = irq_unmap_pirq(d, u.pirq);
        msi_unlock();
    }
    domain_put(d);
    return rc;
}

static long apic_read(guest_ptr_t arg)
{
    struct lam_physdev_apic a;
    if (copy_from_guest(&a, arg, sizeof(a)))
        return -EFAULT;
    if (!current_domain()->is_privileged)
        return -EPERM;
    long rc = ioapic_read_at(a.apic_physbase, a.reg, &a.value);
    if (copy_to_guest(arg, &a, sizeof(a)))
        rc = -EFAULT;
    return rc;
}

static long irq_status_query(guest_ptr_t arg)
{
    struct lam_physdev_irq_status_query q;
    if (copy_from_guest(&q, arg, sizeof(q)))
        return -EFAULT;
    if (q.irq >= irq_nr_pirqs(current_domain()))
        return -EINVAL;
    /* Xen 4.17 asks every PV guest to EOI every pirq (it may need masking at any time). */
    q.flags = LAM_XENIRQSTAT_needs_eoi;
    return copy_to_guest(arg, &q, sizeof(q)) ? -EFAULT : 0;
}

static long setup_gsi(guest_ptr_t arg)
{
    struct lam_physdev_setup_gsi g;
    if (copy_from_guest(&g, arg, sizeof(g)))
        return -EFAULT;
    if (g.gsi < 0 || (unsigned int)g.gsi >= irq_nr_gsis())
        return -EINVAL;
    if (!current_domain()->is_privileged)
        return -EPERM;
    return irq_setup_gsi(g.gsi, g.triggering != 0, g.polarity != 0);
}

static long pci_op(int cmd, guest_ptr_t arg)
{
    switch (cmd) {
    case LAM_PHYSDEVOP_pci_device_add: {
        struct lam_physdev_pci_device_add a;
        if (copy_from_guest(&a, arg, sizeof(a)))
            return -EFAULT;
        if (a.flags & LAM_PCI_DEV_PXM) { /* the proximity domain is read, as Xen reads it */
            uint32_t pxm;
            if (copy_from_guest(&pxm, arg + sizeof(a), sizeof(pxm)))
                return -EFAULT;
        }
        if (!current_domain()->is_privileged)
            return -EPERM;
        return pci_add(a.seg, a.bus, a.devfn);
    }
    case LAM_PHYSDEVOP_pci_device_remove: {
        struct lam_physdev_pci_device r;
        if (copy_from_guest(&r, arg, sizeof(r)))
            return -EFAULT;
        if (!current_domain()->is_privileged)
            return -EPERM;
        return pci_remove(r.seg, r.bus, r.devfn);
    }
    case LAM_PHYSDEVOP_manage_pci_add:
    case LAM_PHYSDEVOP_manage_pci_remove: {
        struct lam_physdev_manage_pci m;
        if (copy_from_guest(&m, arg, sizeof(m)))
            return -EFAULT;
        if (!current_domain()->is_privileged)
            return -EPERM;
        return cmd == LAM_PHYSDEVOP_manage_pci_add ? pci_add(0, m.bus, m.devfn)
                                                   : pci_remove(0, m.bus, m.devfn);
    }
    default: { /* manage_pci_add_ext */
        struct lam_physdev_manage_pci_ext m;
        if (copy_from_guest(&m, arg, sizeof(m)))
            return -EFAULT;
        if (!current_domain()->is_privileged)
            return -EPERM;
        return pci_add(0, m.bus, m.devfn);
    }
    }
}

static long hw_op(int cmd, guest_ptr_t arg)
{
    switch (cmd) {
    case LAM_PHYSDEVOP_irq_status_query:
        return irq_status_query(arg);
    case LAM_PHYSDEVOP_eoi: {
        struct lam_physdev_eoi e;
        if (copy_from_guest(&e, arg, sizeof(e)))
            return -EFAULT;
        return irq_pirq_eoi(current_domain(), e.irq);
    }
    case LAM_PHYSDEVOP_apic_read:
        return apic_read(arg);
    case LAM_PHYSDEVOP_alloc_irq_vector: {
        /* Linux's dom0 asks before it binds a GSI's pirq; Xen answers vector = irq. */
        struct lam_physdev_irq op;
        if (copy_from_guest(&op, arg, sizeof(op)))
            return -EFAULT;
        if (!current_domain()->is_privileged)
            return -EPERM;
        op.vector = op.irq;
        return copy_to_guest(arg, &op, sizeof(op)) ? -EFAULT : 0;
    }
    case LAM_PHYSDEVOP_map_pirq:
        return map_pirq(arg);
    case LAM_PHYSDEVOP_unmap_pirq:
        return unmap_pirq(arg);
    case LAM_PHYSDEVOP_setup_gsi:
        return setup_gsi(arg);
    case LAM_PHYSDEVOP_pci_device_add:
    case LAM_PHYSDEVOP_pci_device_remove:
    case LAM_PHYSDEVOP_manage_pci_add:
    case LAM_PHYSDEVOP_manage_pci_remove:
    case LAM_PHYSDEVOP_manage_pci_add_ext:
        return pci_op(cmd, arg);
    default:
        return -ENOSYS; /* MSI restore, apic_write, the pirq EOI page: not yet */
    }
}

long pv_physdev_hw_op(int cmd, guest_ptr_t arg)
{
    long rc = hw_op(cmd, arg);
    if (rc < 0) /* as Xen's dprintk: a driver's failed request is worth a line */
        log_printf(LOG_DEBUG, "d%u physdev_op %d: %ld", current_domain()->domain_id, cmd, rc);
    return rc;
}
