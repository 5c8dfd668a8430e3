/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Destroying a domain while another vCPU of dom0 keeps naming it by id: dom0
 * vCPU 1 hammers the domU (churn-peer, busy pinning page tables) with grant
 * copies out of its ring page, grant maps and unmaps of it, sends on an
 * interdomain channel bound to one of its ports, new ports allocated in it,
 * evtchn_status of it and increase_reservation for it. vCPU 0 maps the ring
 * page too, destroys the domain, lets vCPU 1 go on against the dying domain
 * (kept by vCPU 0's mapping) for a while, unmaps, and waits until it is gone
 * (reaped on some CPU's way out to a guest while vCPU 1 looks it up over and
 * over); vCPU 1 goes on a while longer.
 *
 * An operation that began after destroydomain returned must not succeed:
 * copies and maps answer GNTST_bad_domain, ports and frames are refused
 * (-EINVAL for a dying domain, -ESRCH once it is gone), status answers
 * -ESRCH once it is gone. A mapping made before the destroy still unmaps.
 * No hypervisor crash, the domain goes away, and the frame audit balances
 * (checked by the runner).
 */
#include <lamina/domctl.h>
#include <lamina/errno.h>
#include <lamina/event_channel.h>
#include <lamina/grant_table.h>
#include <lamina/memory.h>
#include <lamina/sched.h>

#include "domctl_util.h"
#include "mm_util.h"
#include "smp.h"

const char lam_test_title[] = "destroying a domain while another vCPU keeps using it by id";

#define TREE_SLOT  302
#define PEER       1
#define EXTRA_KIB  64 /* max_mem headroom: a few frames increase_reservation may add */
#define MIN_BEFORE 300
#define MIN_AFTER  3000

static struct mm_tree tree;
static struct lam_domctl op;
static uint64_t *local;
static uint32_t local_port, peer_port;

/* vCPU 1's findings; vCPU 0 reads them once vCPU 1 has stopped. */
static volatile int stop, destroyed, gone;
static volatile uint64_t ops, ops_after, ops_gone;
static uint32_t held_handle; /* vCPU 0's mapping of the ring page */
static volatile uint64_t copies_ok, maps_ok, ports_ok, frames_ok, early_refusals;
static volatile uint64_t ok_after;    /* anything that worked though it began after the destroy */
static volatile uint64_t bad_answers; /* an error code not in the expected set */
static volatile uint64_t unmap_failures; /* a mapping made before the destroy that did not unmap */
static volatile int64_t first_bad;       /* the first unexpected answer, for the log */

static void note_bad(int64_t what)
{
    if (!bad_answers++)
        first_bad = what;
}

static int16_t copy_from_peer(void)
{
    struct lam_gnttab_copy c = {
        .source = {.u.ref = 0, .domid = PEER, .offset = 0},
        .dest = {.u.gmfn = mm_va_to_mfn(local), .domid = LAM_DOMID_SELF, .offset = 0},
        .len = 8,
        .flags = LAM_GNTCOPY_source_gref,
        .status = 99};
    if (hypercall_grant_table_op(LAM_GNTTABOP_copy, &c, 1))
        return 99;
    return c.status;
}

/* Map the peer's ring read-only and unmap it again; the mapping outlives a destroy. */
static int16_t map_unmap_peer(void)
{
    struct lam_gnttab_map_grant_ref m = {.host_addr = tree.base,
                                         .flags = LAM_GNTMAP_host_map | LAM_GNTMAP_readonly,
                                         .ref = 0,
                                         .dom = PEER,
                                         .status = 99};
    if (hypercall_grant_table_op(LAM_GNTTABOP_map_grant_ref, &m, 1))
        return 99;
    if (m.status == LAM_GNTST_okay) {
        struct lam_gnttab_unmap_grant_ref u = {
            .host_addr = tree.base, .handle = m.handle, .status = 99};
        if (hypercall_grant_table_op(LAM_GNTTABOP_unmap_grant_ref, &u, 1) || u.status)
            unmap_failures++;
    }
    return m.status;
}

static long alloc_peer_port(void)
{
    struct lam_evtchn_alloc_unbound a = {.dom = PEER, .remote_dom = 0};
    return hypercall_event_channel_op(LAM_EVTCHNOP_alloc_unbound, &a);
}

static long peer_port_status(void)
{
    struct lam_evtchn_status st = {.dom = PEER, .port = peer_port};
    return hypercall_event_channel_op(LAM_EVTCHNOP_status, &st);
}

static long send_local(void)
{
    struct lam_evtchn_port_arg s = {.port = local_port};
    return hypercall_event_channel_op(LAM_EVTCHNOP_send, &s);
}

static long grow_peer(void)
{
    uint64_t frame = 0;
    struct lam_memory_reservation r = {
        .extent_start = (uint64_t)&frame, .nr_extents = 1, .extent_order = 0, .domid = PEER};
    return hypercall_memory_op(LAM_XENMEM_increase_reservation, &r);
}

/* One round of everything; `after`: destroydomain had returned before it began. */
static void one_round(uint64_t n, int after, int is_gone)
{
    int16_t st = copy_from_peer();
    if (st == LAM_GNTST_okay) {
        copies_ok++;
        ok_after += after;
    } else if (st == LAM_GNTST_bad_domain) {
        early_refusals += !after;
    } else {
        note_bad(1000 + st);
    }

    long rc = send_local(); /* bound, or unbound once the peer's end closed: 0 either way */
    if (rc)
        note_bad(2000 + rc);

    if (n % 8 == 0) {
        st = map_unmap_peer();
        if (st == LAM_GNTST_okay) {
            maps_ok++;
            ok_after += after;
        } else if (st != LAM_GNTST_bad_domain) {
            note_bad(3000 + st);
        }
    }
    if (n % 16 == 0) {
        /* Refused: -EINVAL dying, -ESRCH gone, -ENOSPC (before the destroy) table full. */
        rc = alloc_peer_port();
        if (rc == 0) {
            ports_ok++;
            ok_after += after;
        } else if (rc != -LAM_EINVAL && rc != -LAM_ESRCH && (after || rc != -LAM_ENOSPC)) {
            note_bad(4000 + rc);
        }
    }
    if (n % 64 == 0) {
        rc = grow_peer(); /* extents done: 1, or 0 at the limit or when dying */
        if (rc == 1) {
            frames_ok++;
            ok_after += after;
        } else if (rc != 0 && rc != -LAM_ESRCH) {
            note_bad(5000 + rc);
        }
    }
    rc = peer_port_status();
    if (is_gone ? rc != -LAM_ESRCH : rc != 0 && rc != -LAM_ESRCH)
        note_bad(6000 + rc);
}

static void hammer(unsigned int id)
{
    (void)id;
    for (uint64_t n = 0; !__atomic_load_n(&stop, __ATOMIC_ACQUIRE); n++) {
        int after = __atomic_load_n(&destroyed, __ATOMIC_ACQUIRE);
        int is_gone = __atomic_load_n(&gone, __ATOMIC_ACQUIRE);
        one_round(n, after, is_gone);
        ops_after += after;
        ops_gone += is_gone;
        __atomic_store_n(&ops, ops + 1, __ATOMIC_RELEASE);
    }
}

/* The peer's port its builder left unbound for dom0 (store or console). */
static uint32_t find_peer_port(void)
{
    for (uint32_t p = 1; p < 16; p++) {
        struct lam_evtchn_status st = {.dom = PEER, .port = p};
        if (!hypercall_event_channel_op(LAM_EVTCHNOP_status, &st) &&
            st.status == LAM_EVTCHNSTAT_unbound && st.u.unbound.dom == 0)
            return p;
    }
    return 0;
}

static int wait_ops(volatile uint64_t *counter, uint64_t want)
{
    for (int i = 0; i < 20000000 && __atomic_load_n(counter, __ATOMIC_ACQUIRE) < want; i++)
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    return *counter >= want;
}

static int setup(void)
{
    mm_expect_rc("build a tree for the mappings", mm_tree_build(&tree, TREE_SLOT), 0);
    local = mm_alloc_page();
    mm_expect(local != NULL, "a page for the copies");
    peer_port = find_peer_port();
    mm_expect(peer_port != 0, "the peer has a port left unbound for dom0");
    struct lam_evtchn_bind_interdomain b = {.remote_dom = PEER, .remote_port = peer_port};
    mm_expect_rc("bind it", hypercall_event_channel_op(LAM_EVTCHNOP_bind_interdomain, &b), 0);
    local_port = b.local_port;
    mm_expect_rc("getdomaininfo(d1)", lam_domctl(&op, LAM_DOMCTL_getdomaininfo, PEER), 0);
    uint64_t kib = op.u.getdomaininfo.tot_pages * 4 + EXTRA_KIB;
    memset(&op, 0, sizeof(op));
    op.cmd = LAM_DOMCTL_max_mem;
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    op.domain = PEER;
    op.u.max_mem.max_memkb = kib;
    mm_expect_rc("max_mem(d1): room for a few more frames", hypercall_domctl(&op), 0);
    return local && peer_port && local_port;
}

void test_main(void)
{
    mm_init();
    if (smp_nr_vcpus() < 2) {
        lam_skip("needs 2 vCPUs (dom0_max_vcpus=2)");
        return;
    }
    if (!setup())
        return;
    mm_expect(copy_from_peer() == LAM_GNTST_okay, "copy out of the peer's ring before anything");
    uint64_t held_va = tree.base + LAM_PAGE_SIZE;
    struct lam_gnttab_map_grant_ref m = {.host_addr = held_va,
                                         .flags = LAM_GNTMAP_host_map | LAM_GNTMAP_readonly,
                                         .ref = 0,
                                         .dom = PEER,
                                         .status = 99};
    mm_expect_rc("map the peer's ring (kept across the destroy)",
                 hypercall_grant_table_op(LAM_GNTTABOP_map_grant_ref, &m, 1), 0);
    mm_expect(m.status == LAM_GNTST_okay, "mapped");
    held_handle = m.handle;
    mm_expect_rc("start vCPU 1", smp_start_vcpu(1, hammer), 0);
    mm_expect(wait_ops(&ops, MIN_BEFORE), "vCPU 1 is hammering the peer");
    uint64_t before = copies_ok;

    mm_expect_rc("destroydomain(d1) under fire", lam_domctl(&op, LAM_DOMCTL_destroydomain, PEER),
                 0);
    __atomic_store_n(&destroyed, 1, __ATOMIC_RELEASE);
    mm_expect(wait_ops(&ops_after, MIN_AFTER), "vCPU 1 goes on against the dying domain");
    long rc = lam_domctl(&op, LAM_DOMCTL_getdomaininfo, PEER);
    mm_expect(rc == 0 && op.domain == PEER && (op.u.getdomaininfo.flags & LAM_DOMINF_dying) &&
                  op.u.getdomaininfo.tot_pages == 1,
              "it is dying, with only the frame we map left");
    lam_printf("d1 while dying: tot_pages %lu\n", (unsigned long)op.u.getdomaininfo.tot_pages);
    uint64_t word;
    mm_expect(mm_try_read((volatile uint64_t *)held_va, &word) == 0,
              "our mapping of its ring still reads");
    struct lam_gnttab_unmap_grant_ref u = {
        .host_addr = held_va, .handle = held_handle, .status = 99};
    mm_expect_rc("unmap it", hypercall_grant_table_op(LAM_GNTTABOP_unmap_grant_ref, &u, 1), 0);
    mm_expect(u.status == LAM_GNTST_okay, "unmapped");

    /* Gone once nothing references it: vCPU 1's in-flight mapping goes at its next unmap. */
    for (int i = 0; i < 2000000; i++) {
        rc = lam_domctl(&op, LAM_DOMCTL_getdomaininfo, PEER);
        if (rc == -LAM_ESRCH || (rc == 0 && op.domain != PEER))
            break;
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    }
    mm_expect(rc == -LAM_ESRCH || (rc == 0 && op.domain != PEER),
              "the destroyed domain is gone while vCPU 1 keeps looking it up");
    __atomic_store_n(&gone, 1, __ATOMIC_RELEASE);
    mm_expect(wait_ops(&ops_gone, MIN_AFTER), "vCPU 1 kept going after it was gone");
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    mm_expect_rc("vCPU 1 stopped", smp_wait_done(1, 20000), 0);

    lam_printf("%lu rounds (%lu after the destroy, %lu after it was gone); before: %lu copies, "
               "%lu maps, %lu ports, %lu frames; %lu refusals while the destroy ran\n",
               (unsigned long)ops, (unsigned long)ops_after, (unsigned long)ops_gone,
               (unsigned long)before, (unsigned long)maps_ok, (unsigned long)ports_ok,
               (unsigned long)frames_ok, (unsigned long)early_refusals);
    mm_expect(before >= 1, "copies worked before the destroy");
    mm_expect(ops_after - ops_gone >= MIN_AFTER, "vCPU 1 ran on while the domain was dying");
    mm_expect(ok_after == 0, "nothing that began after the destroy succeeded");
    if (bad_answers)
        lam_printf("%lu unexpected answers, the first %ld\n", (unsigned long)bad_answers,
                   (long)first_bad);
    mm_expect(bad_answers == 0, "every refusal had the expected code");
    mm_expect(unmap_failures == 0, "every mapping made unmapped again");
    rc = send_local();
    mm_expect_rc("send on our end (now unbound)", rc, 0);
    struct lam_evtchn_status st = {.dom = LAM_DOMID_SELF, .port = local_port};
    mm_expect_rc("status of our end", hypercall_event_channel_op(LAM_EVTCHNOP_status, &st), 0);
    mm_expect(st.status == LAM_EVTCHNSTAT_unbound, "our end is unbound");
    mm_expect_rc("tear the tree down", mm_tree_destroy(&tree), 0);
}
