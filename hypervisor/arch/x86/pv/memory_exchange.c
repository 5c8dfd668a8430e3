/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * XENMEM_exchange: a guest gives frames back and gets others of another extent order
 * and address limit in one call, as Linux's xen_create_contiguous_region asks for a
 * machine-contiguous buffer below 4 GiB (swiotlb-xen's bounce buffer, coherent DMA
 * allocations). Xen 4.17's semantics (common/memory.c memory_exchange), checked in
 * its order:
 *
 *   an unreadable argument -EFAULT; an extent order above the caller's limit (a
 *   privileged domain 18, a domU 9) -EPERM; nr_exchanged past the input, different in/out domains,
 *   lists whose page counts overflow or differ -EINVAL; everything exchanged already:
 *   0; a list outside guest memory -EFAULT; no such domain -ESRCH; another domain
 *   named by an unprivileged caller -EPERM;
 *
 * then chunk by chunk (one output extent for several input ones or the reverse): an
 * input frame that cannot be read -EFAULT, that is no valid frame or not the
 * domain's, or still referenced (mapped, a table, pinned, a shared frame) -EINVAL;
 * no frames left below the address limit -ENOMEM. A chunk is done whole or not at
 * all: the new frames are taken and their numbers written to the output list before
 * any input frame is given up, so a failure leaves the chunk as it was. The input
 * frames go back to the heap, the output ones get the PFNs the output list named (the
 * M2P), and nr_exchanged counts the input extents done, in the argument, on success
 * and failure alike; a long call continues itself (the count tells where).
 *
 * Frames given out are zeroed. The domain's page count does not change, so the
 * exchange works at the domain's limit (Xen: MEMF_no_refcount).
 */
#include <asm/guest_access.h>
#include <asm/mm.h>
#include <asm/pv/mm.h>
#include <hv/continuation.h>
#include <hv/domain.h>
#include <hv/errcodes.h>
#include <hv/lib.h>
#include <hypervisor/hypercall-handlers.h>
#include <lamina/hypercall-numbers.h>
#include <lamina/memory.h>
#include <asm/pv/memory_exchange.h>

#define DOMU_MAX_ORDER 9  /* Xen's CONFIG_DOMU_MAX_ORDER */
#define PRIV_MAX_ORDER 18 /* Debian's Xen 4.17 answers orders up to 18 for dom0 */
#define PADDR_BITS     52 /* an address limit at or above it limits nothing */

struct chunk {
    unsigned int in_order, out_order;
    unsigned long nr_in, nr_out; /* extents of each list in one chunk */
    mfn_t limit;                 /* output frames wholly below it; INVALID_MFN: anywhere */
};

static unsigned int max_order(const struct domain *d)
{
    return d->is_privileged ? PRIV_MAX_ORDER : DOMU_MAX_ORDER;
}

/* An input frame the domain may give up: its own, allocated, referenced by nothing but
 * the allocation (Xen's steal_page). */
static bool stealable(const struct domain *d, mfn_t mfn)
{
    if (mfn >= max_mfn || !mfn_is_ram(mfn))
        return false;
    const struct page_info *pg = mfn_to_page(mfn);
    return page_get_owner(pg) == d && (pg->count_info & PGC_allocated) &&
           !(pg->count_info & PGC_xen_heap) && page_count(pg) == 1 && !page_type_count(pg);
}

static void free_out(const mfn_t *out, unsigned long n, unsigned int order)
{
    for (unsigned long j = 0; j < n; j++)
        for (uint64_t k = 0; k < (1ull << order); k++)
            frames_free(out[j] + k, 0);
}

/* Swap the chunk's frames under d->lock: the page count stays as it was. */
static void swap_frames(struct domain *d, const mfn_t *in, const struct chunk *c, const mfn_t *out,
                        const uint64_t *gpfn)
{
    spin_lock(&d->lock);
    for (unsigned long j = 0; j < c->nr_in; j++)
        for (uint64_t k = 0; k < (1ull << c->in_order); k++) {
            struct page_info *pg = mfn_to_page(in[j] + k);
            list_del(&pg->list);
            pg->owner = NULL;
            pg->count_info &= ~(PGC_allocated | PGC_count_mask);
            pg->type_info = 0;
        }
    for (unsigned long j = 0; j < c->nr_out; j++)
        for (uint64_t k = 0; k < (1ull << c->out_order); k++) {
            struct page_info *pg = mfn_to_page(out[j] + k);
            pg->owner = d;
            pg->count_info = (pg->count_info & ~PGC_count_mask) | PGC_allocated | 1;
            pg->type_info = 0;
            list_add_tail(&pg->list, &d->page_list);
        }
    spin_unlock(&d->lock);
    for (unsigned long j = 0; j < c->nr_in; j++)
        for (uint64_t k = 0; k < (1ull << c->in_order); k++) {
            m2p_set(in[j] + k, M2P_INVALID);
            frames_free(in[j] + k, 0);
        }
    for (unsigned long j = 0; j < c->nr_out; j++)
        for (uint64_t k = 0; k < (1ull << c->out_order); k++) {
            m2p_set(out[j] + k, gpfn[j] + k);
            logdirty_mark_pfn(d, gpfn[j] + k); /* new contents at that pfn */
        }
}

/* Drop the marks take_inputs put on the first n input pages. */
static void unmark_inputs(const mfn_t *in, unsigned int in_order, unsigned long n)
{
    for (unsigned long p = 0; p < n; p++)
        mfn_to_page(in[p >> in_order] + (p & ((1ull << in_order) - 1)))->count_info--;
}

/* Read the chunk's input extents and check every frame. Each checked frame gets a
 * second reference for the moment, so a frame named twice fails the second check
 * (it would be given up twice); unmark_inputs takes them off again. */
static long take_inputs(struct domain *d, const struct lam_memory_exchange *x,
                        const struct chunk *c, unsigned long i, mfn_t *in)
{
    uint64_t pages = 1ull << c->in_order;
    for (unsigned long j = 0; j < c->nr_in; j++) {
        guest_ptr_t slot = x->in.extent_start + (i * c->nr_in + j) * sizeof(uint64_t);
        long rc = 0;
        if (copy_from_guest(&in[j], slot, sizeof(in[j])))
            rc = -EFAULT;
        else if (in[j] >= max_mfn || pages > max_mfn - in[j])
            rc = -EINVAL;
        for (uint64_t k = 0; !rc && k < pages; k++) {
            if (!stealable(d, in[j] + k)) {
                unmark_inputs(in, c->in_order, j * pages + k);
                return -EINVAL;
            }
            mfn_to_page(in[j] + k)->count_info++;
        }
        if (rc) {
            unmark_inputs(in, c->in_order, j * pages);
            return rc;
        }
    }
    return 0;
}

/* Chunk i: 0 or an error, the chunk then untouched. Caller holds mm_lock. */
static long exchange_chunk(struct domain *d, const struct lam_memory_exchange *x,
                           const struct chunk *c, unsigned long i, mfn_t *in, mfn_t *out,
                           uint64_t *gpfn)
{
    long rc = take_inputs(d, x, c, i, in);
    if (rc)
        return rc;
    unsigned long in_pages = c->nr_in << c->in_order, got = 0;
    for (unsigned long j = 0; j < c->nr_out && !rc; j++) {
        guest_ptr_t slot = x->out.extent_start + (i * c->nr_out + j) * sizeof(uint64_t);
        if (copy_from_guest(&gpfn[j], slot, sizeof(gpfn[j])))
            rc = -EFAULT;
    }
    for (; !rc && got < c->nr_out; got++) {
        out[got] = c->limit == INVALID_MFN ? frames_alloc_split(c->out_order)
                                           : frames_alloc_split_below(c->out_order, c->limit);
        if (out[got] == INVALID_MFN) {
            rc = -ENOMEM;
            break;
        }
        for (uint64_t k = 0; k < (1ull << c->out_order); k++)
            memset(mfn_to_virt(out[got] + k), 0, PAGE_SIZE);
    }
    for (unsigned long j = 0; j < c->nr_out && !rc; j++) {
        guest_ptr_t slot = x->out.extent_start + (i * c->nr_out + j) * sizeof(uint64_t);
        if (copy_to_guest(slot, &out[j], sizeof(out[j])))
            rc = -EFAULT;
    }
    unmark_inputs(in, c->in_order, in_pages);
    if (rc) {
        free_out(out, got, c->out_order);
        return rc;
    }
    swap_frames(d, in, c, out, gpfn);
    return 0;
}

/* The checks before any domain is looked up: 0, 1 (nothing left to do) or an error. */
static long check_args(const struct domain *caller, const struct lam_memory_exchange *x)
{
    unsigned int in_o = x->in.extent_order, out_o = x->out.extent_order;
    if (MAX(in_o, out_o) > max_order(caller))
        return -EPERM;
    if (x->nr_exchanged > x->in.nr_extents || x->in.domid != x->out.domid ||
        (~0ul >> in_o) < x->in.nr_extents || (~0ul >> out_o) < x->out.nr_extents ||
        (x->in.nr_extents << in_o) != (x->out.nr_extents << out_o))
        return -EINVAL;
    if (x->nr_exchanged == x->in.nr_extents)
        return 1;
    unsigned long left = x->in.nr_extents - x->nr_exchanged;
    if (!guest_range_ok(x->in.extent_start + x->nr_exchanged * sizeof(uint64_t),
                        left * sizeof(uint64_t)))
        return -EFAULT;
    unsigned long out_done =
        in_o <= out_o ? x->nr_exchanged >> (out_o - in_o) : x->nr_exchanged << (in_o - out_o);
    if (out_done > x->out.nr_extents ||
        !guest_range_ok(x->out.extent_start + out_done * sizeof(uint64_t),
                        (x->out.nr_extents - out_done) * sizeof(uint64_t)))
        return -EFAULT;
    return 0;
}

static long put_count(guest_ptr_t arg, struct lam_memory_exchange *x, long rc)
{
    if (copy_to_guest(arg + offsetof(struct lam_memory_exchange, nr_exchanged), &x->nr_exchanged,
                      sizeof(x->nr_exchanged)))
        return -EFAULT;
    return rc;
}

long memory_exchange(struct domain *caller, guest_ptr_t arg)
{
    struct lam_memory_exchange x;
    if (copy_from_guest(&x, arg, sizeof(x)))
        return -EFAULT;
    long rc = check_args(caller, &x);
    if (rc == 1)
        return 0;
    if (rc)
        return put_count(arg, &x, rc);
    struct chunk c = {.in_order = x.in.extent_order, .out_order = x.out.extent_order};
    unsigned int chunk_shift = 0; /* input extents per chunk: 1 << chunk_shift */
    if (c.in_order <= c.out_order) {
        chunk_shift = c.out_order - c.in_order;
        c.nr_in = 1ul << chunk_shift;
        c.nr_out = 1;
    } else {
        c.nr_in = 1;
        c.nr_out = 1ul << (c.in_order - c.out_order);
    }
    unsigned int bits = LAM_XENMEMF_address_bits(x.out.mem_flags);
    c.limit = !bits || bits >= PADDR_BITS ? INVALID_MFN
              : bits <= PAGE_SHIFT        ? 0 /* no frame fits: -ENOMEM, as on Xen */
                                          : (mfn_t)1 << (bits - PAGE_SHIFT);

    struct domain *d;
    if (x.in.domid == LAM_DOMID_SELF || x.in.domid == caller->domain_id) {
        d = caller;
    } else if (!(d = domain_get(x.in.domid))) {
        return put_count(arg, &x, -ESRCH);
    } else if (!caller->is_privileged) {
        domain_put(d);
        return put_count(arg, &x, -EPERM);
    }
    /* The chunk's frame lists: up to 2^18 input extents for one output extent. */
    unsigned long words = c.nr_in + 2 * c.nr_out;
    unsigned int order = 0;
    while ((PAGE_SIZE << order) < words * sizeof(uint64_t))
        order++;
    uint64_t *lists = pages_alloc(order);
    if (!lists) {
        if (d != caller)
            domain_put(d);
        return put_count(arg, &x, -ENOMEM);
    }
    mfn_t *in = lists, *out = lists + c.nr_in;
    uint64_t *gpfn = out + c.nr_out;
    unsigned long i = x.nr_exchanged >> chunk_shift, end = x.in.nr_extents >> chunk_shift;
    for (rc = 0; i < end; i++) {
        if (i != x.nr_exchanged >> chunk_shift && hypercall_preempt_check()) {
            x.nr_exchanged = i << chunk_shift;
            pages_free(lists, order);
            if (d != caller)
                domain_put(d);
            if (put_count(arg, &x, 0))
                return -EFAULT;
            const uint64_t args[2] = {LAM_XENMEM_exchange, arg};
            return hypercall_create_continuation(LAM_HYPERCALL_MEMORY_OP, 2, args);
        }
        mm_lock_global();
        rc = exchange_chunk(d, &x, &c, i, in, out, gpfn);
        mm_unlock_global();
        if (rc)
            break;
    }
    pages_free(lists, order);
    x.nr_exchanged = rc ? i << chunk_shift : x.in.nr_extents;
    if (d != caller)
        domain_put(d);
    return put_count(arg, &x, rc);
}
