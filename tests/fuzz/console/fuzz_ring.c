/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer harness for the console ring as lamconsoled uses it: the input is a script
 * of what a hostile guest does to its page (set any index to any value, write bytes into
 * out[]) interleaved with the daemon's steps (take output, put input). Whatever the
 * guest does, every access stays inside the page (ASan), indices that claim more than a
 * ring holds are refused, the daemon takes exactly what the guest published (never more
 * than the ring holds) and puts exactly what fits, and what it takes lands in a bounded
 * queue.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_target.h"
#include "lamcons.h"

static uint32_t word(const uint8_t *d)
{
    uint32_t v;
    memcpy(&v, d, sizeof(v));
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lcons_page *p = calloc(1, sizeof(*p));
    struct lcons_buf q;
    if (!p || lcons_buf_init(&q, 4096)) {
        free(p);
        return 0;
    }
    char got[LCONS_OUT_SIZE + 1];
    size_t i = 0;
    while (i < size) {
        uint8_t op = data[i++];
        switch (op % 6) {
        case 0: /* the guest sets one of its (or our) indices */
            if (i + 5 > size)
                break;
            uint32_t *idx[] = {&p->in_cons, &p->in_prod, &p->out_cons, &p->out_prod};
            *idx[data[i] % 4] = word(data + i + 1);
            i += 5;
            break;
        case 1: { /* the guest writes bytes and moves out_prod */
            size_t n = i < size ? data[i++] : 0;
            for (size_t k = 0; k < n && i < size; k++, i++)
                p->out[(p->out_prod + k) & (LCONS_OUT_SIZE - 1)] = (char)data[i];
            p->out_prod += (uint32_t)n;
            break;
        }
        case 2: { /* the daemon takes output into the history */
            size_t max = i < size ? (size_t)data[i++] * 16 : sizeof(got) - 1;
            if (max > sizeof(got) - 1)
                max = sizeof(got) - 1;
            struct lcons_bad bad;
            uint32_t avail = p->out_prod - p->out_cons;
            ssize_t n = lcons_take_output(p, got, max, &bad);
            ssize_t want = avail > LCONS_OUT_SIZE ? -1 : (ssize_t)(avail < max ? avail : max);
            if (n != want || n > LCONS_OUT_SIZE)
                abort();
            if (n > 0)
                lcons_buf_put_overwrite(&q, got, (size_t)n);
            break;
        }
        case 3: { /* the daemon puts typed input */
            size_t n = i < size ? data[i++] : 0;
            if (n > size - i)
                n = size - i;
            uint32_t used = p->in_prod - p->in_cons;
            ssize_t put = lcons_put_input(p, data + i, n, NULL);
            size_t space = LCONS_IN_SIZE - used;
            ssize_t want = used > LCONS_IN_SIZE ? -1 : (ssize_t)(n < space ? n : space);
            if (put != want)
                abort();
            i += n;
            break;
        }
        case 4: { /* a client drains some of the queue */
            size_t n;
            lcons_buf_peek(&q, &n);
            lcons_buf_consume(&q, n / 2 + 1);
            break;
        }
        default:
            if (q.len > q.cap)
                abort();
            break;
        }
    }
    lcons_buf_free(&q);
    free(p);
    return 0;
}
