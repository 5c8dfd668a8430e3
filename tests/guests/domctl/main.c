/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * domctl as the control domain sees it when it is alone: getdomaininfo of
 * itself (pages, vCPUs, flags, shared_info frame) and of missing domains, the
 * interface version check, max_mem, and the calls a domain may not make on
 * itself (destroy, pause, unpause). Runs on Xen 4.17 and Lamina alike.
 */
#include <lamina/domctl.h>
#include <lamina/errno.h>

#include "domctl_util.h"
#include "mm_util.h"

const char lam_test_title[] = "domctl: getdomaininfo, max_mem and refused self-operations";

static struct lam_domctl op;

static long domctl(uint32_t cmd, uint16_t dom)
{
    return lam_domctl(&op, cmd, dom);
}

static void check_self_info(void)
{
    mm_expect_rc("getdomaininfo(0)", domctl(LAM_DOMCTL_getdomaininfo, 0), 0);
    const struct lam_domctl_getdomaininfo *i = &op.u.getdomaininfo;
    lam_printf("d0: flags 0x%x tot_pages %lu max_pages %lu vcpus %u max_id %u si 0x%lx\n", i->flags,
               (unsigned long)i->tot_pages, (unsigned long)i->max_pages, i->nr_online_vcpus,
               i->max_vcpu_id, (unsigned long)i->shared_info_frame);
    mm_expect(op.domain == 0 && i->domain == 0, "the answer is about d0");
    mm_expect(i->tot_pages >= lam_start_info->nr_pages, "tot_pages covers start_info's nr_pages");
    mm_expect(i->nr_online_vcpus == 1 && i->max_vcpu_id == 0, "one vCPU, id 0");
    mm_expect((i->flags & LAM_DOMINF_running) != 0, "we are running");
    mm_expect(!(i->flags & (LAM_DOMINF_dying | LAM_DOMINF_shutdown | LAM_DOMINF_paused |
                            LAM_DOMINF_hvm_guest)),
              "not dying, shut down, paused or HVM");
    mm_expect(i->shared_info_frame == lam_start_info->shared_info >> LAM_PAGE_SHIFT,
              "shared_info_frame is start_info's shared_info");
    mm_expect(i->cpu_time > 0, "cpu_time advances");
}

static void check_missing(void)
{
    /* getdomaininfo answers for the next domain at or above the id: there is none. */
    mm_expect_rc("getdomaininfo(1) with no other domain", domctl(LAM_DOMCTL_getdomaininfo, 1),
                 -LAM_ESRCH);
    mm_expect_rc("getdomaininfo(0x7fef)", domctl(LAM_DOMCTL_getdomaininfo, 0x7fef), -LAM_ESRCH);
    mm_expect_rc("destroydomain(9)", domctl(LAM_DOMCTL_destroydomain, 9), -LAM_ESRCH);
    mm_expect_rc("pausedomain(9)", domctl(LAM_DOMCTL_pausedomain, 9), -LAM_ESRCH);
    mm_expect_rc("max_mem(9)", domctl(LAM_DOMCTL_max_mem, 9), -LAM_ESRCH);
}

static void check_refused(void)
{
    mm_expect_rc("destroydomain(self)", domctl(LAM_DOMCTL_destroydomain, 0), -LAM_EINVAL);
    mm_expect_rc("pausedomain(self)", domctl(LAM_DOMCTL_pausedomain, 0), -LAM_EINVAL);
    mm_expect_rc("unpausedomain(self, not paused)", domctl(LAM_DOMCTL_unpausedomain, 0),
                 -LAM_EINVAL);

    memset(&op, 0, sizeof(op));
    op.cmd = LAM_DOMCTL_getdomaininfo;
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION - 1;
    mm_expect_rc("an older interface version", hypercall_domctl(&op), -LAM_EACCES);
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION + 1;
    mm_expect_rc("a newer interface version", hypercall_domctl(&op), -LAM_EACCES);

    mm_expect_rc("an unknown command", domctl(9999, 0), -LAM_ENOSYS);
    mm_expect_rc("an unmapped argument", hypercall_domctl((void *)0x1000), -LAM_EFAULT);
}

static void check_max_mem(void)
{
    mm_expect_rc("getdomaininfo(0)", domctl(LAM_DOMCTL_getdomaininfo, 0), 0);
    uint64_t want = op.u.getdomaininfo.tot_pages + 256;
    memset(&op, 0, sizeof(op));
    op.cmd = LAM_DOMCTL_max_mem;
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    op.u.max_mem.max_memkb = want * 4;
    mm_expect_rc("max_mem(d0, tot_pages + 1 MiB)", hypercall_domctl(&op), 0);
    mm_expect_rc("getdomaininfo(0)", domctl(LAM_DOMCTL_getdomaininfo, 0), 0);
    mm_expect(op.u.getdomaininfo.max_pages == want, "max_pages is what max_mem set");
}

void test_main(void)
{
    mm_init();
    check_self_info();
    check_missing();
    check_refused();
    check_max_mem();
}
