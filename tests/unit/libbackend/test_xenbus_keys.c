/* SPDX-License-Identifier: GPL-2.0-only */
/* The xenbus decisions (Linux blkfront's sequences, played state by state) and the
 * frontend's ring keys read from a table standing in for the store. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lamback.h"
#include "tests.h"

static enum lb_xb_action next(int be, int fe, bool connected)
{
    struct lb_xb_view v = {.be = be, .fe = fe, .fe_exists = true, .connected = connected};
    return lb_xenbus_next(&v);
}

static void xb_handshake(void **state)
{
    (void)state;
    /* Toolstack wrote 1 on both sides: InitWait. */
    assert_int_equal(next(1, 1, false), LB_XB_INIT_WAIT);
    assert_int_equal(next(2, 1, false), LB_XB_NOTHING);
    /* blkfront published its rings (3): connect. */
    assert_int_equal(next(2, 3, false), LB_XB_CONNECT);
    assert_int_equal(next(4, 3, true), LB_XB_NOTHING);
    assert_int_equal(next(4, 4, true), LB_XB_NOTHING);
    /* A backend restarted while both were connected: resume. */
    assert_int_equal(next(4, 4, false), LB_XB_CONNECT);
    /* A frontend that jumped to 3 while we were still at 1 gets InitWait first. */
    assert_int_equal(next(1, 3, false), LB_XB_INIT_WAIT);
}

static void xb_close_and_reconnect(void **state)
{
    (void)state;
    assert_int_equal(next(4, 5, true), LB_XB_CLOSE);
    assert_int_equal(next(5, 5, true), LB_XB_NOTHING);
    assert_int_equal(next(5, 6, true), LB_XB_DISCONNECT);
    assert_int_equal(next(6, 6, false), LB_XB_NOTHING);
    /* The frontend starts over (module reload, kexec): InitWait again. */
    assert_int_equal(next(6, 1, false), LB_XB_INIT_WAIT);
    /* A frontend reset without closing drops the old rings first. */
    assert_int_equal(next(4, 1, true), LB_XB_DISCONNECT);
    assert_int_equal(next(6, 1, false), LB_XB_INIT_WAIT);
    /* Garbage states are ignored. */
    assert_int_equal(next(4, 99, true), LB_XB_NOTHING);
}

static void xb_toolstack_removal(void **state)
{
    (void)state;
    struct lb_xb_view v = {
        .be = 4, .fe = 4, .fe_exists = true, .removing = true, .connected = true};
    assert_int_equal(lb_xenbus_next(&v), LB_XB_CLOSE);
    v.be = 5;
    assert_int_equal(lb_xenbus_next(&v), LB_XB_NOTHING); /* waits for the frontend */
    v.fe = 6;
    assert_int_equal(lb_xenbus_next(&v), LB_XB_REMOVE);
    /* A frontend that never started cannot hold it (QEMU's rule). */
    struct lb_xb_view idle = {.be = 2, .fe = 1, .fe_exists = true, .removing = true};
    assert_int_equal(lb_xenbus_next(&idle), LB_XB_REMOVE);
    /* The guest is gone. */
    struct lb_xb_view gone = {.be = 4, .fe = 0, .fe_exists = false, .connected = true};
    assert_int_equal(lb_xenbus_next(&gone), LB_XB_REMOVE);
}

static void parse_uint_strict(void **state)
{
    (void)state;
    uint64_t v;
    assert_true(lb_parse_uint("0", 0, &v));
    assert_int_equal(v, 0);
    assert_false(lb_parse_uint("5", 0, &v));
    assert_true(lb_parse_uint("4294967295", UINT32_MAX, &v));
    assert_false(lb_parse_uint("4294967296", UINT32_MAX, &v));
    assert_true(lb_parse_uint("18446744073709551615", UINT64_MAX, &v));
    assert_false(lb_parse_uint("18446744073709551616", UINT64_MAX, &v));
    assert_false(lb_parse_uint("", 10, &v));
    assert_false(lb_parse_uint("-1", 10, &v));
    assert_false(lb_parse_uint("+1", 10, &v));
    assert_false(lb_parse_uint("1 ", 10, &v));
    assert_false(lb_parse_uint(" 1", 10, &v));
    assert_false(lb_parse_uint("0x1", 10, &v));
    assert_false(lb_parse_uint(NULL, 10, &v));
}

/* ---- the frontend's keys, from a table ---- */
struct kv {
    const char *k, *v;
};

static int table_reader(void *ctx, const char *key, char **out)
{
    for (const struct kv *t = ctx; t->k; t++)
        if (strcmp(t->k, key) == 0) {
            *out = strdup(t->v);
            return 0;
        }
    return ENOENT;
}

static int read_cfg(const struct kv *t, struct lb_fe_config *cfg)
{
    char why[160];
    return lb_fe_config_read(table_reader, (void *)t, 4, 4, cfg, why, sizeof(why));
}

static void fe_single_page(void **state)
{
    (void)state;
    const struct kv t[] = {
        {"ring-ref", "8"}, {"event-channel", "12"}, {"protocol", "x86_64-abi"}, {NULL, NULL}};
    struct lb_fe_config cfg;
    assert_int_equal(read_cfg(t, &cfg), 0);
    assert_int_equal(cfg.ring_order, 0);
    assert_int_equal(cfg.nr_queues, 1);
    assert_int_equal(cfg.q[0].refs[0], 8);
    assert_int_equal(cfg.q[0].port, 12);
}

static void fe_multi_page_multi_queue(void **state)
{
    (void)state;
    const struct kv t[] = {
        {"ring-page-order", "1"},    {"multi-queue-num-queues", "2"}, {"queue-0/ring-ref0", "10"},
        {"queue-0/ring-ref1", "11"}, {"queue-0/event-channel", "5"},  {"queue-1/ring-ref0", "20"},
        {"queue-1/ring-ref1", "21"}, {"queue-1/event-channel", "6"},  {NULL, NULL}};
    struct lb_fe_config cfg;
    assert_int_equal(read_cfg(t, &cfg), 0);
    assert_int_equal(cfg.ring_order, 1);
    assert_int_equal(cfg.nr_queues, 2);
    assert_int_equal(cfg.q[1].refs[1], 21);
    assert_int_equal(cfg.q[1].port, 6);
}

static void fe_bad_keys(void **state)
{
    (void)state;
    struct lb_fe_config cfg;
    const struct kv order[] = {{"ring-page-order", "5"}, {NULL, NULL}};
    assert_int_equal(read_cfg(order, &cfg), EINVAL); /* more than offered */
    const struct kv queues[] = {{"multi-queue-num-queues", "5"}, {NULL, NULL}};
    assert_int_equal(read_cfg(queues, &cfg), EINVAL);
    const struct kv zero[] = {{"multi-queue-num-queues", "0"}, {NULL, NULL}};
    assert_int_equal(read_cfg(zero, &cfg), EINVAL);
    const struct kv proto[] = {
        {"ring-ref", "8"}, {"event-channel", "1"}, {"protocol", "x86_32-abi"}, {NULL, NULL}};
    assert_int_equal(read_cfg(proto, &cfg), EPROTONOSUPPORT);
    const struct kv noport[] = {{"ring-ref", "8"}, {NULL, NULL}};
    assert_int_equal(read_cfg(noport, &cfg), ENOENT);
    const struct kv badref[] = {{"ring-ref", "8x"}, {"event-channel", "1"}, {NULL, NULL}};
    assert_int_equal(read_cfg(badref, &cfg), EINVAL);
    const struct kv bigref[] = {{"ring-ref", "4294967296"}, {"event-channel", "1"}, {NULL, NULL}};
    assert_int_equal(read_cfg(bigref, &cfg), EINVAL);
    /* Order 1 needs ring-ref0 and ring-ref1, not ring-ref. */
    const struct kv missing[] = {
        {"ring-page-order", "1"}, {"ring-ref", "8"}, {"event-channel", "1"}, {NULL, NULL}};
    assert_int_equal(read_cfg(missing, &cfg), ENOENT);
}

const struct CMUnitTest xenbus_keys_tests[] = {
    cmocka_unit_test(xb_handshake),         cmocka_unit_test(xb_close_and_reconnect),
    cmocka_unit_test(xb_toolstack_removal), cmocka_unit_test(parse_uint_strict),
    cmocka_unit_test(fe_single_page),       cmocka_unit_test(fe_multi_page_multi_queue),
    cmocka_unit_test(fe_bad_keys),
};
const size_t xenbus_keys_count = sizeof(xenbus_keys_tests) / sizeof(xenbus_keys_tests[0]);
