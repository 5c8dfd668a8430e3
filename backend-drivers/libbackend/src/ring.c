/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The shared ring, backend side (Xen's io/ring.h rules). Indices are free-running u32;
 * the frontend may write anything into req_prod at any moment, so it is loaded once per
 * look and checked against what the ring can hold, and each request is copied out once.
 */
#include <string.h>

#include "lamback.h"

#define LOAD(x)     __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

uint32_t lb_ring_entries(size_t bytes, size_t entry_size)
{
    if (bytes <= sizeof(struct lb_sring) || entry_size == 0)
        return 0;
    size_t n = (bytes - sizeof(struct lb_sring)) / entry_size;
    uint32_t p = 1;
    while (n && (size_t)p * 2 <= n)
        p *= 2;
    return n ? p : 0;
}

void lb_ring_attach(struct lb_ring *r, void *mem, size_t bytes, size_t entry_size)
{
    r->s = mem;
    r->entry_size = entry_size;
    r->nr_ents = lb_ring_entries(bytes, entry_size);
    r->req_cons = 0;
    r->rsp_prod_pvt = 0;
}

int lb_ring_pending(struct lb_ring *r, uint32_t *n)
{
    uint32_t prod = LOAD(r->s->req_prod);
    __atomic_thread_fence(__ATOMIC_ACQUIRE); /* entries after the index (rmb) */
    /* RING_REQUEST_PROD_OVERFLOW: more outstanding than the ring holds. */
    if (prod - r->rsp_prod_pvt > r->nr_ents)
        return -1;
    uint32_t avail = prod - r->req_cons;
    /* req_cons - rsp_prod_pvt <= nr_ents always holds (one response per request). */
    uint32_t room = r->nr_ents - (r->req_cons - r->rsp_prod_pvt);
    *n = avail < room ? avail : room;
    return 0;
}

void lb_ring_take(struct lb_ring *r, void *dst, size_t len)
{
    const volatile uint8_t *src =
        r->s->ring + (size_t)(r->req_cons & (r->nr_ents - 1)) * r->entry_size;
    uint8_t *d = dst;
    if (len > r->entry_size)
        len = r->entry_size;
    for (size_t i = 0; i < len; i++) /* a volatile copy: read each byte once */
        d[i] = src[i];
    r->req_cons++;
}

void lb_ring_put_response(struct lb_ring *r, const void *rsp, size_t len)
{
    uint8_t *slot = r->s->ring + (size_t)(r->rsp_prod_pvt & (r->nr_ents - 1)) * r->entry_size;
    memcpy(slot, rsp, len < r->entry_size ? len : r->entry_size);
    r->rsp_prod_pvt++;
}

bool lb_ring_push_responses(struct lb_ring *r)
{
    uint32_t old = LOAD(r->s->rsp_prod), new = r->rsp_prod_pvt;
    __atomic_thread_fence(__ATOMIC_RELEASE); /* entries before the index (wmb) */
    STORE(r->s->rsp_prod, new);
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* index before reading rsp_event (mb) */
    uint32_t ev = LOAD(r->s->rsp_event);
    return (uint32_t)(new - ev) < (uint32_t)(new - old);
}

bool lb_ring_final_check(struct lb_ring *r)
{
    uint32_t n;
    if (lb_ring_pending(r, &n) < 0 || n)
        return true;
    STORE(r->s->req_event, r->req_cons + 1);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return lb_ring_pending(r, &n) < 0 || n;
}

int lb_ring_resume(struct lb_ring *r, void *mem, size_t bytes, size_t entry_size)
{
    lb_ring_attach(r, mem, bytes, entry_size);
    uint32_t rsp = LOAD(r->s->rsp_prod), prod = LOAD(r->s->req_prod);
    if (prod - rsp > r->nr_ents)
        return -1;
    r->req_cons = r->rsp_prod_pvt = rsp;
    return 0;
}
