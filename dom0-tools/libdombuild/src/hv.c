/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The builder's hypercalls, through /dev/xen/privcmd (Linux include/uapi/xen/privcmd.h):
 * IOCTL_PRIVCMD_HYPERCALL for domctl, sysctl, memory_op, mmuext_op, event_channel_op and
 * grant_table_op, and IOCTL_PRIVCMD_MMAPBATCH_V2 to map the new domain's frames.
 *
 * The hypervisor reads and writes hypercall arguments at our virtual addresses while the
 * call runs, so every buffer it sees comes from hv_buf(): anonymous memory locked in RAM
 * (as libxencall's fallback when /dev/xen/hypercall is absent).
 */
#include "hv.h"
#include "image_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <lamina/domctl.h>
#include <lamina/event_channel.h>
#include <lamina/grant_table.h>
#include <lamina/hypercall-numbers.h>
#include <lamina/memory.h>
#include <lamina/mmu.h>
#include <lamina/sysctl.h>

struct privcmd_hypercall {
    uint64_t op;
    uint64_t arg[5];
};
struct privcmd_mmapbatch_v2 {
    uint32_t num;
    uint16_t dom;
    uint16_t pad;
    uint64_t addr;
    uint64_t arr; /* const xen_pfn_t * */
    uint64_t err; /* int * */
};
#define IOCTL_PRIVCMD_HYPERCALL    _IOC(_IOC_NONE, 'P', 0, sizeof(struct privcmd_hypercall))
#define IOCTL_PRIVCMD_MMAPBATCH_V2 _IOC(_IOC_NONE, 'P', 4, sizeof(struct privcmd_mmapbatch_v2))

/* Scratch for the small requests (domctl, sysctl, ...): one locked page each call uses. */
#define SCRATCH_BYTES 16384

void *hv_buf(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    memset(p, 0, len);
    return p;
}

void hv_buf_free(void *p, size_t len)
{
    if (p)
        munmap(p, len);
}

int hv_open(struct hv *hv)
{
    memset(hv, 0, sizeof(*hv));
    hv->fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
    if (hv->fd < 0)
        return -errno;
    hv->scratch = hv_buf(SCRATCH_BYTES);
    if (!hv->scratch) {
        close(hv->fd);
        return -ENOMEM;
    }
    return 0;
}

void hv_close(struct hv *hv)
{
    hv_buf_free(hv->scratch, SCRATCH_BYTES);
    if (hv->fd >= 0)
        close(hv->fd);
    hv->fd = -1;
    hv->scratch = NULL;
}

long hv_call(struct hv *hv, unsigned long op, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct privcmd_hypercall hc = {.op = op, .arg = {a0, a1, a2, a3, 0}};
    long rc = ioctl(hv->fd, IOCTL_PRIVCMD_HYPERCALL, &hc);
    return rc < 0 ? -errno : rc;
}

int hv_domctl(struct hv *hv, uint32_t cmd, uint16_t dom, struct lam_domctl *inout)
{
    struct lam_domctl *op = hv->scratch;
    *op = *inout;
    op->cmd = cmd;
    op->interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    op->domain = dom;
    long rc = hv_call(hv, LAM_HYPERCALL_DOMCTL, (uintptr_t)op, 0, 0, 0);
    *inout = *op;
    return rc < 0 ? (int)rc : 0;
}

int hv_physinfo(struct hv *hv, struct lam_sysctl_physinfo *out)
{
    struct lam_sysctl *s = hv->scratch;
    memset(s, 0, sizeof(*s));
    s->cmd = LAM_SYSCTL_physinfo;
    s->interface_version = LAM_SYSCTL_INTERFACE_VERSION;
    long rc = hv_call(hv, LAM_HYPERCALL_SYSCTL, (uintptr_t)s, 0, 0, 0);
    if (rc < 0)
        return (int)rc;
    *out = s->u.physinfo;
    return 0;
}

int hv_alloc_unbound(struct hv *hv, uint16_t dom, uint16_t remote, uint32_t *port)
{
    struct lam_evtchn_alloc_unbound *a = hv->scratch;
    memset(a, 0, sizeof(*a));
    a->dom = dom;
    a->remote_dom = remote;
    long rc =
        hv_call(hv, LAM_HYPERCALL_EVENT_CHANNEL_OP, LAM_EVTCHNOP_alloc_unbound, (uintptr_t)a, 0, 0);
    if (rc < 0)
        return (int)rc;
    *port = a->port;
    return 0;
}

long hv_populate(struct hv *hv, uint16_t dom, uint64_t *frames, uint64_t n, unsigned int order)
{
    struct lam_memory_reservation *r = hv->scratch;
    memset(r, 0, sizeof(*r));
    r->extent_start = (uintptr_t)frames;
    r->nr_extents = n;
    r->extent_order = order;
    r->domid = dom;
    return hv_call(hv, LAM_HYPERCALL_MEMORY_OP, LAM_XENMEM_populate_physmap, (uintptr_t)r, 0, 0);
}

int hv_mmuext(struct hv *hv, uint16_t dom, unsigned int cmd, uint64_t mfn)
{
    struct lam_mmuext_op *e = hv->scratch;
    memset(e, 0, sizeof(*e));
    e->cmd = cmd;
    e->arg1.mfn = mfn;
    long rc = hv_call(hv, LAM_HYPERCALL_MMUEXT_OP, (uintptr_t)e, 1, 0, dom);
    return rc < 0 ? (int)rc : 0;
}

int hv_grant_frame(struct hv *hv, uint16_t dom, uint64_t *mfn)
{
    struct lam_gnttab_setup_table *s = hv->scratch;
    uint64_t *list = (uint64_t *)((char *)hv->scratch + 256);
    memset(s, 0, sizeof(*s));
    s->dom = dom;
    s->nr_frames = 1;
    s->frame_list = (uintptr_t)list;
    long rc =
        hv_call(hv, LAM_HYPERCALL_GRANT_TABLE_OP, LAM_GNTTABOP_setup_table, (uintptr_t)s, 1, 0);
    if (rc < 0)
        return (int)rc;
    if (s->status != LAM_GNTST_okay)
        return -EINVAL;
    *mfn = list[0];
    return 0;
}

/* privcmd's MMAPBATCH_V2 over the whole of a fresh privcmd mapping at addr. */
static int map_batch(struct hv *hv, uint16_t dom, void *addr, const uint64_t *mfns, size_t n)
{
    int *errs = hv_buf(n * sizeof(int));
    uint64_t *arr = hv_buf(n * sizeof(uint64_t));
    if (!errs || !arr) {
        hv_buf_free(errs, n * sizeof(int));
        hv_buf_free(arr, n * sizeof(uint64_t));
        return -ENOMEM;
    }
    memcpy(arr, mfns, n * sizeof(uint64_t));
    struct privcmd_mmapbatch_v2 b = {.num = (uint32_t)n,
                                     .dom = dom,
                                     .addr = (uintptr_t)addr,
                                     .arr = (uintptr_t)arr,
                                     .err = (uintptr_t)errs};
    int rc = ioctl(hv->fd, IOCTL_PRIVCMD_MMAPBATCH_V2, &b) < 0 ? -errno : 0;
    for (size_t i = 0; !rc && i < n; i++)
        if (errs[i])
            rc = errs[i] < 0 ? errs[i] : -EIO;
    hv_buf_free(errs, n * sizeof(int));
    hv_buf_free(arr, n * sizeof(uint64_t));
    return rc;
}

void *hv_map(struct hv *hv, uint16_t dom, const uint64_t *mfns, size_t n, int *err)
{
    size_t len = n * 4096;
    void *addr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, hv->fd, 0);
    if (addr == MAP_FAILED) {
        *err = -errno;
        return NULL;
    }
    int rc = map_batch(hv, dom, addr, mfns, n);
    if (rc) {
        munmap(addr, len);
        *err = rc;
        return NULL;
    }
    return addr;
}

void *hv_reserve(size_t n)
{
    void *p = mmap(NULL, n * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

int hv_map_at(struct hv *hv, uint16_t dom, void *addr, const uint64_t *mfns, size_t n)
{
    size_t len = n * 4096;
    void *got = mmap(addr, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, hv->fd, 0);
    if (got == MAP_FAILED)
        return -errno;
    int rc = map_batch(hv, dom, addr, mfns, n);
    if (rc)
        mmap(addr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    return rc;
}

void hv_unmap(void *addr, size_t n)
{
    if (addr)
        munmap(addr, n * 4096);
}
