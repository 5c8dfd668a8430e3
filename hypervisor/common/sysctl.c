/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sysctl: facts about the host for the control domain's toolstack, with Xen 4.17's
 * numbers and layouts (interface 0x15; hypercall-abi/lamina/sysctl.h). As Xen's
 * do_sysctl: the argument is read (-EFAULT), the interface version checked (-EACCES),
 * then the caller's privilege (-EPERM), and the request is copied back whatever the
 * answer.
 */
#include <hv/console.h>
#include <hv/console_ring.h>
#include <hv/domctl.h>
#include <hv/errcodes.h>
#include <hv/lib.h>
#include <asm/guest_access.h>
#include <asm/mm.h>
#include <asm/smp.h>
#include <asm/time.h>
#include <asm/x86.h>
#include <lamina/sysctl.h>
#include <hypervisor/hypercall-handlers.h>

/* Xen's featureset words 0-7: CPUID 1 EDX, 1 ECX, 0x80000001 EDX and ECX, 0xd.1 EAX,
 * 7.0 EBX and ECX, 0x80000007 EDX (as the host has them: Lamina masks none). */
static void fill_hw_cap(uint32_t cap[8])
{
    uint32_t a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    cap[0] = d;
    cap[1] = c;
    cpuid(0x80000000u, &a, &b, &c, &d);
    uint32_t max_ext = a;
    if (max_ext >= 0x80000001u) {
        cpuid(0x80000001u, &a, &b, &c, &d);
        cap[2] = d;
        cap[3] = c;
    }
    cpuid(0, &a, &b, &c, &d);
    uint32_t max_leaf = a;
    if (max_leaf >= 0xd) {
        cpuid_count(0xd, 1, &a, &b, &c, &d);
        cap[4] = a;
    }
    if (max_leaf >= 7) {
        cpuid_count(7, 0, &a, &b, &c, &d);
        cap[5] = b;
        cap[6] = c;
    }
    if (max_ext >= 0x80000007u) {
        cpuid(0x80000007u, &a, &b, &c, &d);
        cap[7] = d;
    }
}

static void physinfo(struct lam_sysctl_physinfo *pi)
{
    memset(pi, 0, sizeof(*pi));
    /* Lamina does not read the CPU topology: every CPU counts as a core of its own. */
    pi->threads_per_core = 1;
    pi->cores_per_socket = 1;
    pi->nr_cpus = nr_cpus_online;
    pi->max_cpu_id = 63u - (unsigned int)__builtin_clzll(cpu_online_mask | 1);
    pi->nr_nodes = 1;
    pi->max_node_id = 0;
    pi->cpu_khz = (uint32_t)tsc_khz();
    /* PV guests and grant tables v1; no HVM, HAP, shadow paging, IOMMU or grant v2. */
    pi->capabilities = LAM_SYSCTL_PHYSCAP_pv | LAM_SYSCTL_PHYSCAP_gnttab_v1;
    pi->total_pages = heap_total_frames();
    pi->free_pages = heap_free_frames();
    pi->max_mfn = max_mfn - 1;
    fill_hw_cap(pi->hw_cap);
}

/* Xen: every domain from first_domain up, at most max_domains of them. */
static long domaininfo_list(struct lam_sysctl_getdomaininfolist *l)
{
    uint32_t n = 0;
    for (unsigned int id = l->first_domain; id < MAX_DOMAINS && n < l->max_domains; id++) {
        struct domain *d = domain_get(id);
        if (!d)
            continue;
        struct lam_domctl_getdomaininfo info;
        domctl_fill_info(d, &info);
        domain_put(d);
        if (copy_to_guest(l->buffer + (uint64_t)n * sizeof(info), &info, sizeof(info)))
            return -EFAULT;
        n++;
    }
    l->num_domains = n;
    return 0;
}

/* Xen's read_console_ring: from the oldest byte held, or from index (incremental), up to
 * count bytes; index returns where it stopped, clear forgets what was read. */
static long readconsole(struct lam_sysctl_readconsole *r)
{
    uint32_t cons, prod;
    console_ring_indices(&cons, &prod);
    uint32_t c = console_ring_start(cons, prod, r->incremental, r->index), done = 0;
    char chunk[256];
    while (c != prod && done < r->count) {
        uint32_t n = MIN(MIN(prod - c, r->count - done), (uint32_t)sizeof(chunk));
        console_ring_copy(c, chunk, n);
        if (copy_to_guest(r->buffer + done, chunk, n))
            return -EFAULT;
        done += n;
        c += n;
    }
    if (r->clear)
        console_ring_clear(c);
    r->count = done;
    r->index = c;
    return 0;
}

long hc_sysctl(guest_ptr_t arg)
{
    struct lam_sysctl op;
    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (op.interface_version != LAM_SYSCTL_INTERFACE_VERSION)
        return -EACCES;
    if (!current_domain()->is_privileged)
        return -EPERM;
    long rc = 0;
    switch (op.cmd) {
    case LAM_SYSCTL_readconsole:
        rc = readconsole(&op.u.readconsole);
        break;
    case LAM_SYSCTL_physinfo:
        physinfo(&op.u.physinfo);
        break;
    case LAM_SYSCTL_sched_id:
        op.u.sched_id.sched_id = LAM_SCHEDULER_CREDIT;
        break;
    case LAM_SYSCTL_getdomaininfolist:
        rc = domaininfo_list(&op.u.getdomaininfolist);
        break;
    default:
        return -ENOSYS;
    }
    if (copy_to_guest(arg, &op, sizeof(op)))
        rc = -EFAULT;
    return rc;
}
