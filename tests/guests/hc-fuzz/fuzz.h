/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypercall fuzzer (docs/security-hcfuzz.md): a grammar of hypercalls
 * whose arguments come from pools of values a hostile guest would try, drawn
 * with a seeded PRNG. Every call is a pure function of (seed, worker, index):
 * generation never looks at what earlier calls returned, so a seed replays
 * exactly (replay=1 prints the calls without issuing them) and a failing run
 * can be cut down by dropping calls (drop=) while the others stay the same.
 *
 * The guest protects what it needs to keep running (its code, stacks, live
 * page-table entries, trap table, callbacks, wake-up ports): those never
 * appear where a call could change them, or are restored right after the call
 * (see the exclusions in docs/security-hcfuzz.md). Everything else -- a
 * playground page-table tree, scratch and unmapped frames, grant frames,
 * empty slots of the live L4, foreign and nonexistent frames, hypervisor and
 * non-canonical addresses -- is fair game.
 */
#ifndef HCF_FUZZ_H
#define HCF_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "lam.h"

#define HCF_MAX_WORKERS 4
/* Buffers are built in the first HCF_ARENA_BUILD bytes; the rest is where a buffer
 * moved to straddle the arena's end goes (an unmapped hole follows the arena). */
#define HCF_ARENA_PAGES 6
#define HCF_ARENA_BYTES (HCF_ARENA_PAGES * LAM_PAGE_SIZE)
#define HCF_ARENA_BUILD (HCF_ARENA_BYTES - 2 * LAM_PAGE_SIZE)
#define HCF_DESC_BYTES  200

/* xoshiro256**: small, fast, and the same stream on every build. */
struct hcf_rng {
    uint64_t s[4];
};
void hcf_rng_seed(struct hcf_rng *r, uint64_t seed, uint64_t stream);
uint64_t hcf_rng_next(struct hcf_rng *r);

struct hcf_worker;
struct hcf_call;
typedef void (*hcf_action_fn)(struct hcf_worker *w, struct hcf_call *c);

/* What the worker must put back after the call (the guest's own state). */
#define HCF_REPAIR_TRAPS     (1u << 0) /* trap table */
#define HCF_REPAIR_CALLBACKS (1u << 1) /* event/failsafe/syscall/NMI callbacks */
#define HCF_REPAIR_MASK      (1u << 2) /* events masked again (block/poll unmask) */
#define HCF_REPAIR_FPU       (1u << 3) /* CR0.TS clear */
#define HCF_REPAIR_WAKE      (1u << 4) /* clear the self-IPI the wake guard raised */
#define HCF_GUARD_WAKE       (1u << 8) /* may sleep: make the self-IPI pending first */

/* One generated step: a hypercall (nr, a[]) or an action (not a hypercall). */
struct hcf_call {
    unsigned long nr;
    unsigned long a[5];
    unsigned int flags; /* HCF_REPAIR_* | HCF_GUARD_* */
    hcf_action_fn action;
    const char *name;
    long rc;
};

struct hcf_worker {
    unsigned int id; /* the vCPU it runs on */
    struct hcf_rng rng;
    uint8_t *arena;    /* HCF_ARENA_BYTES, an unmapped hole after it */
    size_t arena_used; /* bump allocator, reset for every call */
    uint8_t *area;     /* two pages for registered areas (runstate, time) */
    uint64_t index;    /* next call's index */
    uint32_t ipi_port; /* self-IPI: wakes a sleep the grammar asked for */
    int describe;      /* fill desc (replay and log=1) */
    int no_straddle;   /* hcf_ptr keeps buffers in place (a multicall's entries) */
    char desc[HCF_DESC_BYTES];
    size_t desc_len;
    /* Counters (this worker only, so no atomics). */
    uint64_t calls, errors, actions, exceptions, failsafes, upcalls;
    volatile uint64_t progress; /* read by vCPU 0's supervisor */
    volatile int finished;
};

extern struct hcf_worker hcf_workers[HCF_MAX_WORKERS];

/* Options from the kernel command line (main.c). */
struct hcf_opts {
    uint64_t seed;
    uint64_t calls;         /* per worker */
    uint64_t seconds;       /* stop earlier when this many seconds have passed (0: no limit) */
    unsigned int vcpus;     /* workers wanted (default: every vCPU, at most HCF_MAX_WORKERS) */
    int replay;             /* print the calls, issue none */
    int log;                /* print every call before issuing it */
    unsigned int heartbeat; /* calls between progress lines */
    unsigned int avoid;     /* HCF_AVOID_*: known open bugs kept out of the grammar */
    /* drop=: ranges not issued; keep=: only these issued (minimising a failing seed). */
    uint64_t drop_lo[64], drop_hi[64], keep_lo[64], keep_hi[64];
    unsigned int ndrop, nkeep;
};
extern struct hcf_opts hcf_opts;

/*
 * Bugs the grammar can hit, each with a bit to keep it out (avoid=NAME+NAME, or all, none,
 * merged, open). Kept out, a draw is still made and only its value replaced, so the other
 * calls of a seed stay the same. By default the open ones are kept out (avoid=open), so the
 * seeds CI runs pass until they are fixed; avoid=none finds them again. Each is listed in
 * docs/security/hcfuzz.md with the seeds that hit it. None is open today: the default
 * avoids nothing.
 */
/* Fixed on other branches (avoid=merged keeps them out): */
#define HCF_AVOID_UVA_NONL1    (1u << 0) /* update_va_mapping through linear slots */
#define HCF_AVOID_SHARED_TYPES (1u << 1) /* shared frames as tables / GDT */
#define HCF_AVOID_GNT_DECREASE (1u << 2) /* decrease_reservation of grant frames */
#define HCF_AVOID_TIMER_WRAP   (1u << 3) /* periodic timer / deadlines that wrap */
#define HCF_AVOID_GNT_BATCH    (1u << 4) /* huge grant batches */
#define HCF_AVOID_SEGBASE      (1u << 5) /* non-canonical FS/GS bases */
#define HCF_AVOID_FXSAVE       (1u << 6) /* unsanitised FXSAVE images */
#define HCF_AVOID_IRET_CTX     (1u << 8) /* return contexts the hypervisor's IRET faults on */
#define HCF_AVOID_DB_WATCH     (1u << 9) /* breakpoints that fire in the hypervisor */
#define HCF_AVOID_MERGED       (0x7fu | HCF_AVOID_IRET_CTX | HCF_AVOID_DB_WATCH)
/* Found by this fuzzer and fixed with it: */
#define HCF_AVOID_XCR0 (1u << 10) /* XCR0 lowered under a saved XSAVE image */
/* Open: none. */
#define HCF_AVOID_OPEN 0u
#define HCF_AVOID_ALL  0x7ffu
/* Not a canonical address (bits 63-47 not all equal). */
static inline int hcf_noncanonical(uint64_t v)
{
    return (uint64_t)((int64_t)(v << 16) >> 16) != v;
}

static inline int hcf_avoid(unsigned int what)
{
    return (hcf_opts.avoid & what) != 0;
}

/* --- Drawing values (draw.c) ------------------------------------------------ */
uint64_t hcf_u64(struct hcf_worker *w);
uint64_t hcf_below(struct hcf_worker *w, uint64_t n); /* 0..n-1 */
int hcf_chance(struct hcf_worker *w, unsigned int percent);
#define HCF_PICK(w, arr) ((arr)[hcf_below((w), sizeof(arr) / sizeof((arr)[0]))])
/* A boundary-biased integer: 0, 1, -1, INT_MAX, powers of two +-1, ... or small. */
uint64_t hcf_int(struct hcf_worker *w);
/* A count: mostly 1..max, sometimes 0, max+1, huge, wrapped. */
uint64_t hcf_count(struct hcf_worker *w, uint64_t max);
/* A domain id: self, DOMID_SELF, 0, 1, 2, the reserved ids, nonexistent. */
uint16_t hcf_domid(struct hcf_worker *w);
/* A vCPU number: self, another worker, absent, huge. */
uint32_t hcf_vcpu(struct hcf_worker *w);
/* An event-channel port: small ones, the limits, huge; infra ports only if allowed. */
uint32_t hcf_port(struct hcf_worker *w, int may_be_infra);
/* System time now (ns), from the TSC as pvclock scaled it at the start. */
uint64_t hcf_system_ns(void);
/* A system time in ns: past, now + small, far, wrapping (relative to now). */
uint64_t hcf_time(struct hcf_worker *w, int bounded);
/* A guest virtual address a hypercall may target (update_va_mapping, invlpg, grants). */
uint64_t hcf_va(struct hcf_worker *w);
/* A code address for callbacks and trap handlers: the real one or a bad one. */
uint64_t hcf_code_va(struct hcf_worker *w, uint64_t good, int garbage_ok);
/* A segment selector: kernel flat ones, null, hypervisor ring 0, LDT, our GDT. */
uint16_t hcf_selector(struct hcf_worker *w);

/* Frame classes (env.c fills them). */
enum hcf_frame_class {
    FR_SCRATCH, /* our pages mapped writable in the region, used for nothing */
    FR_SACR,    /* the region pages whose mapping the grammar changes (no writable one
                 * left, they could become page tables: never a CR3) */
    FR_FREE,    /* our frames no page table maps */
    FR_TABLE,   /* playground tables and table candidates (mapped read-only) */
    FR_LIVEPT,  /* the page tables the guest runs on (bootstrap L1-L3, the arena tree): always
                 * typed, since both L4s link them */
    FR_L4,      /* the live L4 and its clone: untyped while the other is CR3 and it is not
                 * pinned, and then writable */
    FR_PROT,    /* frames the guest runs on: code, data, stacks, arenas, p2m, start_info */
    FR_GRANT,   /* grant-table frames (0 is mapped for our entries, the rest nowhere) */
    FR_SHINFO,  /* shared_info */
    FR_RING,    /* domU store and console rings (shared with dom0) */
    FR_M2P,     /* frames of the hypervisor's M2P table */
    FR_FOREIGN, /* frames that exist but were not ours at the start (populate_physmap may
                 * give us any of them later) */
    FR_LOW,     /* low frames (firmware, the hypervisor's image): never a guest's */
    FR_NONE,    /* frames that do not exist */
    FR_MMIO,    /* device memory (local APIC, IO-APIC, HPET, VGA) */
    FR_NCLASSES
};
#define FRM(c)  (1u << (c))
#define FRM_ALL ((1u << FR_NCLASSES) - 1)
/* Frames the guest may hand out writable or have written without hurting itself. */
#define FRM_WRITABLE_OK (FRM_ALL & ~(FRM(FR_PROT) | FRM(FR_SHINFO) | FRM(FR_L4)))
/*
 * Frames an entry of a table the grammar builds may name. Not the live page tables: an
 * L2-L4 entry naming one would share it, and an update_va_mapping or grant map through
 * the playground would then change the tables the guest runs on (its own business, not
 * the host's; update_va_mapping, whose target must be an L1 entry, may name them).
 */
#define FRM_NOT_LIVE (FRM_ALL & ~(FRM(FR_LIVEPT) | FRM(FR_L4)))
/* Frames copied from (COPY_PAGE, grant copy, grant entries): not the live tables nor the
 * guest's own pages, whose contents hold entries naming live tables. */
#define FRM_COPY_SRC (FRM_ALL & ~(FRM(FR_LIVEPT) | FRM(FR_L4) | FRM(FR_PROT)))
uint64_t hcf_frame(struct hcf_worker *w, unsigned int classes, int *class_out);
/* A page-table entry value: a frame from classes with flags; the guest's own
 * frames it depends on are offered read-only only. */
uint64_t hcf_pte(struct hcf_worker *w, unsigned int classes);
/* A machine address of a page-table entry the grammar may write. */
uint64_t hcf_entry_ma(struct hcf_worker *w);

/* --- Buffers ---------------------------------------------------------------- */
void hcf_arena_reset(struct hcf_worker *w);
/* Room for n bytes in the arena (zeroed), aligned to align. */
void *hcf_alloc(struct hcf_worker *w, size_t n, size_t align);
/*
 * The address a hypercall gets for a buffer of n bytes the generator built at
 * buf (from hcf_alloc): usually buf, sometimes a bad pointer (NULL, unmapped,
 * read-only, the M2P, the hypervisor's range, non-canonical, wrapping,
 * unaligned, straddling the end of the arena).
 * HCF_OUT: the hypervisor writes it (it may then also be a read-only page table
 * or a playground page). HCF_EXACT: a structure that, read wrongly (shifted,
 * or some other readable page), could make the call stop the guest (a shutdown
 * of ourselves, a sleep without end, a reset of our wake-up channels, a switch
 * to a table without our code): the buffer itself, an all-ones read-only page,
 * or an unreadable address, nothing else.
 */
#define HCF_IN    0
#define HCF_OUT   1
#define HCF_EXACT 2
uint64_t hcf_ptr(struct hcf_worker *w, void *buf, size_t n, int flags);

/* --- Describing calls (replay and log=1) ----------------------------------- */
void hcf_note(struct hcf_worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* --- The grammar (gen_*.c) ---------------------------------------------------- */
struct hcf_production {
    const char *name;
    unsigned int weight;
    void (*gen)(struct hcf_worker *w, struct hcf_call *c);
};
extern const struct hcf_production hcf_grammar[];
extern const unsigned int hcf_grammar_len;
/* Productions a multicall entry may use (no blocking, no iret). */
void hcf_gen_simple(struct hcf_worker *w, struct hcf_call *c);
void hcf_generate(struct hcf_worker *w, struct hcf_call *c);

void hcf_gen_mmu_update(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_mmuext_op(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_update_va_mapping(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_uvm_otherdomain(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_memory_op(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_grant_table_op(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_grant_entry(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_event_channel_op(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_event_channel_op_compat(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_vcpu_op(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_sched_op(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_sched_op_compat(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_set_timer_op(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_set_trap_table(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_set_gdt(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_update_descriptor(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_stack_switch(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_set_callbacks(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_callback_op(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_set_segment_base(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_debugreg(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_fpu_taskswitch(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_iret(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_xen_version(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_console_io(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_vm_assist(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_physdev_op(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_physdev_op_compat(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_platform_op(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_domctl(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_multicall(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_generic(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_touch(struct hcf_worker *w, struct hcf_call *c);
void hcf_gen_privop(struct hcf_worker *w, struct hcf_call *c);

/* --- Running calls (main.c, iret.S) ------------------------------------------ */
long hcf_issue(struct hcf_worker *w, struct hcf_call *c);
/* The worker's view of its own vcpu_info (moved by register_vcpu_info). */
struct lam_vcpu_info *hcf_my_vcpu_info(struct hcf_worker *w);

/* Per-vCPU state the exception hook needs while an iret action runs. */
struct hcf_cpu_state {
    volatile int in_iret;    /* in flight: a fault or failsafe lands on hcf_iret_landing */
    uint64_t iret_saved_rsp; /* where hcf_iret_landing finds its stack */
};
extern struct hcf_cpu_state hcf_cpu[HCF_MAX_WORKERS];

#endif /* HCF_FUZZ_H */
