/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Event-channel operations with hostile arguments and under a race (the XSA-228/343/344
 * class), dom0 with two vCPUs, every answer compared with Xen 4.17's:
 * - which check comes first when a vCPU and a port are both bad (bind_vcpu, bind_virq,
 *   bind_ipi), vCPU numbers with bit 31 set, VIRQ numbers that are negative as an int;
 *   binding the other end of an IPI or VIRQ port; arguments that cannot be read; the FIFO
 *   and reset_cont commands and unknown ones;
 * - every port of the 2-level ABI taken (alloc_unbound until it fails), then given back;
 * - the race: vCPU 1 sends on, unmasks, moves (bind_vcpu) and asks the status of ports
 *   1..NR_RACE while vCPU 0 binds loopback pairs, IPIs and VIRQs there, closes one end of
 *   a pair while the other is being sent on, and resets the whole table (EVTCHNOP_reset),
 *   for about a second. Every answer vCPU 1 gets must be one a closed or a bound port
 *   gives (0 or -EINVAL), and afterwards every port is closed with nothing pending, and a
 *   new loopback pair still delivers.
 */
#include <lamina/errno.h>
#include <lamina/event_channel.h>
#include "mm_util.h"
#include "smp.h"

const char lam_test_title[] = "event channels: hostile arguments, exhaustion, close/reset races";

#define NR_RACE 48
#define RACE_NS 1000000000ull

static long op(int cmd, void *arg)
{
    return hypercall_event_channel_op(cmd, arg);
}

static long port_op(int cmd, uint32_t port)
{
    struct lam_evtchn_port_arg a = {.port = port};
    return op(cmd, &a);
}

static long status_of(uint32_t port, struct lam_evtchn_status *st)
{
    memset(st, 0, sizeof(*st));
    st->dom = LAM_DOMID_SELF;
    st->port = port;
    return op(LAM_EVTCHNOP_status, st);
}

static long alloc_self(uint32_t *port)
{
    struct lam_evtchn_alloc_unbound au = {.dom = LAM_DOMID_SELF, .remote_dom = LAM_DOMID_SELF};
    long rc = op(LAM_EVTCHNOP_alloc_unbound, &au);
    *port = rc ? 0 : au.port;
    return rc;
}

static void check_order(void)
{
    uint32_t a;
    mm_expect_rc("alloc_unbound", alloc_self(&a), 0);
    struct lam_evtchn_bind_vcpu bv = {.port = 5000, .vcpu = 9};
    long rc = op(LAM_EVTCHNOP_bind_vcpu, &bv);
    lam_printf("bind_vcpu(bad port, bad vCPU): %ld\n", rc);
    mm_expect_rc("bind_vcpu with a bad port and a bad vCPU: the vCPU is checked first", rc,
                 -LAM_ENOENT);
    bv = (struct lam_evtchn_bind_vcpu){.port = 0, .vcpu = 0x80000001u};
    mm_expect_rc("bind_vcpu to vCPU 0x80000001", op(LAM_EVTCHNOP_bind_vcpu, &bv), -LAM_ENOENT);
    bv = (struct lam_evtchn_bind_vcpu){.port = a, .vcpu = 1};
    mm_expect_rc("bind_vcpu of an unbound port to vCPU 1", op(LAM_EVTCHNOP_bind_vcpu, &bv), 0);

    struct lam_evtchn_bind_virq v = {.virq = 0xffffffffu, .vcpu = 0};
    mm_expect_rc("bind_virq(-1)", op(LAM_EVTCHNOP_bind_virq, &v), -LAM_EINVAL);
    v = (struct lam_evtchn_bind_virq){.virq = LAM_VIRQ_DOM_EXC, .vcpu = 9};
    mm_expect_rc("bind a global VIRQ to a vCPU that does not exist", op(LAM_EVTCHNOP_bind_virq, &v),
                 -LAM_EINVAL);
    v = (struct lam_evtchn_bind_virq){.virq = LAM_VIRQ_DEBUG, .vcpu = 0x80000000u};
    mm_expect_rc("bind_virq to vCPU 0x80000000", op(LAM_EVTCHNOP_bind_virq, &v), -LAM_ENOENT);
    struct lam_evtchn_bind_ipi ipi = {.vcpu = 0xffffffffu};
    mm_expect_rc("bind_ipi to vCPU ~0", op(LAM_EVTCHNOP_bind_ipi, &ipi), -LAM_ENOENT);

    /* The other end of an IPI or VIRQ port is not an unbound port. */
    ipi.vcpu = 1;
    mm_expect_rc("bind_ipi to vCPU 1", op(LAM_EVTCHNOP_bind_ipi, &ipi), 0);
    struct lam_evtchn_bind_interdomain b = {.remote_dom = LAM_DOMID_SELF, .remote_port = ipi.port};
    mm_expect_rc("bind_interdomain to our IPI port", op(LAM_EVTCHNOP_bind_interdomain, &b),
                 -LAM_EINVAL);
    v = (struct lam_evtchn_bind_virq){.virq = LAM_VIRQ_DEBUG, .vcpu = 1};
    mm_expect_rc("bind VIRQ_DEBUG on vCPU 1", op(LAM_EVTCHNOP_bind_virq, &v), 0);
    b.remote_port = v.port;
    mm_expect_rc("bind_interdomain to our VIRQ port", op(LAM_EVTCHNOP_bind_interdomain, &b),
                 -LAM_EINVAL);
    b = (struct lam_evtchn_bind_interdomain){.remote_dom = 0, .remote_port = a};
    mm_expect_rc("bind_interdomain by our own id", op(LAM_EVTCHNOP_bind_interdomain, &b), 0);
    struct lam_evtchn_status st;
    mm_expect_rc("status of the new end", status_of(b.local_port, &st), 0);
    mm_expect(st.status == LAM_EVTCHNSTAT_interdomain && st.u.interdomain.port == a,
              "... bound to our port");
    mm_expect_rc("status of the moved end", status_of(a, &st), 0);
    mm_expect(st.vcpu == 1, "... still notifies vCPU 1");
    mm_expect_rc("close the VIRQ", port_op(LAM_EVTCHNOP_close, v.port), 0);
    mm_expect_rc("close the IPI", port_op(LAM_EVTCHNOP_close, ipi.port), 0);
    mm_expect_rc("close one end", port_op(LAM_EVTCHNOP_close, a), 0);
    mm_expect_rc("close the other", port_op(LAM_EVTCHNOP_close, b.local_port), 0);

    /* Arguments that cannot be read, and commands this ABI does not have. */
    static const int cmds[] = {LAM_EVTCHNOP_bind_interdomain,
                               LAM_EVTCHNOP_bind_virq,
                               LAM_EVTCHNOP_close,
                               LAM_EVTCHNOP_send,
                               LAM_EVTCHNOP_status,
                               LAM_EVTCHNOP_alloc_unbound,
                               LAM_EVTCHNOP_bind_ipi,
                               LAM_EVTCHNOP_bind_vcpu,
                               LAM_EVTCHNOP_unmask,
                               LAM_EVTCHNOP_reset};
    for (unsigned int i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        mm_expect_rc("an argument in the hypervisor's slots",
                     op(cmds[i], (void *)0xffff830000000000ULL), -LAM_EFAULT);
    for (int cmd = 11; cmd <= 16; cmd++) {
        if (cmd == 14)
            continue; /* reset_cont, below */
        uint64_t junk[4] = {0};
        rc = op(cmd, junk);
        /* 11-13 are the FIFO ABI, refused by both (Lamina: -ENOSYS; docs/differences.md). */
        lam_printf("info: event_channel_op %d: %ld\n", cmd, rc);
        if (cmd > 14)
            mm_expect_rc("an unknown command", rc, -LAM_ENOSYS);
    }
    struct lam_evtchn_reset r = {.dom = LAM_DOMID_SELF};
    mm_expect_rc("reset_cont with no reset under way", op(LAM_EVTCHNOP_reset_cont, &r), -LAM_EBUSY);
    r.dom = 77;
    mm_expect_rc("reset_cont of a domain that does not exist", op(LAM_EVTCHNOP_reset_cont, &r),
                 -LAM_ESRCH);
    mm_expect_rc("command -1", op(-1, &st), -LAM_ENOSYS);
}

/* Take every port there is, then give them back. */
static void check_exhaustion(void)
{
    uint32_t p, first = 0, last = 0, n = 0;
    long rc;
    while (!(rc = alloc_self(&p))) {
        if (!first)
            first = p;
        last = p;
        n++;
        if (n > LAM_EVTCHN_2L_NR_CHANNELS) {
            lam_fail("more ports than the 2-level ABI has");
            break;
        }
    }
    lam_printf("exhaustion: %u ports (%u..%u), then %ld\n", n, first, last, rc);
    mm_expect_rc("alloc_unbound once every port is taken", rc, -LAM_ENOSPC);
    mm_expect(last == LAM_EVTCHN_2L_NR_CHANNELS - 1, "the last port is 4095");
    struct lam_evtchn_bind_ipi ipi = {.vcpu = 0};
    mm_expect_rc("bind_ipi with no port left", op(LAM_EVTCHNOP_bind_ipi, &ipi), -LAM_ENOSPC);
    struct lam_evtchn_bind_interdomain b = {.remote_dom = LAM_DOMID_SELF, .remote_port = first};
    mm_expect_rc("bind_interdomain with no local port left", op(LAM_EVTCHNOP_bind_interdomain, &b),
                 -LAM_ENOSPC);
    unsigned int bad = 0;
    for (uint32_t q = first; q <= last; q++)
        bad += port_op(LAM_EVTCHNOP_close, q) != 0;
    mm_expect(bad == 0, "every port closed again");
    mm_expect_rc("a port after the exhaustion", alloc_self(&p), 0);
    mm_expect(p == first, "... the lowest one");
    mm_expect_rc("close it", port_op(LAM_EVTCHNOP_close, p), 0);
}

/* ---- the race ---- */

static volatile int stop;
static volatile uint64_t hammer_calls, hammer_bad;
static volatile long last_bad_rc;
static volatile uint32_t last_bad_op;

static void note(long rc, uint32_t what)
{
    if (rc != 0 && rc != -LAM_EINVAL) {
        hammer_bad++;
        last_bad_rc = rc;
        last_bad_op = what;
    }
}

static void hammer(unsigned int id)
{
    (void)id;
    for (uint64_t i = 0; !__atomic_load_n(&stop, __ATOMIC_ACQUIRE); i++) {
        uint32_t p = 1 + (uint32_t)(i % NR_RACE);
        note(port_op(LAM_EVTCHNOP_send, p), 1000 + p);
        note(port_op(LAM_EVTCHNOP_unmask, p), 2000 + p);
        struct lam_evtchn_bind_vcpu bv = {.port = p, .vcpu = (uint32_t)(i & 1)};
        note(op(LAM_EVTCHNOP_bind_vcpu, &bv), 3000 + p);
        struct lam_evtchn_status st;
        note(status_of(p, &st), 4000 + p);
        if (i % 7 == 0)
            note(port_op(LAM_EVTCHNOP_close, 1 + (uint32_t)((i * 13) % NR_RACE)), 5000 + p);
        hammer_calls += 5;
    }
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return (uint32_t)(rnd_state % n);
}

static uint64_t churn(void)
{
    uint64_t rounds = 0, t0 = smp_now_ns();
    while (smp_now_ns() - t0 < RACE_NS) {
        uint32_t a, l;
        long rc;
        switch (rnd(6)) {
        case 0:
        case 1: /* a loopback pair, then close one end while vCPU 1 sends on the other */
            if (alloc_self(&a))
                break;
            {
                struct lam_evtchn_bind_interdomain b = {.remote_dom = LAM_DOMID_SELF,
                                                        .remote_port = a};
                rc = op(LAM_EVTCHNOP_bind_interdomain, &b);
                l = rc ? 0 : b.local_port;
            }
            if (l && rnd(2))
                port_op(LAM_EVTCHNOP_close, rnd(2) ? a : l);
            break;
        case 2: {
            struct lam_evtchn_bind_ipi ipi = {.vcpu = rnd(2)};
            op(LAM_EVTCHNOP_bind_ipi, &ipi);
            break;
        }
        case 3: {
            struct lam_evtchn_bind_virq v = {.virq = rnd(2) ? LAM_VIRQ_DEBUG : LAM_VIRQ_DOM_EXC,
                                             .vcpu = 0};
            if (v.virq == LAM_VIRQ_DEBUG)
                v.vcpu = rnd(2);
            op(LAM_EVTCHNOP_bind_virq, &v);
            break;
        }
        case 4:
            port_op(LAM_EVTCHNOP_close, 1 + rnd(NR_RACE));
            break;
        default:
            if (rnd(8) == 0) {
                struct lam_evtchn_reset r = {.dom = LAM_DOMID_SELF};
                rc = op(LAM_EVTCHNOP_reset, &r);
                if (rc)
                    lam_fail("reset during the race: %ld", rc);
            }
            break;
        }
        /* Keep the table within the ports vCPU 1 works on. */
        struct lam_evtchn_status st;
        if (!status_of(NR_RACE, &st) && st.status != LAM_EVTCHNSTAT_closed) {
            struct lam_evtchn_reset r = {.dom = LAM_DOMID_SELF};
            op(LAM_EVTCHNOP_reset, &r);
        }
        rounds++;
    }
    return rounds;
}

static void check_race(void)
{
    /* vCPU 1 must not take event callbacks it has no handler for: its events stay masked
     * (smp.c starts it so); pending bits and selectors are what the test looks at. */
    mm_expect_rc("start vCPU 1", smp_start_vcpu(1, hammer), 0);
    if (lam_status() != LAM_SUCCESS)
        return;
    uint64_t rounds = churn();
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    mm_expect(smp_wait_done(1, 20000) == 0, "vCPU 1 finished");
    lam_printf("race: %lu table changes on vCPU 0, %lu calls on vCPU 1, %lu unexpected\n",
               (unsigned long)rounds, (unsigned long)hammer_calls, (unsigned long)hammer_bad);
    if (hammer_bad)
        lam_fail("vCPU 1 got %ld from op %u", last_bad_rc, last_bad_op);
    mm_expect(rounds > 100 && hammer_calls > 100, "both vCPUs made progress");

    struct lam_evtchn_reset r = {.dom = LAM_DOMID_SELF};
    mm_expect_rc("reset after the race", op(LAM_EVTCHNOP_reset, &r), 0);
    unsigned int open = 0, pending = 0;
    for (uint32_t p = 1; p <= NR_RACE + 1; p++) {
        struct lam_evtchn_status st;
        if (status_of(p, &st) || st.status != LAM_EVTCHNSTAT_closed)
            open++;
        pending += lam_evtchn_pending(p);
    }
    mm_expect(open == 0, "every port closed by the reset");
    mm_expect(pending == 0, "no port left pending");

    uint32_t a;
    mm_expect_rc("a new unbound port", alloc_self(&a), 0);
    lam_evtchn_mask(a);
    struct lam_evtchn_bind_interdomain b = {.remote_dom = LAM_DOMID_SELF, .remote_port = a};
    mm_expect_rc("a new loopback pair", op(LAM_EVTCHNOP_bind_interdomain, &b), 0);
    lam_evtchn_mask(b.local_port);
    lam_evtchn_clear(b.local_port);
    mm_expect_rc("send on it", port_op(LAM_EVTCHNOP_send, b.local_port), 0);
    mm_expect(lam_evtchn_pending(a) == 1, "... delivered to the other end");
    mm_expect_rc("reset at the end", op(LAM_EVTCHNOP_reset, &r), 0);
}

void test_main(void)
{
    mm_init();
    if (!smp_test_vcpus())
        return;
    check_order();
    check_exhaustion();
    check_race();
}
