/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvctl_read_console against a simulated log ring answering sysctl readconsole with Xen
 * 4.17's rules (free-running indices, incremental reads from an index still held, clear
 * moving the start): whole reads, chunked reads that `lam dmesg` strings together, clear,
 * errors passed through, and an answer claiming more than the buffer held refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hvctl.h"
#include "lamina/hypercall-numbers.h"
#include "lamina/sysctl.h"

#define RING 64

struct fake_ring {
    char data[RING];
    uint32_t cons, prod;
    long fail;     /* nonzero: answer this */
    bool overfill; /* claim one byte more than asked */
};

static void logs(struct fake_ring *r, const char *s)
{
    for (; *s; s++)
        r->data[r->prod++ % RING] = *s;
    if (r->prod - r->cons > RING)
        r->cons = r->prod - RING;
}

static long fake_hypercall(void *ctx, unsigned long nr, const uint64_t args[5])
{
    struct fake_ring *r = ctx;
    struct lam_sysctl *op = (struct lam_sysctl *)(uintptr_t)args[0];
    if (nr != LAM_HYPERCALL_SYSCTL || op->cmd != LAM_SYSCTL_readconsole)
        return -ENOSYS;
    if (op->interface_version != LAM_SYSCTL_INTERFACE_VERSION)
        return -EACCES;
    if (r->fail)
        return r->fail;
    struct lam_sysctl_readconsole *rc = &op->u.readconsole;
    uint32_t c = r->cons;
    if (rc->incremental && rc->index - r->cons - 1 < r->prod - r->cons)
        c = rc->index;
    char *buf = (char *)(uintptr_t)rc->buffer;
    uint32_t done = 0;
    while (c != r->prod && done < rc->count)
        buf[done++] = r->data[c++ % RING];
    if (rc->clear)
        r->cons = c;
    rc->count = done + (r->overfill ? 1 : 0);
    rc->index = c;
    return 0;
}

/* Reads the whole log as lam dmesg does: a plain read, then incremental ones. */
static size_t read_all(struct hvctl *h, bool clear, char *out, size_t max, uint32_t chunk)
{
    uint32_t index = 0, got;
    size_t n = 0;
    bool incremental = false;
    do {
        char buf[RING];
        assert_int_equal(hvctl_read_console(h, clear, incremental, &index, buf, chunk, &got), 0);
        assert_true(n + got <= max);
        memcpy(out + n, buf, got);
        n += got;
        incremental = true;
    } while (got == chunk);
    return n;
}

static struct hvctl *open_ring(struct fake_ring *r)
{
    struct hvctl *h = hvctl_open_with(fake_hypercall, r);
    assert_non_null(h);
    return h;
}

static void whole_and_chunked_reads(void **state)
{
    (void)state;
    struct fake_ring r = {0};
    struct hvctl *h = open_ring(&r);
    logs(&r, "(XEN) hello\n(XEN) dom0 up\n");
    char out[256];
    size_t n = read_all(h, false, out, sizeof(out), RING);
    assert_int_equal(n, 26);
    assert_memory_equal(out, "(XEN) hello\n(XEN) dom0 up\n", 26);
    n = read_all(h, false, out, sizeof(out), 7); /* in 7-byte pieces */
    assert_int_equal(n, 26);
    assert_memory_equal(out, "(XEN) hello\n(XEN) dom0 up\n", 26);
    hvctl_close(h);
}

/* Once the ring wrapped, only the newest RING bytes are held. */
static void wrapped_ring_gives_newest(void **state)
{
    (void)state;
    struct fake_ring r = {.cons = 0xffffffe0u, .prod = 0xffffffe0u};
    struct hvctl *h = open_ring(&r);
    for (int i = 0; i < 10; i++)
        logs(&r, "0123456789");
    char out[256];
    size_t n = read_all(h, false, out, sizeof(out), 10);
    assert_int_equal(n, RING);
    assert_memory_equal(out, "6789012345", 10);
    hvctl_close(h);
}

static void clear_forgets_what_was_read(void **state)
{
    (void)state;
    struct fake_ring r = {0};
    struct hvctl *h = open_ring(&r);
    logs(&r, "old lines\n");
    char out[256];
    assert_int_equal(read_all(h, true, out, sizeof(out), RING), 10);
    assert_int_equal(read_all(h, false, out, sizeof(out), RING), 0);
    logs(&r, "new\n");
    assert_int_equal(read_all(h, false, out, sizeof(out), RING), 4);
    assert_memory_equal(out, "new\n", 4);
    hvctl_close(h);
}

static void errors_passed_and_overfill_refused(void **state)
{
    (void)state;
    struct fake_ring r = {.fail = -EPERM};
    struct hvctl *h = open_ring(&r);
    uint32_t index = 0, got = 99;
    char buf[16];
    assert_int_equal(hvctl_read_console(h, false, false, &index, buf, sizeof(buf), &got), -EPERM);
    r.fail = 0;
    r.overfill = true;
    logs(&r, "0123456789abcdefXYZ");
    assert_int_equal(hvctl_read_console(h, false, false, &index, buf, sizeof(buf), &got), -EIO);
    hvctl_close(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_and_chunked_reads),
        cmocka_unit_test(wrapped_ring_gives_newest),
        cmocka_unit_test(clear_forgets_what_was_read),
        cmocka_unit_test(errors_passed_and_overfill_refused),
    };
    return cmocka_run_group_tests_name("hvctl-readconsole", tests, NULL, NULL);
}
