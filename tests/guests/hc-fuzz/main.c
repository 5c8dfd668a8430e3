/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hc-fuzz: a hypercall fuzzer guest (docs/security-hcfuzz.md). Every vCPU
 * (up to HCF_MAX_WORKERS) runs a worker that issues calls generated from the
 * grammar with its own PRNG stream, seeded from seed= on the command line.
 * The host must survive it: no panic, no hang, balanced frame counts (the
 * runner checks Lamina's audit), all memory back when the domain goes.
 *
 * Command line (start_info.cmd_line), all optional:
 *   seed=N       the seed (default 1); decimal or 0x-hex
 *   calls=N      calls per worker (default 2000)
 *   seconds=N    stop each worker after N seconds even if calls are left
 *   vcpus=N      workers (default: every vCPU, at most 4); the rest are spares
 *                a fuzzed VCPUOP_initialise may start
 *   replay=1     print the calls of every worker (up to calls=), issue none
 *   log=1        print every call before issuing it (slow; for a failing seed)
 *   drop=A-B+C   generate but do not issue these call indexes (minimising)
 *   keep=A-B+C   issue only these (minimise.sh finds a small set that still fails)
 *   avoid=open|all|merged|none|NAME+NAME...  keep bugs out (default open: the ones not
 *                fixed yet, none today; fuzz.h lists them)
 *   heartbeat=N  a progress line every N calls per worker (default 1000)
 *   domid=N      our domain id (domUs: 1, 2, ... in module order)
 * The result is SUCCESS when every worker finished its calls.
 */
#include <lamina/event_channel.h>
#include <lamina/sched.h>
#include <lamina/vcpu.h>

#include "env.h"
#include "smp.h"

const char lam_test_title[] = "hypercall fuzzer: the host survives a seeded grammar";

struct hcf_worker hcf_workers[HCF_MAX_WORKERS];
struct hcf_cpu_state hcf_cpu[HCF_MAX_WORKERS];
struct hcf_opts hcf_opts = {.seed = 1, .calls = 2000, .heartbeat = 1000, .avoid = HCF_AVOID_OPEN};
extern struct lam_vcpu_info *volatile hcf_vcpu_info_moved[];

/* --- Time from the TSC, scaled as pvclock was at the start (shared_info may go stale
 * once a vcpu_info moves) ------------------------------------------------------------- */

static uint64_t tsc0, sys0;
static uint32_t tsc_mul;
static int8_t tsc_shift;

static void time_init(void)
{
    const volatile struct lam_vcpu_time_info *t = &lam_shared_info->vcpu_info[0].time;
    sys0 = lam_pvclock_ns();
    tsc0 = lam_rdtsc();
    tsc_mul = t->tsc_to_system_mul;
    tsc_shift = t->tsc_shift;
}

static uint64_t elapsed_ns(void)
{
    uint64_t d = lam_rdtsc() - tsc0;
    d = tsc_shift >= 0 ? d << tsc_shift : d >> -tsc_shift;
    return (uint64_t)(((unsigned __int128)d * tsc_mul) >> 32);
}

uint64_t hcf_system_ns(void)
{
    return sys0 + elapsed_ns();
}

/* --- Options --------------------------------------------------------------------- */

static uint64_t parse_num(const char **p)
{
    const char *s = *p;
    uint64_t v = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        for (s += 2;; s++) {
            unsigned int d = *s >= '0' && *s <= '9'   ? (unsigned int)(*s - '0')
                             : *s >= 'a' && *s <= 'f' ? (unsigned int)(*s - 'a' + 10)
                             : *s >= 'A' && *s <= 'F' ? (unsigned int)(*s - 'A' + 10)
                                                      : 16;
            if (d > 15)
                break;
            v = v * 16 + d;
        }
    } else {
        for (; *s >= '0' && *s <= '9'; s++)
            v = v * 10 + (uint64_t)(*s - '0');
    }
    *p = s;
    return v;
}

static int word_is(const char *s, const char *word)
{
    size_t n = strlen(word);
    return strncmp(s, word, n) == 0 && (s[n] == 0 || s[n] == ' ' || s[n] == '+');
}

static unsigned int parse_avoid(const char *s)
{
    static const struct {
        const char *name;
        unsigned int bit;
    } names[] = {{"all", HCF_AVOID_ALL},
                 {"merged", HCF_AVOID_MERGED},
                 {"open", HCF_AVOID_OPEN},
                 {"none", 0},
                 {"iret", HCF_AVOID_IRET_CTX},
                 {"dbwatch", HCF_AVOID_DB_WATCH},
                 {"xcr0", HCF_AVOID_XCR0},
                 {"uva", HCF_AVOID_UVA_NONL1},
                 {"shared", HCF_AVOID_SHARED_TYPES},
                 {"gntdec", HCF_AVOID_GNT_DECREASE},
                 {"timer", HCF_AVOID_TIMER_WRAP},
                 {"gntbatch", HCF_AVOID_GNT_BATCH},
                 {"segbase", HCF_AVOID_SEGBASE},
                 {"fxsave", HCF_AVOID_FXSAVE}};
    unsigned int mask = 0;
    while (*s && *s != ' ') {
        for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
            if (word_is(s, names[i].name))
                mask |= names[i].bit;
        while (*s && *s != ' ' && *s != '+')
            s++;
        if (*s == '+')
            s++;
    }
    return mask;
}

/* "A-B+C+..." into at most 64 ranges. */
static unsigned int parse_ranges(const char *s, uint64_t *lo, uint64_t *hi)
{
    unsigned int n = 0;
    while (*s >= '0' && *s <= '9' && n < 64) {
        lo[n] = hi[n] = parse_num(&s);
        if (*s == '-') {
            s++;
            hi[n] = parse_num(&s);
        }
        n++;
        if (*s == '+')
            s++;
    }
    return n;
}

static void parse_options(void)
{
    const char *s = (const char *)lam_start_info->cmd_line;
    struct hcf_opts *o = &hcf_opts;
    while (*s) {
        while (*s == ' ')
            s++;
        const char *v = s;
        while (*v && *v != '=' && *v != ' ')
            v++;
        if (*v == '=') {
            size_t n = (size_t)(v - s);
            const char *val = v + 1;
            if (n == 4 && !strncmp(s, "seed", 4))
                o->seed = parse_num(&val);
            else if (n == 5 && !strncmp(s, "calls", 5))
                o->calls = parse_num(&val);
            else if (n == 7 && !strncmp(s, "seconds", 7))
                o->seconds = parse_num(&val);
            else if (n == 5 && !strncmp(s, "vcpus", 5))
                o->vcpus = (unsigned int)parse_num(&val);
            else if (n == 6 && !strncmp(s, "replay", 6))
                o->replay = (int)parse_num(&val);
            else if (n == 3 && !strncmp(s, "log", 3))
                o->log = (int)parse_num(&val);
            else if (n == 9 && !strncmp(s, "heartbeat", 9))
                o->heartbeat = (unsigned int)parse_num(&val);
            else if (n == 5 && !strncmp(s, "avoid", 5))
                o->avoid = parse_avoid(val);
            else if (n == 4 && !strncmp(s, "drop", 4))
                o->ndrop = parse_ranges(val, o->drop_lo, o->drop_hi);
            else if (n == 4 && !strncmp(s, "keep", 4))
                o->nkeep = parse_ranges(val, o->keep_lo, o->keep_hi);
            else if (n == 5 && !strncmp(s, "domid", 5))
                hcf_env.domid = (uint16_t)parse_num(&val);
        }
        while (*s && *s != ' ')
            s++;
    }
    if (!o->heartbeat)
        o->heartbeat = 1000;
}

static int in_ranges(uint64_t index, const uint64_t *lo, const uint64_t *hi, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++)
        if (index >= lo[i] && index <= hi[i])
            return 1;
    return 0;
}

static int dropped(uint64_t index)
{
    const struct hcf_opts *o = &hcf_opts;
    if (o->nkeep && !in_ranges(index, o->keep_lo, o->keep_hi, o->nkeep))
        return 1;
    return in_ranges(index, o->drop_lo, o->drop_hi, o->ndrop);
}

/* --- Which worker is this (by its stack) ------------------------------------------ */

static uint64_t stack_top[HCF_MAX_WORKERS];

static int worker_of(uint64_t rsp)
{
    for (unsigned int k = 0; k < hcf_env.workers; k++) {
        uint64_t area = (uint64_t)hcf_workers[k].area;
        if ((rsp <= stack_top[k] && rsp > stack_top[k] - SMP_STACK_BYTES) ||
            (rsp >= area && rsp < area + 2 * LAM_PAGE_SIZE))
            return (int)k;
    }
    return -1;
}

struct lam_vcpu_info *hcf_my_vcpu_info(struct hcf_worker *w)
{
    struct lam_vcpu_info *moved = hcf_vcpu_info_moved[w->id];
    return moved ? moved : &lam_shared_info->vcpu_info[w->id];
}

/* --- Exceptions and callbacks the grammar causes ----------------------------------- */

extern char hcf_iret_landing[];
void hcf_spare_loop(void);

static void land(struct lam_regs *r, struct hcf_worker *w)
{
    r->rip = (uint64_t)hcf_iret_landing;
    r->rax = (uint64_t)&hcf_cpu[w->id].iret_saved_rsp;
    r->cs = LAM_FLAT_KERNEL_CS & ~3ULL;
    r->ss = LAM_FLAT_KERNEL_SS;
    r->rsp = (uint64_t)w->area + 2 * LAM_PAGE_SIZE - 256;
    r->rflags = 0x2; /* events masked on return */
}

static int on_exception(struct lam_regs *r)
{
    if (hcf_on_spare_stack(r->rsp)) { /* a spare vCPU a fuzzed context started: park it */
        r->rip = (uint64_t)hcf_spare_loop;
        r->cs = LAM_FLAT_KERNEL_CS & ~3ULL;
        r->ss = LAM_FLAT_KERNEL_SS;
        r->rsp = (r->rsp & ~(LAM_PAGE_SIZE - 1)) + LAM_PAGE_SIZE - 64;
        r->rflags = 0x2;
        return 1;
    }
    int k = worker_of(r->rsp);
    if (k < 0)
        return 0;
    struct hcf_worker *w = &hcf_workers[k];
    w->exceptions++;
    switch (r->vector) {
    case 1: /* our own breakpoints (set_debugreg) and TF from an iret context */
        r->rflags &= ~0x100ULL;
        hypercall_set_debugreg(7, 0);
        return 1;
    case 2: /* VCPUOP_send_nmi */
        return 1;
    case 7: /* CR0.TS from fpu_taskswitch or mov to CR0 */
        hypercall_fpu_taskswitch(0);
        return 1;
    case 17: /* AC from an iret context */
        r->rflags &= ~(1ULL << 18);
        return 1;
    default:
        break;
    }
    if (hcf_cpu[k].in_iret) { /* the iret went somewhere that faulted: back to the pad */
        land(r, w);
        return 1;
    }
    return 0;
}

static void on_callback(struct lam_regs *r)
{
    int k = worker_of(r->rsp);
    if (k < 0 && hcf_on_spare_stack(r->rsp)) {
        r->rflags &= ~0x200ULL;
        return;
    }
    if (k < 0)
        lam_panic("hcf: callback 0x%lx at rip %lx on an unknown stack %lx", r->vector, r->rip,
                  r->rsp);
    struct hcf_worker *w = &hcf_workers[k];
    switch (r->vector) {
    case LAM_CB_VECTOR_EVENT: {
        struct lam_vcpu_info *vi = hcf_my_vcpu_info(w);
        w->upcalls++;
        vi->evtchn_upcall_pending = 0;
        vi->evtchn_pending_sel = 0;
        r->rflags &= ~0x200ULL; /* return with events masked */
        return;
    }
    case LAM_CB_VECTOR_FAILSAFE:
        w->failsafes++;
        if (hcf_cpu[k].in_iret) {
            land(r, w);
            return;
        }
        if (w->failsafes > 100000)
            lam_panic("hcf: v%u: failsafe callbacks without end at rip %lx", w->id, r->rip);
        r->rflags &= ~0x200ULL;
        return;
    default:
        lam_panic("hcf: v%u: syscall callback at rip %lx (never in user mode)", w->id, r->rip);
    }
}

/* --- Issuing ------------------------------------------------------------------------ */

static void mask_events(struct hcf_worker *w)
{
    hcf_my_vcpu_info(w)->evtchn_upcall_mask = 1;
    lam_shared_info->vcpu_info[w->id].evtchn_upcall_mask = 1;
}

long hcf_issue(struct hcf_worker *w, struct hcf_call *c)
{
    if (c->flags & HCF_GUARD_WAKE) {
        /* The wake-up: our IPI pending (sent anew, so the hypervisor marks it for the
         * upcall too) and the upcall flag set, so block, poll on it and hlt return at once. */
        struct lam_vcpu_info *vi = hcf_my_vcpu_info(w);
        struct lam_evtchn_port_arg p = {.port = w->ipi_port};
        lam_evtchn_clear(w->ipi_port);
        vi->evtchn_pending_sel = 0;
        long rc = hypercall_event_channel_op(LAM_EVTCHNOP_send, &p);
        vi->evtchn_upcall_pending = 1;
        /* (Xen accepts EVTCHNOP_init_control: then the domain uses the FIFO ABI, whose
         * pending bits are not in shared_info; the send still wakes what it must.) */
        if (rc)
            lam_panic("hcf: v%u #%lu: the wake-up IPI (port %u) is gone: send %ld", w->id,
                      (unsigned long)w->index, w->ipi_port, rc);
    }
    if (c->action) {
        c->rc = 0;
        c->action(w, c);
        w->actions++;
    } else {
        c->rc = hypercall6(c->nr, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4]);
    }
    w->calls++;
    if (c->rc < 0)
        w->errors++;
    if (c->flags & HCF_REPAIR_TRAPS) {
        /* Clear it first: the framework's table sets vectors 0-21 only, and a stale
         * handler for another vector (int $0x80, say) would be entered with its frame. */
        hypercall_set_trap_table(NULL);
        lam_install_trap_table();
    }
    if (c->flags & HCF_REPAIR_CALLBACKS)
        hcf_env_register_callbacks();
    if (c->flags & HCF_REPAIR_FPU)
        hypercall_fpu_taskswitch(0);
    if (c->flags & (HCF_GUARD_WAKE | HCF_REPAIR_WAKE))
        lam_evtchn_clear(w->ipi_port);
    if (c->flags & (HCF_REPAIR_MASK | HCF_GUARD_WAKE))
        mask_events(w);
    /* A vcpu_info that moved: we follow it when we can read it (a scratch page). */
    if (!c->action && c->nr == LAM_HYPERCALL_VCPU_OP && c->a[0] == LAM_VCPUOP_register_vcpu_info &&
        c->rc == 0) {
        const struct lam_vcpu_register_vcpu_info *r = (const void *)c->a[2];
        static struct lam_vcpu_info unknown[HCF_MAX_WORKERS * 2];
        uint32_t v = (uint32_t)c->a[1];
        struct lam_vcpu_info *where = &unknown[v % (HCF_MAX_WORKERS * 2)];
        for (unsigned int i = 0; i < HCF_SCRATCH; i++)
            if (mm_va_to_mfn(hcf_env.scratch_va[i]) == r->mfn)
                where = (struct lam_vcpu_info *)((uint8_t *)hcf_env.scratch_va[i] + r->offset);
        if (v < HCF_MAX_WORKERS * 2)
            hcf_vcpu_info_moved[v] = where;
    }
    return c->rc;
}

static void print_call(struct hcf_worker *w, const struct hcf_call *c)
{
    if (c->action)
        lam_printf("hcf: v%u #%lu %s:%s\n", w->id, (unsigned long)w->index, c->name, w->desc);
    else
        lam_printf("hcf: v%u #%lu %s(%lx, %lx, %lx, %lx, %lx)%s\n", w->id, (unsigned long)w->index,
                   c->name, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4], w->desc);
}

static void supervise(void)
{
    for (unsigned int k = 1; k < hcf_env.workers; k++)
        if (!hcf_workers[k].finished && hypercall_vcpu_op(LAM_VCPUOP_is_up, k, NULL) == 0)
            hypercall_vcpu_op(LAM_VCPUOP_up, k, NULL);
}

static void run_worker(unsigned int id)
{
    struct hcf_worker *w = &hcf_workers[id];
    volatile int marker = 0;
    stack_top[id] = (uint64_t)&marker + 1024;
    w->describe = hcf_opts.log || hcf_opts.replay;
    if (!hcf_opts.replay) {
        hcf_env_worker_init(w);
        mask_events(w);
    }
    uint64_t limit = hcf_opts.seconds * 1000000000ULL;
    while (w->index < hcf_opts.calls) {
        struct hcf_call c = {0};
        w->desc_len = 0;
        w->desc[0] = 0;
        hcf_arena_reset(w);
        hcf_generate(w, &c);
        if (hcf_opts.replay || hcf_opts.log)
            print_call(w, &c);
        if (!hcf_opts.replay && !dropped(w->index))
            hcf_issue(w, &c);
        w->index++;
        w->progress = w->index;
        if (hcf_opts.replay)
            continue;
        if (w->index % hcf_opts.heartbeat == 0)
            lam_printf("hcf: v%u %lu calls, %lu errors, %lu exceptions, %lu upcalls\n", id,
                       (unsigned long)w->index, (unsigned long)w->errors,
                       (unsigned long)w->exceptions, (unsigned long)w->upcalls);
        if (id == 0 && w->index % 64 == 0)
            supervise();
        if (limit && w->index % 16 == 0 && elapsed_ns() > limit)
            break;
    }
    w->finished = 1;
}

static void worker_entry(unsigned int id)
{
    run_worker(id);
}

/* --- The test ------------------------------------------------------------------------- */

static void finish(void)
{
    /* What the grammar may have left for the next shutdown or later: reset it. */
    uint32_t reason = LAM_SHUTDOWN_poweroff;
    hypercall_sched_op(LAM_SCHEDOP_shutdown_code, &reason);
    for (uint32_t id = 1; id <= 4; id++) {
        struct lam_sched_watchdog wd = {.id = id, .timeout = 0};
        hypercall_sched_op(LAM_SCHEDOP_watchdog, &wd);
    }
    hypercall_set_timer_op(0);
    hypercall_vcpu_op(LAM_VCPUOP_stop_periodic_timer, 0, NULL);
    hypercall_set_debugreg(7, 0);
    hypercall_fpu_taskswitch(0);
    hypercall_set_trap_table(NULL);
    lam_install_trap_table();
}

void test_main(void)
{
    parse_options();
    time_init();
    unsigned int n = smp_nr_vcpus();
    unsigned int workers = hcf_opts.vcpus ? hcf_opts.vcpus : n;
    if (workers > n)
        workers = n;
    if (workers > HCF_MAX_WORKERS)
        workers = HCF_MAX_WORKERS;
    if (hcf_opts.replay)
        workers = workers ? workers : 1;
    hcf_env.workers = workers;
    for (unsigned int k = 0; k < workers; k++) {
        hcf_workers[k].id = k;
        hcf_rng_seed(&hcf_workers[k].rng, hcf_opts.seed, k);
    }
    for (unsigned int k = 0; k < LAM_LEGACY_MAX_VCPUS && k < 2 * HCF_MAX_WORKERS; k++)
        lam_shared_info->vcpu_info[k].evtchn_upcall_mask = 1;
    hcf_env_init();
    lam_printf(
        "hcf: seed 0x%lx, %lu calls per worker%s, %u worker(s) of %u vCPU(s), avoid 0x%x%s\n",
        (unsigned long)hcf_opts.seed, (unsigned long)hcf_opts.calls,
        hcf_opts.seconds ? " (or the time limit)" : "", workers, n, hcf_opts.avoid,
        hcf_opts.replay ? ", replay only" : "");
    lam_callback_handler = on_callback;
    lam_unexpected_exception = on_exception;

    if (hcf_opts.replay) {
        for (unsigned int k = 0; k < workers; k++)
            run_worker(k);
        return;
    }
    uint64_t t0 = elapsed_ns();
    for (unsigned int k = 1; k < workers; k++) {
        long rc = smp_start_vcpu(k, worker_entry);
        if (rc)
            lam_panic("hcf: starting vCPU %u: %ld", k, rc);
    }
    run_worker(0);
    for (unsigned int k = 1; k < workers; k++) {
        uint64_t deadline = elapsed_ns() + 120000000000ULL;
        while (!hcf_workers[k].finished && elapsed_ns() < deadline) {
            supervise();
            hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
        }
        if (!hcf_workers[k].finished)
            lam_fail("worker v%u did not finish (at call %lu)", k,
                     (unsigned long)hcf_workers[k].progress);
    }
    uint64_t ns = elapsed_ns() - t0;
    finish();
    uint64_t calls = 0, errors = 0, actions = 0, exc = 0, fs = 0, up = 0;
    for (unsigned int k = 0; k < workers; k++) {
        struct hcf_worker *w = &hcf_workers[k];
        calls += w->calls;
        errors += w->errors;
        actions += w->actions;
        exc += w->exceptions;
        fs += w->failsafes;
        up += w->upcalls;
    }
    uint64_t ms = ns / 1000000 ? ns / 1000000 : 1;
    lam_printf("hcf: done: seed 0x%lx, %lu calls (%lu hypercalls, %lu other steps, %lu errors, "
               "%lu exceptions, %lu failsafe, %lu upcalls) in %lu ms: %lu calls/s\n",
               (unsigned long)hcf_opts.seed, (unsigned long)calls, (unsigned long)(calls - actions),
               (unsigned long)actions, (unsigned long)errors, (unsigned long)exc, (unsigned long)fs,
               (unsigned long)up, (unsigned long)ms, (unsigned long)(calls * 1000 / ms));
    LAM_CHECK(calls > 0, "no calls were issued");
}
