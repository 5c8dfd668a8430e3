/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor's lock classes. Every spinlock names its class when it is
 * initialised (SPIN_LOCK_UNLOCKED(cls), spin_lock_init(l, cls)); the
 * lock-debug image (make LOCK_DEBUG=1, common/lock_debug.c) gives each class
 * a level and panics when a CPU takes a lock at a level that the locks it
 * already holds do not allow. The levels, outermost first, and why they are
 * what they are, are in lock_debug.c's table and in docs/architecture.md
 * ("Locking and SMP"). The normal image records nothing but the class.
 */
#ifndef LAMINA_HV_LOCK_ORDER_H
#define LAMINA_HV_LOCK_ORDER_H

enum lock_class {
    LOCK_CLASS_NONE,          /* not placed in the order: host tests only; lock-debug refuses it */
    LOCK_CLASS_REAP,          /* reap_lock (common/domain_destroy.c) */
    LOCK_CLASS_DOMAIN_CREATE, /* create_lock (common/domctl_create.c) */
    LOCK_CLASS_MM,            /* mm_lock, the global memory lock (arch/x86/pv/mm_lock.c) */
    LOCK_CLASS_MM_DOMAIN,     /* d->mm_local_lock, a domain's memory lock (same file) */
    LOCK_CLASS_DOMAIN,        /* d->lock */
    LOCK_CLASS_PCIDEVS,       /* pcidevs_lock: devices' MSI state, pirq mapping (arch/x86/msi.c) */
    LOCK_CLASS_XMALLOC,       /* the xmalloc pool's lock */
    LOCK_CLASS_BUDDY,         /* the buddy allocator's lock */
    LOCK_CLASS_VMAP,          /* vmap_lock */
    LOCK_CLASS_XZ,            /* the xz decoder's shared workspace */
    LOCK_CLASS_GUEST_LINE,    /* the guests' console line buffers */
    LOCK_CLASS_PERIODIC,      /* v->periodic_lock (common/vcpu_op.c) */
    LOCK_CLASS_EVTCHN,        /* d->evtchn_lock */
    LOCK_CLASS_CREDIT,        /* credit_lock (common/sched/sched_credit.c) */
    LOCK_CLASS_RUNQ,          /* a CPU's run-queue lock (common/sched/schedule.c) */
    LOCK_CLASS_TIMER,         /* a CPU's timer-heap lock (common/timer.c) */
    LOCK_CLASS_DOMAIN_LIST,   /* domain_list_lock (common/domain_ref.c) */
    LOCK_CLASS_CONSOLE,       /* console_lock (common/console.c) */
    LOCK_CLASS_IRQ,           /* irq_lock: GSIs and pirqs (arch/x86/irq.c) */
    LOCK_CLASS_IOAPIC,        /* ioapic_lock (arch/x86/io_apic.c) */
    LOCK_CLASS_PORTS,         /* the PCI configuration and CMOS index ports (pv/ioport.c) */
    LOCK_CLASS_TEST,          /* host tests of the checker itself */
    NR_LOCK_CLASSES
};

#endif
