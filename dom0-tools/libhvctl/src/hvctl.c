/* SPDX-License-Identifier: GPL-2.0-only */
/* libhvctl: domctl requests and their answers (see include/hvctl.h). */
#include "hvctl.h"
#include "backend.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lamina/domctl.h"
#include "lamina/hypercall-numbers.h"
#include "lamina/sched.h"
#include "lamina/sysctl.h"

struct hvctl {
    hvctl_hypercall_fn fn;
    void *ctx;
    void (*close)(void *ctx);
};

struct hvctl *hvctl_open_with(hvctl_hypercall_fn fn, void *ctx)
{
    struct hvctl *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->fn = fn;
    h->ctx = ctx;
    return h;
}

struct hvctl *hvctl_open(void)
{
    return hvctl_privcmd_open();
}

void hvctl_set_closer(struct hvctl *h, void (*close)(void *ctx))
{
    h->close = close;
}

void hvctl_close(struct hvctl *h)
{
    if (!h)
        return;
    if (h->close)
        h->close(h->ctx);
    free(h);
}

long hvctl_call(struct hvctl *h, unsigned long op, const uint64_t args[5])
{
    return h->fn(h->ctx, op, args);
}

static int domctl(struct hvctl *h, uint32_t cmd, uint16_t domid, struct lam_domctl *op)
{
    op->cmd = cmd;
    op->interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    op->domain = domid;
    const uint64_t args[5] = {(uint64_t)(uintptr_t)op, 0, 0, 0, 0};
    long rc = h->fn(h->ctx, LAM_HYPERCALL_DOMCTL, args);
    return rc < 0 ? (int)rc : 0;
}

static void from_wire(const struct lam_domctl_getdomaininfo *w, struct hvctl_dominfo *out)
{
    *out = (struct hvctl_dominfo){
        .domid = w->domain,
        .dying = w->flags & LAM_DOMINF_dying,
        .shutdown = w->flags & LAM_DOMINF_shutdown,
        .paused = w->flags & LAM_DOMINF_paused,
        .blocked = w->flags & LAM_DOMINF_blocked,
        .running = w->flags & LAM_DOMINF_running,
        .shutdown_reason = (w->flags >> LAM_DOMINF_shutdown_shift) & LAM_DOMINF_shutdown_mask,
        .tot_pages = w->tot_pages,
        .max_pages = w->max_pages,
        .cpu_time_ns = w->cpu_time,
        .vcpus_online = w->nr_online_vcpus,
        .max_vcpu_id = w->max_vcpu_id,
    };
}

/* getdomaininfo answers for the first domain at or above the id asked for. */
static int info_from(struct hvctl *h, uint16_t from, struct hvctl_dominfo *out)
{
    struct lam_domctl op;
    memset(&op, 0, sizeof(op));
    int rc = domctl(h, LAM_DOMCTL_getdomaininfo, from, &op);
    if (rc)
        return rc;
    if (op.u.getdomaininfo.domain < from)
        return -EIO; /* a hypervisor that went backwards would loop us forever */
    from_wire(&op.u.getdomaininfo, out);
    return 0;
}

int hvctl_domain_info(struct hvctl *h, uint16_t domid, struct hvctl_dominfo *out)
{
    struct hvctl_dominfo d;
    int rc = info_from(h, domid, &d);
    if (rc)
        return rc;
    if (d.domid != domid)
        return -ESRCH;
    *out = d;
    return 0;
}

/* Domains asked for per getdomaininfolist call (Xen's libxc asks for up to 1024). */
#define LIST_BATCH 256

static int grow(struct hvctl_dominfo **list, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 8;
    while (c < need)
        c *= 2;
    struct hvctl_dominfo *grown = realloc(*list, c * sizeof(**list));
    if (!grown)
        return -ENOMEM;
    *list = grown;
    *cap = c;
    return 0;
}

/*
 * Every domain with sysctl getdomaininfolist: one hypercall per LIST_BATCH domains instead
 * of one getdomaininfo each. The hypervisor writes the buffer while the call runs and
 * cannot fault its pages in, so they are written (made present) first.
 */
static int list_by_sysctl(struct hvctl *h, struct hvctl_dominfo **out, size_t *count)
{
    struct lam_domctl_getdomaininfo *buf = calloc(LIST_BATCH, sizeof(*buf));
    struct hvctl_dominfo *list = NULL;
    size_t n = 0, cap = 0;
    uint32_t next = 0;
    int rc = buf ? 0 : -ENOMEM;
    while (!rc && next < LAM_DOMID_FIRST_RESERVED) {
        memset(buf, 0, LIST_BATCH * sizeof(*buf));
        struct lam_sysctl op;
        memset(&op, 0, sizeof(op));
        op.cmd = LAM_SYSCTL_getdomaininfolist;
        op.interface_version = LAM_SYSCTL_INTERFACE_VERSION;
        op.u.getdomaininfolist.first_domain = (lam_domid_t)next;
        op.u.getdomaininfolist.max_domains = LIST_BATCH;
        op.u.getdomaininfolist.buffer = (uint64_t)(uintptr_t)buf;
        const uint64_t args[5] = {(uint64_t)(uintptr_t)&op, 0, 0, 0, 0};
        long r = hvctl_call(h, LAM_HYPERCALL_SYSCTL, args);
        if (r < 0) {
            rc = (int)r;
            break;
        }
        uint32_t got = op.u.getdomaininfolist.num_domains;
        if (got > LIST_BATCH)
            rc = -EIO;
        if (rc || (rc = grow(&list, &cap, n + got)))
            break;
        for (uint32_t i = 0; i < got; i++) {
            if (buf[i].domain < next) { /* out of order: not an answer to trust */
                rc = -EIO;
                break;
            }
            from_wire(&buf[i], &list[n++]);
            next = (uint32_t)buf[i].domain + 1;
        }
        if (got < LIST_BATCH)
            break;
    }
    free(buf);
    if (rc) {
        free(list);
        return rc;
    }
    *out = list;
    *count = n;
    return 0;
}

int hvctl_domain_list(struct hvctl *h, struct hvctl_dominfo **out, size_t *count)
{
    /* One sysctl where the hypervisor has it; otherwise (or refused) getdomaininfo from
     * each id up, as before. */
    if (list_by_sysctl(h, out, count) == 0)
        return 0;
    struct hvctl_dominfo *list = NULL;
    size_t n = 0, cap = 0;
    uint32_t next = 0;
    while (next < LAM_DOMID_FIRST_RESERVED) {
        struct hvctl_dominfo d;
        int rc = info_from(h, (uint16_t)next, &d);
        if (rc == -ESRCH)
            break;
        if (rc) {
            free(list);
            return rc;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            struct hvctl_dominfo *grown = realloc(list, cap * sizeof(*list));
            if (!grown) {
                free(list);
                return -ENOMEM;
            }
            list = grown;
        }
        list[n++] = d;
        next = (uint32_t)d.domid + 1;
    }
    *out = list;
    *count = n;
    return 0;
}

static int simple(struct hvctl *h, uint32_t cmd, uint16_t domid)
{
    struct lam_domctl op;
    memset(&op, 0, sizeof(op));
    return domctl(h, cmd, domid, &op);
}

int hvctl_domain_destroy(struct hvctl *h, uint16_t domid)
{
    return simple(h, LAM_DOMCTL_destroydomain, domid);
}

int hvctl_domain_pause(struct hvctl *h, uint16_t domid)
{
    return simple(h, LAM_DOMCTL_pausedomain, domid);
}

int hvctl_domain_unpause(struct hvctl *h, uint16_t domid)
{
    return simple(h, LAM_DOMCTL_unpausedomain, domid);
}

int hvctl_domain_set_max_mem(struct hvctl *h, uint16_t domid, uint64_t kib)
{
    struct lam_domctl op;
    memset(&op, 0, sizeof(op));
    op.u.max_mem.max_memkb = kib;
    return domctl(h, LAM_DOMCTL_max_mem, domid, &op);
}

int hvctl_sched_credit_get(struct hvctl *h, uint16_t domid, unsigned int *weight, unsigned int *cap)
{
    struct lam_domctl op;
    memset(&op, 0, sizeof(op));
    op.u.scheduler_op.sched_id = LAM_SCHEDULER_CREDIT;
    op.u.scheduler_op.cmd = LAM_DOMCTL_SCHEDOP_getinfo;
    int rc = domctl(h, LAM_DOMCTL_scheduler_op, domid, &op);
    if (rc)
        return rc;
    *weight = op.u.scheduler_op.u.credit.weight;
    *cap = op.u.scheduler_op.u.credit.cap;
    return 0;
}

int hvctl_sched_credit_set(struct hvctl *h, uint16_t domid, unsigned int weight, int cap)
{
    if (weight > UINT16_MAX || cap < -1 || cap >= (int)LAM_CREDIT_CAP_UNCHANGED)
        return -EINVAL;
    struct lam_domctl op;
    memset(&op, 0, sizeof(op));
    op.u.scheduler_op.sched_id = LAM_SCHEDULER_CREDIT;
    op.u.scheduler_op.cmd = LAM_DOMCTL_SCHEDOP_putinfo;
    op.u.scheduler_op.u.credit.weight = (uint16_t)weight;
    op.u.scheduler_op.u.credit.cap = cap < 0 ? LAM_CREDIT_CAP_UNCHANGED : (uint16_t)cap;
    return domctl(h, LAM_DOMCTL_scheduler_op, domid, &op);
}

int hvctl_vcpu_info(struct hvctl *h, uint16_t domid, unsigned int vcpu, struct hvctl_vcpuinfo *out)
{
    struct lam_domctl op;
    memset(&op, 0, sizeof(op));
    op.u.getvcpuinfo.vcpu = vcpu;
    int rc = domctl(h, LAM_DOMCTL_getvcpuinfo, domid, &op);
    if (rc)
        return rc;
    *out = (struct hvctl_vcpuinfo){.vcpu = vcpu,
                                   .online = op.u.getvcpuinfo.online,
                                   .blocked = op.u.getvcpuinfo.blocked,
                                   .running = op.u.getvcpuinfo.running,
                                   .cpu_time_ns = op.u.getvcpuinfo.cpu_time,
                                   .cpu = op.u.getvcpuinfo.cpu};
    return 0;
}

/* The bitmap travels in our memory: 8 bytes, CPU n = bit n of byte n / 8 (little-endian). */
static int affinity(struct hvctl *h, uint32_t cmd, uint16_t domid, unsigned int vcpu,
                    uint64_t *cpus)
{
    uint8_t map[8];
    for (int i = 0; i < 8; i++)
        map[i] = (uint8_t)(*cpus >> (8 * i));
    struct lam_domctl op;
    memset(&op, 0, sizeof(op));
    op.u.vcpuaffinity.vcpu = vcpu;
    op.u.vcpuaffinity.flags = LAM_VCPUAFFINITY_HARD;
    op.u.vcpuaffinity.cpumap_hard.bitmap = (uint64_t)(uintptr_t)map;
    op.u.vcpuaffinity.cpumap_hard.nr_bits = 64;
    int rc = domctl(h, cmd, domid, &op);
    if (rc)
        return rc;
    *cpus = 0;
    for (int i = 0; i < 8; i++)
        *cpus |= (uint64_t)map[i] << (8 * i);
    return 0;
}

int hvctl_vcpu_set_affinity(struct hvctl *h, uint16_t domid, unsigned int vcpu, uint64_t cpus,
                            uint64_t *effective)
{
    if (!cpus)
        return -EINVAL;
    int rc = affinity(h, LAM_DOMCTL_setvcpuaffinity, domid, vcpu, &cpus);
    if (!rc && effective)
        *effective = cpus;
    return rc;
}

int hvctl_vcpu_get_affinity(struct hvctl *h, uint16_t domid, unsigned int vcpu, uint64_t *cpus)
{
    *cpus = 0;
    return affinity(h, LAM_DOMCTL_getvcpuaffinity, domid, vcpu, cpus);
}

const char *hvctl_state_name(const struct hvctl_dominfo *d)
{
    if (d->dying)
        return "dying";
    if (d->shutdown)
        return d->shutdown_reason == LAM_SHUTDOWN_crash ? "crashed" : "shutdown";
    if (d->paused)
        return "paused";
    if (d->running)
        return "running";
    if (d->blocked)
        return "blocked";
    return "idle";
}

const char *hvctl_shutdown_name(unsigned int reason)
{
    static const char *const names[] = {"poweroff", "reboot",   "suspend",
                                        "crash",    "watchdog", "soft_reset"};
    return reason < sizeof(names) / sizeof(names[0]) ? names[reason] : "unknown";
}

const char *hvctl_strerror(int rc)
{
    switch (-rc) {
    case ESRCH:
        return "no such domain";
    case EINVAL:
        return "not possible for that domain (dom0 itself, dying, or not paused)";
    case EPERM:
        return "only the control domain (dom0) may do this";
    case EACCES:
        return "the hypervisor speaks another domctl interface version";
    case ENOSYS:
        return "the hypervisor does not implement this";
    case ENOMEM:
        return "out of memory";
    case EFAULT:
        return "the hypervisor could not read the request";
    default:
        return strerror(-rc);
    }
}
