/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The console ring page as a backend uses it (Xen's io/console.h, the order of
 * xenconsoled): load the indices once, a full barrier, check them, copy, a full barrier,
 * publish the new index. The guest may change anything on the page at any moment, so
 * every position is masked and nothing read twice is trusted to be the same.
 */
#include <string.h>

#include "lamcons.h"

static uint32_t load(const uint32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void store(uint32_t *p, uint32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELAXED);
}

ssize_t lcons_take_output(struct lcons_page *p, void *dst, size_t max, struct lcons_bad *bad)
{
    uint32_t cons = load(&p->out_cons), prod = load(&p->out_prod);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint32_t avail = prod - cons;
    if (avail > LCONS_OUT_SIZE) {
        if (bad)
            *bad = (struct lcons_bad){cons, prod};
        return -1;
    }
    size_t n = avail < max ? avail : max;
    char *d = dst;
    for (size_t done = 0; done < n;) {
        uint32_t at = (cons + (uint32_t)done) & (LCONS_OUT_SIZE - 1);
        size_t run = LCONS_OUT_SIZE - at;
        if (run > n - done)
            run = n - done;
        memcpy(d + done, p->out + at, run);
        done += run;
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    store(&p->out_cons, cons + (uint32_t)n);
    return (ssize_t)n;
}

ssize_t lcons_put_input(struct lcons_page *p, const void *src, size_t len, struct lcons_bad *bad)
{
    uint32_t cons = load(&p->in_cons), prod = load(&p->in_prod);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint32_t used = prod - cons;
    if (used > LCONS_IN_SIZE) {
        if (bad)
            *bad = (struct lcons_bad){cons, prod};
        return -1;
    }
    size_t space = LCONS_IN_SIZE - used;
    size_t n = len < space ? len : space;
    const char *s = src;
    for (size_t done = 0; done < n;) {
        uint32_t at = (prod + (uint32_t)done) & (LCONS_IN_SIZE - 1);
        size_t run = LCONS_IN_SIZE - at;
        if (run > n - done)
            run = n - done;
        memcpy(p->in + at, s + done, run);
        done += run;
    }
    __atomic_thread_fence(__ATOMIC_RELEASE);
    store(&p->in_prod, prod + (uint32_t)n);
    return (ssize_t)n;
}
