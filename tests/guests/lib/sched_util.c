/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Scheduler test helpers: pvclock, the domU's shared page, sleeping.
 */
#include <lamina/event_channel.h>
#include <lamina/grant_table.h>
#include <lamina/sched.h>

#include "sched_util.h"

uint64_t sched_pvclock_ns(void)
{
    return lam_pvclock_ns();
}

long sched_map_peer(uint64_t va, uint16_t dom, uint32_t *handle)
{
    struct lam_gnttab_map_grant_ref op = {
        .host_addr = va, .flags = LAM_GNTMAP_host_map, .ref = 0, .dom = dom, .status = 99};
    long rc = hypercall_grant_table_op(LAM_GNTTABOP_map_grant_ref, &op, 1);
    if (rc)
        return rc;
    *handle = op.handle;
    return op.status;
}

long sched_unmap_peer(uint64_t va, uint32_t handle)
{
    struct lam_gnttab_unmap_grant_ref op = {.host_addr = va, .handle = handle, .status = 99};
    long rc = hypercall_grant_table_op(LAM_GNTTABOP_unmap_grant_ref, &op, 1);
    return rc ? rc : op.status;
}

int sched_wait_peer(volatile struct sched_peer_page *p, uint64_t max_ns)
{
    uint64_t end = sched_pvclock_ns() + max_ns;
    while (p->magic != PEER_MAGIC_VALUE) {
        if (sched_pvclock_ns() > end)
            return -1;
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    }
    return 0;
}

uint64_t sched_peer_running_ns(volatile struct sched_peer_page *p)
{
    return p->runstate.time[LAM_RUNSTATE_running];
}

uint64_t sched_median(uint64_t *v, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            uint64_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return n ? v[n / 2] : 0;
}

void sched_sleep_until(uint64_t deadline_ns)
{
    /* A port of ours that never fires: an unbound one, masked. */
    static uint32_t quiet_port;
    if (!quiet_port) {
        struct lam_evtchn_alloc_unbound au = {.dom = LAM_DOMID_SELF, .remote_dom = LAM_DOMID_SELF};
        if (hypercall_event_channel_op(LAM_EVTCHNOP_alloc_unbound, &au))
            lam_panic("alloc_unbound for sleeping failed");
        quiet_port = au.port;
        lam_evtchn_mask(quiet_port);
    }
    while (sched_pvclock_ns() < deadline_ns) {
        struct lam_sched_poll p = {
            .ports = (uint64_t)(uintptr_t)&quiet_port, .nr_ports = 1, .timeout = deadline_ns};
        hypercall_sched_op(LAM_SCHEDOP_poll, &p);
    }
}

int sched_attach_peers(struct mm_tree *tree, unsigned int n, volatile struct sched_peer_page **peer,
                       uint32_t *handle)
{
    mm_init();
    mm_expect_rc("build a tree for the mappings", mm_tree_build(tree, 302), 0);
    for (unsigned int i = 0; i < n && lam_status() == LAM_SUCCESS; i++) {
        uint64_t va = tree->base + (uint64_t)i * LAM_PAGE_SIZE;
        mm_expect_rc("map the domU's shared page",
                     sched_map_peer(va, (uint16_t)(i + 1), &handle[i]), 0);
        peer[i] = (volatile struct sched_peer_page *)va;
        if (lam_status() == LAM_SUCCESS)
            LAM_CHECK(sched_wait_peer(peer[i], 5000000000ull) == 0, "d%u is up", i + 1);
    }
    return lam_status() == LAM_SUCCESS ? 0 : -1;
}
