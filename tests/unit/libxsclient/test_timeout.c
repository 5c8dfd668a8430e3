/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libxsclient's bound on waiting (xsc_open_timeout): a store socket nobody serves, the
 * kernel's xenbus device with no daemon behind it (a FIFO stands in: it accepts the
 * request and never answers) and a missing socket all fail in bounded time, the handle
 * stays failed after a timeout, and a daemon that answers is unaffected by the bound.
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

#include "xsclient.h"
#include "xsproto.h"

#define BOUND_MS 300

static char dir[64];

static int64_t ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int listen_at(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(fd, 4), 0);
    return fd;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/xsc-timeout.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* A daemon that accepted the connection (the kernel's backlog did) but never answers. */
static void silent_socket_times_out(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "%s/silent", dir);
    int lfd = listen_at(path);
    struct xsc *h = xsc_open_timeout(path, BOUND_MS);
    assert_non_null(h);
    char *v = NULL;
    int64_t t0 = ms_now();
    assert_int_equal(xsc_read(h, XSC_NO_TX, "/x", &v, NULL), ETIMEDOUT);
    int64_t took = ms_now() - t0;
    assert_true(took >= BOUND_MS - 20);
    assert_true(took < BOUND_MS + 1000);
    /* A late reply would answer the wrong request: the handle stays failed, at once. */
    t0 = ms_now();
    assert_int_equal(xsc_write(h, XSC_NO_TX, "/x", "1", 1), ETIMEDOUT);
    assert_true(ms_now() - t0 < 100);
    xsc_close(h);
    close(lfd);
}

/* The kernel's xenbus device takes the request and holds it while no daemon serves
 * dom0's ring: a pseudo-terminal's slave (a character device) whose master nobody
 * writes behaves the same. */
static void silent_device_times_out(void **state)
{
    (void)state;
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(master >= 0);
    assert_int_equal(grantpt(master), 0);
    assert_int_equal(unlockpt(master), 0);
    const char *path = ptsname(master);
    assert_non_null(path);
    struct xsc *h = xsc_open_timeout(path, BOUND_MS);
    assert_non_null(h);
    char **names = NULL;
    unsigned n = 0;
    int64_t t0 = ms_now();
    assert_int_equal(xsc_directory(h, XSC_NO_TX, "/", &names, &n), ETIMEDOUT);
    assert_true(ms_now() - t0 >= BOUND_MS - 20);
    assert_true(ms_now() - t0 < BOUND_MS + 1000);
    xsc_close(h);
    close(master);
}

static void missing_socket_fails_at_once(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "%s/none", dir);
    int64_t t0 = ms_now();
    errno = 0;
    assert_null(xsc_open_timeout(path, BOUND_MS));
    assert_int_equal(errno, ENOENT);
    assert_true(ms_now() - t0 < 100);
}

/* A socket file nobody listens on any more (a daemon that died). */
static void stale_socket_refused(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "%s/stale", dir);
    close(listen_at(path));
    errno = 0;
    assert_null(xsc_open_timeout(path, BOUND_MS));
    assert_int_equal(errno, ECONNREFUSED);
}

/* One READ answered with "v", after a pause shorter than the bound. */
static void *answer_one(void *arg)
{
    int lfd = *(int *)arg;
    int fd = accept(lfd, NULL, NULL);
    struct xs_msg_hdr hdr;
    char payload[XS_PAYLOAD_MAX];
    if (fd < 0 || read(fd, &hdr, sizeof(hdr)) != (ssize_t)sizeof(hdr) ||
        hdr.len > sizeof(payload) || read(fd, payload, hdr.len) != (ssize_t)hdr.len)
        return NULL;
    usleep(BOUND_MS * 1000 / 3);
    struct xs_msg_hdr r = {hdr.type, hdr.req_id, hdr.tx_id, 1};
    char out[sizeof(r) + 1];
    memcpy(out, &r, sizeof(r));
    out[sizeof(r)] = 'v';
    if (write(fd, out, sizeof(out)) != (ssize_t)sizeof(out))
        return NULL;
    usleep(100000);
    close(fd);
    return NULL;
}

static void answering_daemon_unaffected(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "%s/live", dir);
    int lfd = listen_at(path);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, answer_one, &lfd), 0);
    struct xsc *h = xsc_open_timeout(path, BOUND_MS);
    assert_non_null(h);
    char *v = NULL;
    uint32_t len = 0;
    assert_int_equal(xsc_read(h, XSC_NO_TX, "/x", &v, &len), 0);
    assert_int_equal(len, 1);
    assert_string_equal(v, "v");
    free(v);
    pthread_join(t, NULL);
    xsc_close(h);
    close(lfd);
}

/* A connection the daemon closes mid-way is a failure, not a hang. */
static void *close_at_once(void *arg)
{
    int fd = accept(*(int *)arg, NULL, NULL);
    if (fd >= 0)
        close(fd);
    return NULL;
}

static void closed_connection_fails(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "%s/closing", dir);
    int lfd = listen_at(path);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, close_at_once, &lfd), 0);
    struct xsc *h = xsc_open_timeout(path, BOUND_MS);
    assert_non_null(h);
    pthread_join(t, NULL);
    char *v = NULL;
    int err = xsc_read(h, XSC_NO_TX, "/x", &v, NULL);
    assert_true(err == ECONNRESET || err == EPIPE);
    xsc_close(h);
    close(lfd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(silent_socket_times_out, setup, teardown),
        cmocka_unit_test_setup_teardown(silent_device_times_out, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_socket_fails_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(stale_socket_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(answering_daemon_unaffected, setup, teardown),
        cmocka_unit_test_setup_teardown(closed_connection_fails, setup, teardown),
    };
    return cmocka_run_group_tests_name("xsclient", tests, NULL, NULL);
}
