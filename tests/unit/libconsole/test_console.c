/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libconsole on plain memory: the ring page a guest shares (its output taken, input put,
 * indices that wrap, indices a hostile guest set), the bounded queue, the capped and
 * rotated log file, the event rate limit, file-name rules and the attach client against a
 * stand-in daemon (answering, refusing, silent, absent).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lamcons.h"

/* ---- the ring ---- */

/* What a guest does: copy s into out[] at out_prod and publish it. */
static void guest_writes(struct lcons_page *p, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p->out[(p->out_prod + i) & (LCONS_OUT_SIZE - 1)] = s[i];
    p->out_prod += (uint32_t)n;
}

static void output_taken_in_order(void **state)
{
    (void)state;
    static struct lcons_page p;
    memset(&p, 0, sizeof(p));
    char got[64];
    assert_int_equal(lcons_take_output(&p, got, sizeof(got), NULL), 0);
    guest_writes(&p, "hello, dom0", 11);
    assert_int_equal(lcons_take_output(&p, got, 5, NULL), 5);
    assert_memory_equal(got, "hello", 5);
    assert_int_equal(p.out_cons, 5);
    assert_int_equal(lcons_take_output(&p, got, sizeof(got), NULL), 6);
    assert_memory_equal(got, ", dom0", 6);
    assert_int_equal(p.out_cons, 11);
}

/* Indices run freely through 2^32 and positions wrap at the ring's end. */
static void output_wraps(void **state)
{
    (void)state;
    static struct lcons_page p;
    memset(&p, 0, sizeof(p));
    p.out_cons = p.out_prod = 0xfffffffcu;
    char msg[LCONS_OUT_SIZE], got[LCONS_OUT_SIZE];
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (char)('a' + i % 26);
    guest_writes(&p, msg, sizeof(msg)); /* a completely full ring */
    assert_int_equal(p.out_prod - p.out_cons, LCONS_OUT_SIZE);
    assert_int_equal(lcons_take_output(&p, got, sizeof(got), NULL), LCONS_OUT_SIZE);
    assert_memory_equal(got, msg, sizeof(msg));
    assert_int_equal(p.out_cons, 0xfffffffcu + LCONS_OUT_SIZE);
}

/* A guest that claims more than the ring holds, or puts prod behind cons. */
static void output_bad_indices_refused(void **state)
{
    (void)state;
    static struct lcons_page p;
    memset(&p, 0, sizeof(p));
    char got[16];
    struct lcons_bad bad = {0, 0};
    p.out_cons = 100;
    p.out_prod = 100 + LCONS_OUT_SIZE + 1;
    assert_int_equal(lcons_take_output(&p, got, sizeof(got), &bad), -1);
    assert_int_equal(bad.cons, 100);
    assert_int_equal(bad.prod, 100 + LCONS_OUT_SIZE + 1);
    assert_int_equal(p.out_cons, 100); /* nothing taken */
    p.out_prod = 99;
    assert_int_equal(lcons_take_output(&p, got, sizeof(got), NULL), -1);
    p.out_prod = 0x7fffffffu;
    assert_int_equal(lcons_take_output(&p, got, sizeof(got), NULL), -1);
}

static void input_put_within_space(void **state)
{
    (void)state;
    static struct lcons_page p;
    memset(&p, 0, sizeof(p));
    char big[2 * LCONS_IN_SIZE];
    memset(big, 'x', sizeof(big));
    p.in_cons = 0xfffffe00u;
    p.in_prod = 0xfffffe00u + 1000; /* the guest has 1000 bytes to read */
    assert_int_equal(lcons_put_input(&p, big, sizeof(big), NULL), LCONS_IN_SIZE - 1000);
    assert_int_equal(p.in_prod - p.in_cons, LCONS_IN_SIZE);
    assert_int_equal(lcons_put_input(&p, "y", 1, NULL), 0); /* full: the guest must drain */
    p.in_cons = p.in_prod;                                  /* it did */
    assert_int_equal(lcons_put_input(&p, "ls\n", 3, NULL), 3);
    uint32_t at = (p.in_prod - 3) & (LCONS_IN_SIZE - 1);
    assert_int_equal(p.in[at], 'l');
    assert_int_equal(p.in[(at + 2) & (LCONS_IN_SIZE - 1)], '\n');
}

static void input_bad_indices_refused(void **state)
{
    (void)state;
    static struct lcons_page p;
    memset(&p, 0, sizeof(p));
    struct lcons_bad bad;
    p.in_cons = 5000; /* the guest claims to have read more than was ever written */
    p.in_prod = 10;
    assert_int_equal(lcons_put_input(&p, "a", 1, &bad), -1);
    assert_int_equal(bad.cons, 5000);
    assert_int_equal(p.in_prod, 10);
}

/* ---- the bounded queue ---- */

static void buf_drops_what_does_not_fit(void **state)
{
    (void)state;
    struct lcons_buf b;
    assert_int_equal(lcons_buf_init(&b, 8), 0);
    assert_int_equal(lcons_buf_put(&b, "abcdef", 6), 6);
    assert_int_equal(lcons_buf_put(&b, "ghijk", 5), 2);
    assert_int_equal(b.dropped, 3);
    assert_int_equal(lcons_buf_take_dropped(&b), 3);
    assert_int_equal(b.dropped, 0);
    size_t n;
    const char *s = lcons_buf_peek(&b, &n);
    assert_int_equal(n, 8);
    assert_memory_equal(s, "abcdefgh", 8);
    lcons_buf_consume(&b, 5);
    assert_int_equal(lcons_buf_put(&b, "XYZ", 3), 3); /* wraps */
    s = lcons_buf_peek(&b, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(s, "fgh", 3);
    lcons_buf_consume(&b, 3);
    s = lcons_buf_peek(&b, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(s, "XYZ", 3);
    lcons_buf_consume(&b, 100);
    assert_int_equal(b.len, 0);
    lcons_buf_free(&b);
}

static void buf_history_keeps_newest(void **state)
{
    (void)state;
    struct lcons_buf h, to;
    assert_int_equal(lcons_buf_init(&h, 8), 0);
    assert_int_equal(lcons_buf_init(&to, 32), 0);
    lcons_buf_put_overwrite(&h, "12345", 5);
    lcons_buf_put_overwrite(&h, "6789", 4);
    assert_int_equal(h.len, 8);
    lcons_buf_copy(&to, &h);
    size_t n;
    const char *s = lcons_buf_peek(&to, &n);
    assert_int_equal(n, 8);
    assert_memory_equal(s, "23456789", 8);
    lcons_buf_put_overwrite(&h, "abcdefghijkl", 12); /* more than it holds */
    lcons_buf_consume(&to, 8);
    lcons_buf_copy(&to, &h);
    char flat[8];
    size_t got = 0;
    while (to.len) {
        s = lcons_buf_peek(&to, &n);
        memcpy(flat + got, s, n);
        got += n;
        lcons_buf_consume(&to, n);
    }
    assert_int_equal(got, 8);
    assert_memory_equal(flat, "efghijkl", 8);
    lcons_buf_free(&h);
    lcons_buf_free(&to);
}

/* ---- the log ---- */

static char dir[64];

static int mkdir_setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/lcons-test.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int rmdir_teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static off_t file_size(const char *name)
{
    char path[160];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return stat(path, &st) == 0 ? st.st_size : -1;
}

static void log_capped_and_rotated(void **state)
{
    (void)state;
    struct lcons_log l;
    char chunk[3000];
    memset(chunk, 'a', sizeof(chunk));
    assert_int_equal(lcons_log_open(&l, dir, "web", 4096), 0);
    assert_int_equal(lcons_log_write(&l, chunk, sizeof(chunk)), 0);
    assert_int_equal(file_size("web.log"), 3000);
    assert_int_equal(file_size("web.log.1"), -1);
    memset(chunk, 'b', sizeof(chunk));
    assert_int_equal(lcons_log_write(&l, chunk, sizeof(chunk)), 0); /* would pass the cap */
    assert_int_equal(file_size("web.log"), 3000);
    assert_int_equal(file_size("web.log.1"), 3000);
    for (int i = 0; i < 20; i++)
        assert_int_equal(lcons_log_write(&l, chunk, 700), 0);
    assert_true(file_size("web.log") <= 4096);
    assert_true(file_size("web.log.1") <= 4096);
    lcons_log_close(&l);
    /* Reopened, it appends and counts what is there. */
    off_t before = file_size("web.log");
    assert_int_equal(lcons_log_open(&l, dir, "web", 4096), 0);
    assert_int_equal(l.size, before);
    assert_int_equal(lcons_log_write(&l, "x", 1), 0);
    assert_int_equal(file_size("web.log"), before + 1);
    /* A single chunk larger than the cap keeps its end only. */
    char huge[9000];
    memset(huge, 'h', sizeof(huge));
    huge[sizeof(huge) - 1] = 'E';
    assert_int_equal(lcons_log_write(&l, huge, sizeof(huge)), 0);
    assert_int_equal(file_size("web.log"), 4096);
    lcons_log_close(&l);
}

static void log_refuses_unsafe_names_and_links(void **state)
{
    (void)state;
    struct lcons_log l;
    assert_int_equal(lcons_log_open(&l, dir, "../escape", 4096), EINVAL);
    assert_int_equal(lcons_log_open(&l, dir, "a/b", 4096), EINVAL);
    assert_int_equal(lcons_log_open(&l, dir, "", 4096), EINVAL);
    char target[160], link[160];
    snprintf(target, sizeof(target), "%s/elsewhere", dir);
    snprintf(link, sizeof(link), "%s/evil.log", dir);
    assert_int_equal(symlink(target, link), 0);
    assert_int_equal(lcons_log_open(&l, dir, "evil", 4096), ELOOP);
    assert_int_equal(file_size("elsewhere"), -1);
}

/* ---- the rate limit and names ---- */

static void rate_limit_windows(void **state)
{
    (void)state;
    struct lcons_rate r = {0, 0};
    for (int i = 0; i < LCONS_RATE_EVENTS; i++)
        assert_true(lcons_rate_event(&r, 1000 + (uint64_t)i));
    assert_false(lcons_rate_event(&r, 1100));
    assert_int_equal(lcons_rate_resume_at(&r), 1000 + LCONS_RATE_WINDOW_MS);
    assert_false(lcons_rate_event(&r, 1199));
    assert_true(lcons_rate_event(&r, 1200)); /* a new window */
    assert_true(lcons_rate_event(&r, 5));    /* a clock that went back starts one too */
}

static void names(void **state)
{
    (void)state;
    const char *good[] = {"web", "d1", "a.b_c+d-e", "Guest-01"};
    const char *bad[] = {
        "",     ".",
        "..",   ".hidden",
        "-x",   "a/b",
        "a b",  "t\n",
        "\xff", "0123456789012345678901234567890123456789012345678901234567890123456"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_true(lcons_name_ok(good[i]));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(lcons_name_ok(bad[i]));
}

/* ---- the attach client against a stand-in daemon ---- */

struct fake {
    int lfd;
    const char *answer; /* NULL: never answer */
    char request[LCONS_LINE_MAX];
};

static void *fake_daemon(void *arg)
{
    struct fake *f = arg;
    int fd = accept(f->lfd, NULL, NULL);
    if (fd < 0)
        return NULL;
    ssize_t n = read(fd, f->request, sizeof(f->request) - 1);
    f->request[n > 0 ? n : 0] = '\0';
    if (f->answer && write(fd, f->answer, strlen(f->answer)) < 0)
        f->request[0] = '\0';
    usleep(500000);
    close(fd);
    return NULL;
}

static int fake_listen(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path))
        fail();
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(fd, 2), 0);
    return fd;
}

static int attach_with(const char *answer, struct fake *f, unsigned *id, char *name, char *why,
                       int *err)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/sock", dir);
    unlink(path);
    *f = (struct fake){.lfd = fake_listen(path), .answer = answer};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, fake_daemon, f), 0);
    int fd = lcons_attach(path, "web", 400, id, name, LCONS_NAME_MAX + 1, why, 200);
    *err = errno;
    pthread_join(t, NULL);
    close(f->lfd);
    return fd;
}

static void attach_answers(void **state)
{
    (void)state;
    struct fake f;
    unsigned id = 0;
    char name[LCONS_NAME_MAX + 1], why[200];
    int err;
    int fd = attach_with("OK 7 web\nhistory", &f, &id, name, why, &err);
    assert_true(fd >= 0);
    assert_string_equal(f.request, "ATTACH web\n");
    assert_int_equal(id, 7);
    assert_string_equal(name, "web");
    char rest[16] = "";
    assert_int_equal(read(fd, rest, sizeof(rest)), 7); /* the stream follows the line */
    assert_memory_equal(rest, "history", 7);
    close(fd);

    fd = attach_with("ERR no domain named 'web'\n", &f, &id, name, why, &err);
    assert_int_equal(fd, -1);
    assert_int_equal(err, 0);
    assert_string_equal(why, "no domain named 'web'");

    fd = attach_with("bogus\n", &f, &id, name, why, &err);
    assert_int_equal(fd, -1);
    assert_int_equal(err, EPROTO);
}

static int64_t ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void attach_silent_or_absent_daemon(void **state)
{
    (void)state;
    struct fake f;
    unsigned id;
    char name[LCONS_NAME_MAX + 1], why[200];
    int err;
    int64_t t0 = ms_now();
    assert_int_equal(attach_with(NULL, &f, &id, name, why, &err), -1);
    assert_int_equal(err, ETIMEDOUT);
    assert_true(ms_now() - t0 < 2000);

    char path[128];
    snprintf(path, sizeof(path), "%s/none", dir);
    assert_int_equal(lcons_attach(path, "web", 400, &id, name, sizeof(name), why, sizeof(why)), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(lcons_attach(path, "a b", 400, &id, name, sizeof(name), why, sizeof(why)), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(output_taken_in_order),
        cmocka_unit_test(output_wraps),
        cmocka_unit_test(output_bad_indices_refused),
        cmocka_unit_test(input_put_within_space),
        cmocka_unit_test(input_bad_indices_refused),
        cmocka_unit_test(buf_drops_what_does_not_fit),
        cmocka_unit_test(buf_history_keeps_newest),
        cmocka_unit_test_setup_teardown(log_capped_and_rotated, mkdir_setup, rmdir_teardown),
        cmocka_unit_test_setup_teardown(log_refuses_unsafe_names_and_links, mkdir_setup,
                                        rmdir_teardown),
        cmocka_unit_test(rate_limit_windows),
        cmocka_unit_test(names),
        cmocka_unit_test_setup_teardown(attach_answers, mkdir_setup, rmdir_teardown),
        cmocka_unit_test_setup_teardown(attach_silent_or_absent_daemon, mkdir_setup,
                                        rmdir_teardown),
    };
    return cmocka_run_group_tests_name("console", tests, NULL, NULL);
}
