/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sysctl as the toolstack uses it (physinfo, sched_id, getdomaininfolist, readconsole with
 * its incremental index and clear), and the order in which domctl and sysctl refuse: the
 * interface version (-EACCES), then the domain (-ESRCH), then the caller (-EPERM). As dom0
 * on Xen 4.17 and Lamina; as an unprivileged boot-time domU on Lamina (sysctl-info-domu),
 * where everything privileged must be -EPERM in Xen's order and a foreign
 * populate_physmap does no extent.
 */
#include <lamina/domctl.h>
#include <lamina/errno.h>
#include <lamina/memory.h>
#include <lamina/sysctl.h>

#include "domctl_util.h"
#include "mm_util.h"

const char lam_test_title[] =
    "sysctl-info: physinfo, sched_id, domain list, log ring; refusal order";

static struct lam_sysctl s;
static struct lam_domctl op;
static char ring[4096];

static long sysctl(uint32_t cmd)
{
    memset(&s, 0, sizeof(s));
    s.cmd = cmd;
    s.interface_version = LAM_SYSCTL_INTERFACE_VERSION;
    return hypercall_sysctl(&s);
}

static long readconsole(int incremental, int clear, uint32_t index, uint32_t count)
{
    memset(&s, 0, sizeof(s));
    s.cmd = LAM_SYSCTL_readconsole;
    s.interface_version = LAM_SYSCTL_INTERFACE_VERSION;
    s.u.readconsole.incremental = (uint8_t)incremental;
    s.u.readconsole.clear = (uint8_t)clear;
    s.u.readconsole.index = index;
    s.u.readconsole.buffer = (uint64_t)ring;
    s.u.readconsole.count = count;
    return hypercall_sysctl(&s);
}

static void check_privileged(void)
{
    mm_expect_rc("physinfo", sysctl(LAM_SYSCTL_physinfo), 0);
    const struct lam_sysctl_physinfo *p = &s.u.physinfo;
    lam_printf("physinfo: %u CPU(s) (max id %u), %u thread(s)/core, %u core(s)/socket, %u kHz, "
               "caps 0x%x, %lu of %lu pages free, max_mfn 0x%lx, hw_cap[0] 0x%x\n",
               p->nr_cpus, p->max_cpu_id, p->threads_per_core, p->cores_per_socket, p->cpu_khz,
               p->capabilities, (unsigned long)p->free_pages, (unsigned long)p->total_pages,
               (unsigned long)p->max_mfn, p->hw_cap[0]);
    mm_expect(p->nr_cpus >= 1 && p->max_cpu_id + 1 >= p->nr_cpus, "CPUs counted");
    mm_expect(p->threads_per_core >= 1 && p->cores_per_socket >= 1, "a topology");
    mm_expect(p->cpu_khz > 100000, "a CPU clock above 100 MHz");
    mm_expect((p->capabilities & (LAM_SYSCTL_PHYSCAP_pv | LAM_SYSCTL_PHYSCAP_gnttab_v1)) ==
                  (LAM_SYSCTL_PHYSCAP_pv | LAM_SYSCTL_PHYSCAP_gnttab_v1),
              "PV guests and grant tables v1");
    /* HVM and HAP differ: Xen 4.17 under QEMU reports them (0x30b), Lamina has neither. */
    mm_expect(p->free_pages > 0 && p->free_pages < p->total_pages, "some memory free, not all");
    mm_expect(p->max_mfn >= p->total_pages - 1 && p->nr_nodes == 1, "max_mfn covers RAM, one node");
    mm_expect(p->hw_cap[0] & 1, "hw_cap[0] is CPUID 1 EDX (FPU)");

    mm_expect_rc("sched_id", sysctl(LAM_SYSCTL_sched_id), 0);
    uint32_t id = s.u.sched_id.sched_id;
    lam_printf("scheduler %u\n", id);
    lam_domctl(&op, LAM_DOMCTL_scheduler_op, 0);
    op.u.scheduler_op.sched_id = id;
    op.u.scheduler_op.cmd = LAM_DOMCTL_SCHEDOP_getinfo;
    mm_expect_rc("scheduler_op getinfo with that id", hypercall_domctl(&op), 0);

    static struct lam_domctl_getdomaininfo list[4];
    memset(&s, 0, sizeof(s));
    s.cmd = LAM_SYSCTL_getdomaininfolist;
    s.interface_version = LAM_SYSCTL_INTERFACE_VERSION;
    s.u.getdomaininfolist.max_domains = 4;
    s.u.getdomaininfolist.buffer = (uint64_t)list;
    mm_expect_rc("getdomaininfolist from 0", hypercall_sysctl(&s), 0);
    mm_expect(s.u.getdomaininfolist.num_domains == 1 && list[0].domain == 0 &&
                  list[0].nr_online_vcpus == 1,
              "one domain: us");
    s.u.getdomaininfolist.first_domain = 1;
    mm_expect_rc("getdomaininfolist from 1", hypercall_sysctl(&s), 0);
    mm_expect(s.u.getdomaininfolist.num_domains == 0, "no other domain");

    /* The log ring: a plain read gives the oldest bytes held, the index where it stopped. */
    mm_expect_rc("readconsole", readconsole(0, 0, 0, 64), 0);
    uint32_t n = s.u.readconsole.count, idx = s.u.readconsole.index;
    lam_printf("readconsole: %u bytes, index %u\n", n, idx);
    mm_expect(n == 64, "the ring holds the boot log");
    mm_expect_rc("readconsole from that index", readconsole(1, 0, idx, 64), 0);
    mm_expect(s.u.readconsole.index == idx + s.u.readconsole.count, "it went on from there");
    /* Read to the end, clear: a plain read then finds nothing held. */
    uint32_t end = idx;
    for (unsigned int i = 0; i < 1000; i++) {
        if (readconsole(1, 0, end, sizeof(ring)) || s.u.readconsole.count == 0)
            break;
        end = s.u.readconsole.index;
    }
    mm_expect_rc("readconsole, clear", readconsole(1, 1, end, sizeof(ring)), 0);
    mm_expect_rc("readconsole after the clear", readconsole(0, 0, 0, sizeof(ring)), 0);
    mm_expect(s.u.readconsole.count == 0 && s.u.readconsole.index == end,
              "nothing held after a clear at the end");
}

static void check_order(int privileged)
{
    long perm = privileged ? 0 : -LAM_EPERM;
    memset(&s, 0, sizeof(s));
    s.cmd = LAM_SYSCTL_sched_id;
    s.interface_version = LAM_SYSCTL_INTERFACE_VERSION + 1;
    mm_expect_rc("sysctl: another interface version", hypercall_sysctl(&s), -LAM_EACCES);
    mm_expect_rc("sysctl sched_id", sysctl(LAM_SYSCTL_sched_id), perm);
    mm_expect_rc("sysctl: an unknown command", sysctl(9999), privileged ? -LAM_ENOSYS : -LAM_EPERM);
    memset(&op, 0, sizeof(op));
    op.cmd = LAM_DOMCTL_pausedomain;
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION - 1;
    op.domain = 0x7fe0;
    mm_expect_rc("domctl: old version, missing domain", hypercall_domctl(&op), -LAM_EACCES);
    mm_expect_rc("domctl: a missing domain", lam_domctl(&op, LAM_DOMCTL_pausedomain, 0x7fe0),
                 -LAM_ESRCH);
    mm_expect_rc("domctl settimeoffset of a missing domain",
                 lam_domctl(&op, LAM_DOMCTL_settimeoffset, 60), -LAM_ESRCH);
    mm_expect_rc("domctl get_address_size of dom0", lam_domctl(&op, LAM_DOMCTL_get_address_size, 0),
                 perm);
    mm_expect_rc("domctl createdomain (no domain named)",
                 lam_domctl(&op, LAM_DOMCTL_createdomain, 0x7fe0),
                 privileged ? -LAM_EINVAL /* max_vcpus 0 */ : -LAM_EPERM);
    if (!privileged) {
        uint64_t frame = 0;
        struct lam_memory_reservation r = {
            .extent_start = (uint64_t)&frame, .nr_extents = 1, .extent_order = 0, .domid = 0};
        mm_expect_rc("populate_physmap for dom0 from a domU: no extent",
                     hypercall_memory_op(LAM_XENMEM_populate_physmap, &r), 0);
    }
}

void test_main(void)
{
    mm_init();
    int privileged = (lam_start_info->flags & LAM_SIF_PRIVILEGED) != 0;
    if (privileged)
        check_privileged();
    check_order(privileged);
}
