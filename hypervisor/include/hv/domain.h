/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Domains and vCPUs.
 *
 * A domain owns frames (its page_list), a shared_info page and up to
 * MAX_VCPUS vCPUs. A vCPU's guest register state lives in its struct vcpu
 * while it is not running; while it runs, the live copy is the guest_regs
 * block at the top of its physical CPU's stack (see cpu.h) and the vcpu's
 * copy is stale.
 */
#ifndef LAMINA_HV_DOMAIN_H
#define LAMINA_HV_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/frame.h>
#include <hv/list.h>
#include <hv/logdirty.h>
#include <hv/spinlock.h>
#include <hv/timer_heap.h>
#include <hv/hypercall-types.h>
#include <lamina/event_channel.h>
#include <lamina/shared_info.h>
#include <lamina/traps.h>
#include <lamina/types.h>

#define MAX_DOMAINS 64
#define MAX_VCPUS   32
/* Hypervisor timers in each vCPU (singleshot, periodic, poll): the timer heaps are sized
 * from this (common/timer.c). A new timer in struct vcpu must be counted here. */
#define VCPU_NR_TIMERS     3
#define SHUTDOWN_CODE_NONE (~0ull)
/* SCHEDOP_poll takes at most this many ports, as on Xen. */
#define SCHEDOP_POLL_MAX_PORTS 128

/* The data segment selectors a vCPU keeps while it is not running (vcpu.sel). */
enum data_sel { SEL_DS, SEL_ES, SEL_FS, SEL_GS, NR_DATA_SELS };

/* One guest trap-table entry (set_trap_table). */
struct guest_trap {
    uint64_t address; /* 0: no handler */
    uint16_t cs;
    uint8_t flags; /* DPL in bits 0-1, "mask events" in bit 2 */
};

/* An exception or event to deliver to the guest on the next exit. */
struct pending_bounce {
    bool pending;
    bool has_error;
    uint8_t vector;
    uint32_t error_code;
    uint64_t cr2;
};

/*
 * Who may change what in a vCPU:
 *  - its run-queue lock (the lock of pcpu[processor], schedule.c): online, blocked,
 *    runstate, runstate_entry, runstate_time, boosted, poll_nr when a wake-up clears
 *    it, the queue fields, is_running, affinity; processor only with both the old and
 *    the new CPU's lock;
 *  - mm_lock: guest_table*, old_guest_table, gdt_frames/gdt_ents, vcpu_info and
 *    vcpu_info_registered (each holds frame references);
 *  - its domain's evtchn_lock: virq_port[];
 *  - the vCPU itself (its own hypercalls, or its CPU while loaded): the register state,
 *    trap table, callbacks, segment bases, FPU and XSAVE state, poll_ports, yielded;
 *    VCPUOP_initialise writes them while the vCPU is down and claimed (initialising);
 *  - atomics: credit (sched_credit.c). Its timers have their CPU's timer lock.
 */
struct vcpu {
    unsigned int vcpu_id;
    struct domain *domain;
    struct cpu_regs regs; /* saved state while not running */
    bool kernel_mode;     /* guest kernel (true) or guest user (false) */
    bool online;
    bool blocked;

    uint64_t guest_table;      /* machine address of the kernel L4 */
    uint64_t guest_table_user; /* machine address of the user L4, 0 = none */
    /* A table whose teardown was preempted (pv/mm.c): finished on the next mmu hypercall.
     * Holds a general reference; the table itself is PGT_partial. */
    struct page_info *old_guest_table;

    mfn_t gdt_frames[LAM_FIRST_RESERVED_GDT_PAGE]; /* set_gdt: frames holding the guest's GDT */
    unsigned int gdt_ents;
    uint64_t ldt_base; /* MMUEXT_SET_LDT */
    unsigned int ldt_ents;

    struct guest_trap traps[X86_NR_VECTORS];
    uint64_t event_callback, failsafe_callback, syscall_callback;
    uint64_t syscall32_callback, sysenter_callback; /* SYSCALL/SYSENTER from 32-bit user code */
    /* Callback entry masks events (CALLBACKF_mask_events). The event callback always does;
     * a 32-bit SYSCALL follows syscall_masks, as on Xen (pv/callback.c). */
    bool failsafe_masks, syscall_masks, sysenter_masks;
    uint64_t kernel_ss, kernel_sp;
    uint64_t fs_base, gs_base_kernel, gs_base_user;
    bool guest_cr4_fsgsbase;    /* virtual CR4.FSGSBASE: the bases above may be stale while
                                   it runs (pv_sync_segment_bases) */
    uint32_t tsc_aux;           /* MSR_TSC_AUX (RDTSCP, RDPID) */
    uint16_t sel[NR_DATA_SELS]; /* DS, ES, FS, GS while not running */

    struct lam_vcpu_info *vcpu_info; /* in shared_info until re-registered */
    bool vcpu_info_registered;
    struct pending_bounce bounce;

    /* Events and time */
    uint32_t virq_port[LAM_NR_VIRQS]; /* per-vCPU VIRQ bindings (0 = none) */
    struct timer singleshot_timer;    /* VIRQ_TIMER one-shot */
    struct timer periodic_timer;      /* VIRQ_TIMER periodic */
    uint64_t periodic_period;         /* ns, 0 = stopped */
    /* The periodic timer as Xen runs it (common/vcpu_op.c): armed while the vCPU is
     * scheduled, or after a set while it is not, stopped when it is switched out. */
    spinlock_t periodic_lock;     /* the period, the two below, every set of periodic_timer */
    uint64_t periodic_last_event; /* system time of the last periodic VIRQ_TIMER */
    bool periodic_switched_out;   /* not running since its last switch-out: no re-arming */
    struct timer poll_timer;      /* SCHEDOP_poll timeout */
    uint32_t poll_ports[SCHEDOP_POLL_MAX_PORTS]; /* ports being polled (SCHEDOP_poll) */
    unsigned int poll_nr;
    bool fpu_ts;       /* virtual CR0.TS */
    unsigned int iopl; /* virtual IOPL (physdev set_iopl) */
    uint64_t iobmp;    /* guest VA of the I/O bitmap (set_iobitmap) */
    unsigned int iobmp_nr;
    uint64_t debugreg[8];

    /* Scheduling */
    int runstate;            /* LAM_RUNSTATE_* */
    uint64_t runstate_entry; /* when it entered that state (ns) */
    uint64_t runstate_time[4];
    uint64_t runstate_guest_va; /* registered runstate area, 0 = none */
    int64_t credit;             /* ns this vCPU may still run this period */
    bool boosted;               /* just woke up: runs ahead of others once */
    bool pause_flag;
    /* Run queue (schedule.c): queued on pcpu[processor] while runnable and not loaded. */
    struct list_head runq_elem;
    bool on_runq;
    bool sched_removed; /* being destroyed: never queued again */
    /* SMP (schedule.c): the CPU it last ran on, whether a CPU has its state loaded
     * (set when picked, cleared once its state is saved back), where it may run. */
    unsigned int processor;
    bool is_running;
    uint64_t affinity; /* cpumask of physical CPUs; all by default */
    uint8_t fpu_state[512] __attribute__((aligned(16)));
    bool fpu_initialised;

    /* XSAVE (context.c): once the CPU has XSAVE enabled every vCPU's FPU state lives in
     * xsave_area (x87, SSE and AVX: 832 bytes); fpu_state is then only the way in from a
     * VCPUOP_initialise context (xsave_valid false: convert on the next restore). */
    uint64_t xcr0;          /* the guest's XCR0; 0 = never set, x87|SSE */
    uint64_t xcr0_accum;    /* every component it ever had in XCR0 (pv/context.c) */
    bool guest_cr4_osxsave; /* virtual CR4.OSXSAVE: XSETBV allowed */
    bool xsave_valid;
    uint8_t xsave_area[1024] __attribute__((aligned(64)));

    bool yielded;      /* SCHEDOP_yield: let any other runnable vCPU go first, once */
    bool initialising; /* VCPUOP_initialise in progress (vcpu_op.c) */
};

/* One event channel (2-level ABI). */
enum evtchn_state {
    ECS_FREE,
    ECS_UNBOUND,
    ECS_INTERDOMAIN,
    ECS_PIRQ,
    ECS_VIRQ,
    ECS_IPI,
    ECS_RESERVED
};
struct evtchn {
    uint8_t state;        /* enum evtchn_state */
    uint16_t notify_vcpu; /* vCPU that gets the upcall */
    union {
        domid_t unbound_remote; /* ECS_UNBOUND: who may bind */
        struct {
            domid_t dom;
            uint32_t port;
        } interdomain;
        uint32_t virq;
        uint32_t pirq; /* ECS_PIRQ */
    } u;
};

enum domain_state { DOMAIN_RUNNING, DOMAIN_PAUSED, DOMAIN_SHUTDOWN, DOMAIN_DYING };

/*
 * Who may change what in a domain: `lock` (d->lock) and `evtchn_lock` below, each with
 * what it covers; mm_lock (frame ownership, the grant table and its mappings, and the
 * vCPUs' frame references); the scheduler's locks for the vCPUs' run state. Set once at
 * creation and read without a lock: domain_id, is_privileged, max_vcpus, vcpus[],
 * shared_info, name, the grant and event-channel limits. Written by domctl or the
 * domain's own hypercalls without a lock, read racily by design: max_pages, vm_assist,
 * shutdown_code, weight, cap. refcnt: domain_list_lock; consumed_this_period, cap_reserved,
 * dirty_cpumask, reap_pending: atomics.
 */
struct domain {
    domid_t domain_id;
    /* d->lock: state, pause_count, the shutdown record (shutdown_reason, is_shut_down),
     * page_list and tot_pages, and the destroy's progress (kill_stage, kill_running). */
    spinlock_t lock;
    /* The domain's memory lock: its own frames, tables and vCPUs' frame references, for
     * operations that touch no other domain's (asm/pv/mm.h). */
    spinlock_t mm_local_lock;
    /* References its L1 tables hold on other domains' frames (a privileged domain's foreign
     * mappings; grant mappings are not counted). While not 0, dropping what its tables hold
     * may reach other domains' frames: that needs the global memory lock, which is also the
     * only one this changes under. */
    unsigned long foreign_refs;
    /* Retype flushes put off during a hold of mm_local_lock (pv/pagetype.c), under it. */
    struct mm_retype_flush {
        bool allowed;  /* the holder backs out and runs its operation again */
        uint64_t cpus; /* to flush once the lock is dropped */
    } retype_flush;
    bool is_privileged;
    enum domain_state state;
    unsigned int shutdown_reason;
    uint64_t shutdown_code; /* SCHEDOP_shutdown_code: overrides the next reason */
    bool shutdown_reported;

    unsigned int max_vcpus;
    struct vcpu *vcpus[MAX_VCPUS];

    struct lam_shared_info *shared_info;
    mfn_t shared_info_mfn;

    struct list_head page_list; /* frames this domain owns */
    unsigned long tot_pages, max_pages;
    unsigned long vm_assist;
    int64_t time_offset; /* seconds its wall clock runs ahead of the host's (settimeoffset) */
    /* dom0's virtual PCI address latch (port 0xcf8) and CMOS index (port 0x70):
     * pv/ioport.c. Its vCPUs race on them as they would on the real ports. */
    uint32_t pci_cf8;
    uint8_t cmos_idx;

    /* d->evtchn_lock: the port table evtchn[] (each port's state and binding),
     * global_virq_port[] and the vCPUs' virq_port[]. Interrupts off (VIRQs are raised from
     * timer callbacks). Pending and mask bits live in shared_info and change atomically. */
    spinlock_t evtchn_lock;
    struct evtchn *evtchn; /* max_evtchns entries; port 0 is never used */
    unsigned int max_evtchns;
    uint32_t global_virq_port[LAM_NR_VIRQS];

    struct grant_table *grant_table; /* grant_table.c */
    unsigned int max_grant_frames;   /* gnttab_set_limits */
    unsigned int max_maptrack;       /* maptrack handles (gnttab_set_limits) */

    unsigned int pause_count; /* domctl pausedomain nesting (state PAUSED while > 0) */
    bool reap_pending;        /* dying, and a frame or reference was released since the last reap */
    /* domain_kill's progress (under d->lock): a preempted destroy goes on where it stopped. */
    uint8_t kill_stage;         /* KILL_* in domain_destroy.c */
    bool kill_running;          /* a destroydomain is working on it now */
    unsigned long kill_before;  /* tot_pages when the destroy began, for its report */
    unsigned long kill_partial; /* partial tables it finished */
    unsigned int refcnt;        /* domain_get() references held (domain_ref.c; domain_list_lock) */
    bool is_shut_down;          /* shut down (kept when it then dies, for getdomaininfo) */

    unsigned int weight; /* scheduler: proportional share, default 256 */
    unsigned int cap;    /* percent of one CPU, 0 = none */
    uint64_t consumed_this_period;
    uint64_t cap_reserved; /* cap budget set aside for slices running now (sched_credit.c) */
    /* CPUs whose TLB may hold this domain's translations: those with one of its
     * vCPUs loaded (every switch away reloads CR3, and CR4.PGE is off). */
    uint64_t dirty_cpumask;

    char name[32];
    uint8_t handle[16]; /* the toolstack's UUID (createdomain) */
    /* Log-dirty mode (hv/logdirty.h): under the memory lock, as its frames' types. */
    struct domain_logdirty logdirty;
};

/*
 * Domains by id (common/domain_ref.c). Another CPU may reap a dying domain at
 * any time: code that looks a domain up by id uses domain_get(), which takes
 * a reference that keeps the struct domain (grant table, event channels,
 * vCPUs) allocated until domain_put(), and NULL when no domain has that id.
 * The domain may be dying (check d->state). Reading domain_list[] directly is
 * only safe for dom0 and while holding mm_lock (see domain_ref.c).
 */
extern struct domain *domain_list[MAX_DOMAINS];
struct domain *domain_get(unsigned int id);
void domain_put(struct domain *d);
/* domain_create: publish d under its id; -EEXIST if the id is taken. */
int domain_list_add(struct domain *d);
/* The reaper: take d off the list if no reference is held (true), else leave it (false;
 * the last domain_put() marks it for reaping again). */
bool domain_unlist_if_unused(struct domain *d);
/* References held right now (diagnostics and tests). */
unsigned int domain_refs(const struct domain *d);

/* What a domain is created with: limits a negative value of which means the default. */
struct domain_config {
    unsigned int max_vcpus;   /* 1 .. MAX_VCPUS */
    unsigned int max_evtchns; /* ports [0, max_evtchns) */
    int max_grant_frames;
    int max_maptrack_frames;
};
/* A new domain, paused (state DOMAIN_PAUSED), on the list under id; NULL if anything
 * fails (everything allocated on the way is freed), errno in *err when err is not NULL. */
struct domain *domain_create_config(domid_t id, bool privileged, const struct domain_config *cfg,
                                    int *err);
/* Write d's wall clock into its shared_info: the host's plus d->time_offset. */
void domain_set_wallclock(struct domain *d);
/* With the defaults (the boot-time domain builder). */
struct domain *domain_create(domid_t id, bool privileged, unsigned int max_vcpus);
struct vcpu *vcpu_create(struct domain *d, unsigned int id);
/* Let d map a frame the hypervisor keeps using (shared_info, grant tables): typed writable
 * for good, so it can never become a page table or descriptor page. */
void domain_share_xen_frame(struct domain *d, mfn_t mfn);
/* Give a frame to a domain (it becomes the owner with one general reference); n frames at
 * once, all or none within the domain's max_pages (-ENOMEM). */
int domain_assign_frame(struct domain *d, mfn_t mfn);
int domain_assign_frames(struct domain *d, mfn_t mfn, unsigned long n);
/* Shutdown: record the reason and stop the domain's vCPUs. */
void domain_shutdown(struct domain *d, unsigned int reason);
void domain_crash(struct domain *d, const char *why);

/*
 * Destruction (common/domain_destroy.c). domain_kill() stops the domain for
 * good and gives up everything it holds; its frames return to the heap as
 * their last references go (domain_page_released, called by put_page), and
 * once none is left domain_reap() frees the domain itself. Until then it is
 * listed as dying.
 */
int domain_kill(struct domain *d); /* -ERESTART: preempted, call again to go on */
/* Free a domain's structures and shared frames once it is off the list (or never was). */
void domain_free_unlisted(struct domain *d);
void domain_page_released(struct page_info *pg);
/* Free the domains that have nothing left; cheap when there are none. */
void domain_reap(void);
extern bool domain_reap_pending;
/* arch: drop the page-table, GDT and vcpu_info references a domain's vCPUs hold; the
 * number of tables a preempted hypercall had left partial (finished here). */
unsigned long arch_domain_relinquish(struct domain *d);

/* Called when the domain has stopped for good (arch: halt/power off QEMU for dom0). */
void domain_shutdown_report(struct domain *d);

static inline struct domain *current_domain(void)
{
    return current->domain;
}

/* "poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset" or "unknown"
 * (common/sched/sched_op.c). */
const char *shutdown_reason_name(unsigned int reason);
/* The vm_assist types a domain may enable (common/sched/sched_op.c). */
unsigned long vm_assist_valid_mask(void);
/* Set up v's single-shot and periodic timers (common/vcpu_op.c). */
void vcpu_timers_init(struct vcpu *v);
/* The scheduler switches v out / in on this CPU: its periodic timer stops / catches up
 * (one VIRQ_TIMER if a period passed) and is re-armed, as Xen's context switch does. */
void vcpu_periodic_switch_out(struct vcpu *v);
void vcpu_periodic_switch_in(struct vcpu *v);
/* Set v's period (0: stop it). */
void vcpu_set_periodic_timer(struct vcpu *v, uint64_t period_ns);

#endif
