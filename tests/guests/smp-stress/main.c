/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stress from every vCPU at once for a few seconds: each vCPU maps and unmaps
 * a self-grant of its own page (checking what it reads through the mapping),
 * while one event token travels round the vCPUs over IPI ports: the vCPU
 * that finds its port pending clears it, checks the token's count and passes
 * it on. There is one token, so nothing may coalesce: the final count must
 * equal the hops every vCPU saw. No hang, no map failure, no grant left
 * marked in use, and (Lamina) a balanced frame audit.
 */
#include <lamina/grant_table.h>

#include "mm_util.h"
#include "smp.h"

const char lam_test_title[] = "stress: grant maps and an event token from every vCPU";

#define TREE_SLOT 302
#define SELF      0 /* the test kernel is dom0 */
#define RUN_NS    3000000000ull
#define FIRST_REF 8

static struct mm_tree tree;
static volatile struct lam_grant_entry_v1 *gtab;
static unsigned int nr;
static uint32_t port_to[SMP_MAX_VCPUS];
static uint64_t *page[SMP_MAX_VCPUS];
static volatile uint64_t token;
static volatile int stop;
static volatile uint64_t hops[SMP_MAX_VCPUS], maps[SMP_MAX_VCPUS], errors[SMP_MAX_VCPUS];
static volatile uint64_t token_mismatch;

static void *tree_va(unsigned int i)
{
    return (void *)(tree.base + (uint64_t)i * LAM_PAGE_SIZE);
}

static void map_once(unsigned int id)
{
    volatile uint64_t *va = tree_va(1 + id);
    struct lam_gnttab_map_grant_ref m = {.host_addr = (uint64_t)va,
                                         .flags = LAM_GNTMAP_host_map,
                                         .ref = FIRST_REF + id,
                                         .dom = SELF,
                                         .status = 99};
    if (hypercall_grant_table_op(LAM_GNTTABOP_map_grant_ref, &m, 1) || m.status) {
        errors[id]++;
        return;
    }
    if (va[id] != 0x6772616e7400ull + id)
        errors[id]++;
    struct lam_gnttab_unmap_grant_ref u = {
        .host_addr = (uint64_t)va, .handle = m.handle, .status = 99};
    if (hypercall_grant_table_op(LAM_GNTTABOP_unmap_grant_ref, &u, 1) || u.status)
        errors[id]++;
    maps[id]++;
}

static void pass_token(unsigned int id)
{
    if (!lam_evtchn_pending(port_to[id]))
        return;
    lam_evtchn_clear(port_to[id]);
    uint64_t t = __atomic_load_n(&token, __ATOMIC_ACQUIRE);
    uint64_t total = 0;
    for (unsigned int v = 0; v < nr; v++)
        total += hops[v];
    if (t != total)
        token_mismatch++;
    hops[id]++;
    __atomic_store_n(&token, t + 1, __ATOMIC_RELEASE);
    smp_send(port_to[(id + 1) % nr]);
}

static void worker(unsigned int id)
{
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        map_once(id);
        pass_token(id);
    }
}

static int setup_grants(void)
{
    uint64_t frames[1] = {0};
    struct lam_gnttab_setup_table st = {
        .dom = LAM_DOMID_SELF, .nr_frames = 1, .frame_list = (uint64_t)frames, .status = 99};
    if (hypercall_grant_table_op(LAM_GNTTABOP_setup_table, &st, 1) || st.status)
        return -1;
    if (mm_update(mm_tab_ma(tree.l1, 0), (frames[0] << LAM_PAGE_SHIFT) | MM_PTE_FLAGS))
        return -1;
    mm_ext(LAM_MMUEXT_INVLPG_LOCAL, (uint64_t)tree_va(0));
    gtab = tree_va(0);
    for (unsigned int v = 0; v < nr; v++) {
        page[v][v] = 0x6772616e7400ull + v;
        gtab[FIRST_REF + v].domid = SELF;
        gtab[FIRST_REF + v].frame = (uint32_t)mm_va_to_mfn(page[v]);
        __atomic_store_n(&gtab[FIRST_REF + v].flags, LAM_GTF_permit_access, __ATOMIC_RELEASE);
    }
    return 0;
}

void test_main(void)
{
    mm_init();
    nr = smp_test_vcpus();
    if (!nr)
        return;
    lam_printf("vCPUs: %u\n", nr);
    for (unsigned int v = 0; v < nr; v++)
        if (!(page[v] = mm_alloc_page())) {
            lam_error("out of pages");
            return;
        }
    long rc = mm_tree_build(&tree, TREE_SLOT);
    if (rc || setup_grants()) {
        lam_error("setup failed (tree rc %ld)", rc);
        return;
    }
    for (unsigned int v = 0; v < nr; v++)
        port_to[v] = smp_bind_ipi(v);
    for (unsigned int v = 1; v < nr; v++)
        mm_expect_rc("start a vCPU", smp_start_vcpu(v, worker), 0);

    uint64_t end = smp_now_ns() + RUN_NS;
    smp_send(port_to[0]); /* the token starts at vCPU 0 */
    while (smp_now_ns() < end) {
        map_once(0);
        pass_token(0);
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    int all_done = 1;
    for (unsigned int v = 1; v < nr; v++)
        all_done &= smp_wait_done(v, 10000) == 0;
    mm_expect(all_done, "every vCPU stopped");

    uint64_t total_hops = 0, total_maps = 0, total_errors = 0;
    for (unsigned int v = 0; v < nr; v++) {
        lam_printf("vCPU %u: %lu grant maps, %lu token hops, %lu errors\n", v,
                   (unsigned long)maps[v], (unsigned long)hops[v], (unsigned long)errors[v]);
        total_hops += hops[v];
        total_maps += maps[v];
        total_errors += errors[v];
        mm_expect(maps[v] > 0 && hops[v] > 0, "every vCPU mapped grants and passed the token");
    }
    mm_expect(total_errors == 0, "no grant map, read or unmap failed");
    mm_expect(token_mismatch == 0 && token == total_hops, "the token counted every hop once");
    unsigned int in_use = 0;
    for (unsigned int v = 0; v < nr; v++)
        in_use += (gtab[FIRST_REF + v].flags & (LAM_GTF_reading | LAM_GTF_writing)) != 0;
    mm_expect(in_use == 0, "no grant left marked in use");
    for (unsigned int v = 0; v < nr; v++)
        lam_evtchn_clear(port_to[v]); /* the token in flight when we stopped */
    lam_printf("total: %lu grant maps, %lu token hops in %lu s\n", (unsigned long)total_maps,
               (unsigned long)total_hops, (unsigned long)(RUN_NS / 1000000000ull));
    mm_expect_rc("unmap the grant frame", mm_update(mm_tab_ma(tree.l1, 0), 0), 0);
    mm_expect_rc("tree teardown", mm_tree_destroy(&tree), 0);
}
