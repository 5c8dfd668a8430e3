/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Destroying a domain (domctl destroydomain) with a boot-time domU
 * (destroy-peer) that shut down while holding a read-write mapping of a dom0
 * grant and an event channel bound by dom0, while dom0 holds a mapping of the
 * domU's console ring page:
 *  - before: the grant entry shows the peer's mapping (GTF_reading|writing);
 *    getdomaininfo reports the shutdown and its reason; pause/unpause nest.
 *  - destroy: the peer's mapping is released (busy bits clear, so dom0 can
 *    revoke), dom0's end of the channel becomes unbound, the domain is listed
 *    as dying with exactly the one frame dom0 still maps, which stays usable.
 *  - after dom0 unmaps that frame, the domain is gone (-ESRCH).
 * Also: new maps of a dying domain's grants, pausing a dying domain, and the
 * scheduler parameters through scheduler_op. The frame audit must balance.
 */
#include <lamina/domctl.h>
#include <lamina/errno.h>
#include <lamina/event_channel.h>
#include <lamina/grant_table.h>
#include <lamina/sched.h>

#include "domctl_util.h"
#include "mm_util.h"

const char lam_test_title[] = "domain destruction: mappings, channels and memory released";

#define TREE_SLOT  302
#define PEER       1
#define DOM0_REF   10
#define HELLO      0x7065657220686921ULL
#define PEER_MAGIC 0x6d61707065642121ULL

#define VA_TABLE 0
#define VA_RING  1

static struct mm_tree tree;
static volatile struct lam_grant_entry_v1 *gtab;
static struct lam_domctl op;

static void *tree_va(unsigned int i)
{
    return (void *)(tree.base + (uint64_t)i * LAM_PAGE_SIZE);
}

static long domctl(uint32_t cmd, uint16_t dom)
{
    return lam_domctl(&op, cmd, dom);
}

static void yield(void)
{
    hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
}

static uint16_t gflags(unsigned int ref)
{
    return __atomic_load_n(&gtab[ref].flags, __ATOMIC_ACQUIRE);
}

static int16_t map(uint64_t va, uint32_t ref, uint16_t dom, uint32_t *handle)
{
    struct lam_gnttab_map_grant_ref m = {
        .host_addr = va, .flags = LAM_GNTMAP_host_map, .ref = ref, .dom = dom, .status = 99};
    mm_expect_rc("map_grant_ref hypercall",
                 hypercall_grant_table_op(LAM_GNTTABOP_map_grant_ref, &m, 1), 0);
    *handle = m.handle;
    return m.status;
}

static void setup_grant_table(uint64_t *page)
{
    uint64_t frames[1] = {0};
    struct lam_gnttab_setup_table st = {
        .dom = LAM_DOMID_SELF, .nr_frames = 1, .frame_list = (uint64_t)frames, .status = 99};
    mm_expect_rc("setup_table", hypercall_grant_table_op(LAM_GNTTABOP_setup_table, &st, 1), 0);
    mm_expect_rc(
        "map the grant frame RW",
        mm_update(mm_tab_ma(tree.l1, VA_TABLE), (frames[0] << LAM_PAGE_SHIFT) | MM_PTE_FLAGS), 0);
    mm_ext(LAM_MMUEXT_INVLPG_LOCAL, (uint64_t)tree_va(VA_TABLE));
    gtab = tree_va(VA_TABLE);
    gtab[DOM0_REF].domid = PEER;
    gtab[DOM0_REF].frame = (uint32_t)mm_va_to_mfn(page);
    __atomic_store_n(&gtab[DOM0_REF].flags, LAM_GTF_permit_access, __ATOMIC_RELEASE);
}

static void check_scheduler_op(void)
{
    struct lam_domctl_scheduler_op *s = &op.u.scheduler_op;
    domctl(LAM_DOMCTL_scheduler_op, 0);
    s->sched_id = LAM_SCHEDULER_CREDIT;
    s->cmd = LAM_DOMCTL_SCHEDOP_getinfo;
    mm_expect_rc("scheduler_op getinfo(d0)", hypercall_domctl(&op), 0);
    mm_expect(s->u.credit.weight == 256 && s->u.credit.cap == 0, "default weight 256, no cap");
    domctl(LAM_DOMCTL_scheduler_op, 0);
    s->sched_id = LAM_SCHEDULER_CREDIT;
    s->cmd = LAM_DOMCTL_SCHEDOP_putinfo;
    s->u.credit.weight = 512;
    s->u.credit.cap = 0xffff; /* leave the cap */
    mm_expect_rc("scheduler_op putinfo(d0, weight 512)", hypercall_domctl(&op), 0);
    s->cmd = LAM_DOMCTL_SCHEDOP_getinfo;
    mm_expect_rc("scheduler_op getinfo(d0)", hypercall_domctl(&op), 0);
    mm_expect(s->u.credit.weight == 512 && s->u.credit.cap == 0, "weight 512 stuck, cap kept");
    s->cmd = LAM_DOMCTL_SCHEDOP_putinfo;
    s->u.credit.weight = 256;
    s->u.credit.cap = 101;
    mm_expect_rc("a cap above 100% for one vCPU", hypercall_domctl(&op), -LAM_EINVAL);
    s->sched_id = 6; /* credit2: not the scheduler that runs */
    s->cmd = LAM_DOMCTL_SCHEDOP_getinfo;
    mm_expect_rc("scheduler_op for another scheduler", hypercall_domctl(&op), -LAM_EINVAL);
}

/* Before the destroy: the peer is up, has mapped our grant and shut down. */
static uint32_t meet_peer(volatile uint64_t *ring, volatile uint64_t *page)
{
    int ok = 0;
    for (int i = 0; i < 2000000 && !ok; i++) {
        ok = __atomic_load_n(&ring[0], __ATOMIC_ACQUIRE) == HELLO;
        if (!ok)
            yield();
    }
    mm_expect(ok, "the peer's greeting in its ring page");
    mm_expect(page[0] == PEER_MAGIC, "the peer wrote through its mapping of our grant");
    mm_expect((gflags(DOM0_REF) & (LAM_GTF_reading | LAM_GTF_writing)) ==
                  (LAM_GTF_reading | LAM_GTF_writing),
              "our grant entry shows the peer's read-write mapping");
    struct lam_evtchn_bind_interdomain b = {.remote_dom = PEER, .remote_port = (uint32_t)ring[1]};
    mm_expect_rc("bind the peer's port",
                 hypercall_event_channel_op(LAM_EVTCHNOP_bind_interdomain, &b), 0);

    mm_expect_rc("pausedomain(d1)", domctl(LAM_DOMCTL_pausedomain, PEER), 0);
    mm_expect_rc("pausedomain(d1) again", domctl(LAM_DOMCTL_pausedomain, PEER), 0);
    mm_expect_rc("getdomaininfo(d1)", domctl(LAM_DOMCTL_getdomaininfo, PEER), 0);
    mm_expect(op.u.getdomaininfo.flags & LAM_DOMINF_paused, "d1 is paused");
    mm_expect_rc("unpausedomain(d1)", domctl(LAM_DOMCTL_unpausedomain, PEER), 0);
    mm_expect_rc("unpausedomain(d1) second", domctl(LAM_DOMCTL_unpausedomain, PEER), 0);
    mm_expect_rc("unpausedomain(d1) once too often", domctl(LAM_DOMCTL_unpausedomain, PEER),
                 -LAM_EINVAL);

    uint32_t flags = 0;
    for (int i = 0; i < 2000000 && !(flags & LAM_DOMINF_shutdown); i++) {
        mm_expect_rc("getdomaininfo(d1)", domctl(LAM_DOMCTL_getdomaininfo, PEER), 0);
        flags = op.u.getdomaininfo.flags;
        if (!(flags & LAM_DOMINF_shutdown))
            yield();
    }
    lam_printf("d1 before destroy: flags 0x%x tot_pages %lu\n", flags,
               (unsigned long)op.u.getdomaininfo.tot_pages);
    mm_expect(flags & LAM_DOMINF_shutdown, "d1 shut down");
    mm_expect(((flags >> LAM_DOMINF_shutdown_shift) & LAM_DOMINF_shutdown_mask) ==
                  LAM_SHUTDOWN_poweroff,
              "with reason poweroff");
    mm_expect(!(flags & LAM_DOMINF_dying), "and is not dying yet");
    return b.local_port;
}

static void check_after_destroy(volatile uint64_t *ring, uint32_t port)
{
    mm_expect((gflags(DOM0_REF) & (LAM_GTF_reading | LAM_GTF_writing)) == 0,
              "the peer's mapping of our grant is gone: the entry is no longer busy");
    struct lam_evtchn_status st = {.dom = LAM_DOMID_SELF, .port = port};
    mm_expect_rc("status of our end", hypercall_event_channel_op(LAM_EVTCHNOP_status, &st), 0);
    mm_expect(st.status == LAM_EVTCHNSTAT_unbound && st.u.unbound.dom == PEER,
              "our end of the channel is unbound, still naming d1");

    mm_expect_rc("getdomaininfo(d1) while dying", domctl(LAM_DOMCTL_getdomaininfo, PEER), 0);
    const struct lam_domctl_getdomaininfo *i = &op.u.getdomaininfo;
    lam_printf("d1 dying: flags 0x%x tot_pages %lu vcpus %u\n", i->flags,
               (unsigned long)i->tot_pages, i->nr_online_vcpus);
    mm_expect(op.domain == PEER && (i->flags & LAM_DOMINF_dying) &&
                  (i->flags & LAM_DOMINF_shutdown),
              "d1 is listed as dying (and shut down)");
    mm_expect(i->tot_pages == 1, "only the frame we still map is left");
    mm_expect(i->nr_online_vcpus == 0, "no vCPU is online");

    mm_expect(ring[0] == HELLO, "the frame we map still reads as before");
    ring[2] = 42;
    mm_expect(ring[2] == 42, "and is still ours to write");

    uint32_t h;
    mm_expect(map((uint64_t)tree_va(VA_RING + 1), 1, PEER, &h) == LAM_GNTST_bad_domain,
              "a new map of a dying domain's grant is refused (bad domain)");
    mm_expect_rc("destroydomain(d1) again", domctl(LAM_DOMCTL_destroydomain, PEER), 0);
    mm_expect_rc("pausedomain of a dying domain", domctl(LAM_DOMCTL_pausedomain, PEER),
                 -LAM_EINVAL);
}

void test_main(void)
{
    mm_init();
    mm_expect_rc("build a tree for the mappings", mm_tree_build(&tree, TREE_SLOT), 0);
    uint64_t *page = mm_alloc_page();
    page[0] = 0;
    setup_grant_table(page);
    check_scheduler_op();

    uint32_t h_ring = 0;
    int16_t s = 1;
    for (int i = 0; i < 200000 && s != LAM_GNTST_okay; i++) {
        s = map((uint64_t)tree_va(VA_RING), 0, PEER, &h_ring);
        if (s != LAM_GNTST_okay)
            yield();
    }
    mm_expect(s == LAM_GNTST_okay, "map the peer's console ring (its reference 0)");
    if (s != LAM_GNTST_okay)
        return;
    volatile uint64_t *ring = tree_va(VA_RING);
    uint32_t port = meet_peer(ring, page);

    mm_expect_rc("destroydomain(d1)", domctl(LAM_DOMCTL_destroydomain, PEER), 0);
    check_after_destroy(ring, port);

    struct lam_gnttab_unmap_grant_ref u = {
        .host_addr = (uint64_t)tree_va(VA_RING), .handle = h_ring, .status = 99};
    mm_expect_rc("unmap the last frame of d1",
                 hypercall_grant_table_op(LAM_GNTTABOP_unmap_grant_ref, &u, 1), 0);
    mm_expect(u.status == LAM_GNTST_okay, "unmap status okay");
    mm_expect_rc("getdomaininfo(d1) once its last frame is unmapped",
                 domctl(LAM_DOMCTL_getdomaininfo, PEER), -LAM_ESRCH);
    mm_expect_rc("destroydomain(d1) after it is gone", domctl(LAM_DOMCTL_destroydomain, PEER),
                 -LAM_ESRCH);

    struct lam_evtchn_port_arg c = {.port = port};
    mm_expect_rc("close our end", hypercall_event_channel_op(LAM_EVTCHNOP_close, &c), 0);
    uint16_t old = gflags(DOM0_REF);
    mm_expect(__atomic_compare_exchange_n(&gtab[DOM0_REF].flags, &old, 0, 0, __ATOMIC_ACQ_REL,
                                          __ATOMIC_ACQUIRE),
              "revoke our grant");
    mm_expect_rc("tear the tree down", mm_tree_destroy(&tree), 0);
}
