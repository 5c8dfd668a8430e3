/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_store_reconnect: libbackend's loop against a real lamstored (on a temporary socket,
 * --no-rings, --state) that is stopped and started again under it. No hypervisor: the loop
 * is built with the store and epoll only, and a device is driven up to InitWait (what needs
 * no rings). Checked: the backend notices the daemon is gone, keeps its devices (no probe
 * again, no removal, nothing decided on failed reads), connects again within the backoff
 * bound, watches again (the base directory and the frontends' states), writes what it
 * decided while the store was away, and sees what the toolstack changed meanwhile.
 *   usage: LAMSTORED=path/to/lamstored test_store_reconnect
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "device.h"
#include "xsclient.h"

static const char *daemon_path;
static char dir[64], sock[96], sock_ro[96], state[96];
static pid_t daemon_pid = -1;
static unsigned probes, removes;

static int count_probe(struct lb_dev *d)
{
    (void)d;
    probes++;
    return 0;
}
static void count_remove(struct lb_dev *d)
{
    (void)d;
    removes++;
}
static void no_kick(struct lb_queue *q)
{
    (void)q;
}
static const struct lb_backend_ops ops = {
    .type = "tvbd",
    .entry_size = LB_BLKIF_ENTRY_SIZE,
    .max_ring_order = 0,
    .max_queues = 1,
    .probe = count_probe,
    .queue_kick = no_kick,
    .remove = count_remove,
};

static void start_daemon(void)
{
    unlink(sock);
    daemon_pid = fork();
    if (daemon_pid == 0) {
        char log[128];
        snprintf(log, sizeof(log), "%s/lamstored.log", dir);
        if (!freopen(log, "a", stderr))
            _exit(126);
        execl(daemon_path, daemon_path, "--socket", sock, "--ro-socket", sock_ro, "--state", state,
              "--no-rings", (char *)NULL);
        _exit(127);
    }
    assert_true(daemon_pid > 0);
    struct stat sb;
    for (int i = 0; i < 200 && stat(sock, &sb) != 0; i++)
        usleep(10000);
    assert_int_equal(stat(sock, &sb), 0);
}

/* SIGTERM: the daemon writes its state file and exits, closing every connection. */
static void stop_daemon(void)
{
    int status = 0;
    kill(daemon_pid, SIGTERM);
    assert_int_equal(waitpid(daemon_pid, &status, 0), daemon_pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    daemon_pid = -1;
}

static struct xsc *toolstack(void)
{
    struct xsc *h = xsc_open_socket(sock);
    assert_non_null(h);
    return h;
}

static void put(struct xsc *h, const char *path, const char *val)
{
    assert_int_equal(xsc_write(h, XSC_NO_TX, path, val, (uint32_t)strlen(val)), 0);
}

/* The value at path equals want (NULL: the node is absent). */
static bool value_is(const char *path, const char *want)
{
    struct xsc *h = xsc_open_socket(sock);
    if (!h)
        return false;
    char *v = NULL;
    uint32_t len;
    int err = xsc_read(h, XSC_NO_TX, path, &v, &len);
    bool ok = want ? !err && strcmp(v, want) == 0 : err == ENOENT;
    free(v);
    xsc_close(h);
    return ok;
}

/* A device as lam create writes it (only the keys the library reads). */
static void add_device(struct xsc *h, unsigned domid, unsigned devid)
{
    char be[96], fe[96], p[160], v[32];
    snprintf(be, sizeof(be), "/local/domain/0/backend/tvbd/%u/%u", domid, devid);
    snprintf(fe, sizeof(fe), "/local/domain/%u/device/vbd/%u", domid, devid);
    snprintf(p, sizeof(p), "%s/state", fe);
    put(h, p, "1");
    snprintf(p, sizeof(p), "%s/frontend", be);
    put(h, p, fe);
    snprintf(p, sizeof(p), "%s/frontend-id", be);
    snprintf(v, sizeof(v), "%u", domid);
    put(h, p, v);
    snprintf(p, sizeof(p), "%s/online", be);
    put(h, p, "1");
    snprintf(p, sizeof(p), "%s/state", be);
    put(h, p, "1");
}

/* The loop without Xen's devices: store and epoll only. */
static struct lb *loop_open(void)
{
    struct lb *lb = calloc(1, sizeof(*lb));
    assert_non_null(lb);
    lb->ops = &ops;
    lb->evtchn = lb->gntdev = -1;
    snprintf(lb->base, sizeof(lb->base), "/local/domain/0/backend/%s", ops.type);
    lb->epfd = epoll_create1(EPOLL_CLOEXEC);
    assert_true(lb->epfd >= 0);
    assert_int_equal(lb_store_open(lb), 0);
    return lb;
}

static void loop_close(struct lb *lb)
{
    lb_dev_remove_all(lb);
    if (lb->xs)
        xsc_close(lb->xs);
    close(lb->epfd);
    free(lb);
}

typedef bool (*cond_fn)(struct lb *lb, const void *arg);

/* Runs the loop until cond holds or ms pass. */
static bool run_until(struct lb *lb, cond_fn cond, const void *arg, int ms)
{
    int64_t end = lb_now_ms() + ms;
    while (!cond(lb, arg)) {
        if (lb_now_ms() >= end)
            return false;
        assert_int_equal(lb_run_once(lb, 20), 0);
    }
    return true;
}

static bool store_has(struct lb *lb, const void *arg)
{
    (void)lb;
    const char *const *pv = arg;
    return value_is(pv[0], pv[1]);
}
static bool disconnected(struct lb *lb, const void *arg)
{
    (void)arg;
    return lb->xs == NULL;
}
static bool reconnected(struct lb *lb, const void *arg)
{
    return lb->reconnects >= *(const unsigned *)arg;
}
static bool removed_count(struct lb *lb, const void *arg)
{
    (void)lb;
    return removes >= *(const unsigned *)arg;
}

#define BE_A "/local/domain/0/backend/tvbd/7/51712"
#define FE_A "/local/domain/7/device/vbd/51712"
#define BE_B "/local/domain/0/backend/tvbd/8/51728"

static void wait_store(struct lb *lb, const char *path, const char *want, int ms)
{
    const char *pv[2] = {path, want};
    if (!run_until(lb, store_has, pv, ms))
        fail_msg("%s never became %s", path, want ? want : "absent");
}

/* Setup: a fresh daemon and a device at InitWait. */
static int setup(void **state_)
{
    (void)state_;
    probes = removes = 0;
    unlink(state);
    start_daemon();
    return 0;
}
static int teardown(void **state_)
{
    (void)state_;
    if (daemon_pid > 0)
        stop_daemon();
    return 0;
}

static struct lb *device_at_initwait(void)
{
    struct xsc *ts = toolstack();
    add_device(ts, 7, 51712);
    xsc_close(ts);
    struct lb *lb = loop_open();
    wait_store(lb, BE_A "/state", "2", 3000);
    assert_int_equal(probes, 1);
    return lb;
}

/* Stop the daemon: the loop notices, keeps the device, decides nothing meanwhile. */
static void daemon_away(struct lb *lb, int ms)
{
    stop_daemon();
    assert_true(run_until(lb, disconnected, NULL, 3000));
    int64_t end = lb_now_ms() + ms;
    while (lb_now_ms() < end)
        assert_int_equal(lb_run_once(lb, 20), 0);
    assert_null(lb->xs);
    assert_non_null(lb_dev_find(lb, 7, 51712));
    assert_int_equal(removes, 0);
}

static void keeps_device_and_watches_again(void **state_)
{
    (void)state_;
    struct lb *lb = device_at_initwait();
    daemon_away(lb, 500);
    start_daemon();
    int64_t t0 = lb_now_ms();
    unsigned one = 1;
    assert_true(run_until(lb, reconnected, &one, 5000));
    /* The backoff is capped at 2 s: connected again within that after the daemon is back. */
    assert_true(lb_now_ms() - t0 <= 2500);
    assert_true(value_is(BE_A "/state", "2"));
    assert_int_equal(probes, 1);
    assert_int_equal(removes, 0);
    /* The frontend's state watch works again: Closing is answered with Closing. */
    struct xsc *ts = toolstack();
    put(ts, FE_A "/state", "5");
    wait_store(lb, BE_A "/state", "5", 3000);
    /* And the base watch: online=0 removes the device. */
    put(ts, BE_A "/online", "0");
    put(ts, FE_A "/state", "6");
    assert_true(run_until(lb, removed_count, &one, 3000));
    assert_null(lb_dev_find(lb, 7, 51712));
    xsc_close(ts);
    loop_close(lb);
}

/* What the toolstack did while the backend was disconnected is seen: a device removed, one
 * added (written before the backend's next attempt, so the scan finds it, not a watch). */
static void sees_changes_made_meanwhile(void **state_)
{
    (void)state_;
    struct lb *lb = device_at_initwait();
    daemon_away(lb, 100);
    start_daemon();
    struct xsc *ts = toolstack();
    assert_int_equal(xsc_rm(ts, XSC_NO_TX, BE_A), 0);
    add_device(ts, 8, 51728);
    xsc_close(ts);
    unsigned one = 1;
    assert_true(run_until(lb, reconnected, &one, 5000));
    assert_true(run_until(lb, removed_count, &one, 3000));
    assert_null(lb_dev_find(lb, 7, 51712));
    wait_store(lb, BE_B "/state", "2", 3000);
    /* The removed device's directory is not created again by a late write. */
    assert_true(value_is(BE_A "/state", NULL));
    loop_close(lb);
}

/* A frontend that broke the protocol while the store was away (its rings are served
 * without the store) is disconnected once the store is back: the library's loop only
 * decides with the store there. Here the device is made "connected" without rings (no
 * queues) while the daemon is down, and the store is brought to match before the loop
 * runs again (the loop, not the daemon, decides when it reconnects). */
static void decision_written_after_reconnect(void **state_)
{
    (void)state_;
    struct lb *lb = device_at_initwait();
    daemon_away(lb, 100);
    struct lb_dev *d = lb_dev_find(lb, 7, 51712);
    d->be_state = LB_XB_CONNECTED;
    d->connected = true;
    d->dead = true;
    for (int i = 0; i < 5; i++)
        assert_int_equal(lb_run_once(lb, 20), 0);
    assert_true(d->dead && d->connected);
    start_daemon();
    struct xsc *ts = toolstack();
    put(ts, FE_A "/state", "4");
    put(ts, BE_A "/state", "4");
    xsc_close(ts);
    /* 5 (asked to close), and as the frontend stays at 4, disconnected: 6. A device not
     * marked dead would stay at 4. */
    wait_store(lb, BE_A "/state", "6", 5000);
    assert_false(d->connected);
    assert_int_equal(removes, 0);
    loop_close(lb);
}

/* Several restarts in a row, one of them while the backend was still trying. */
static void survives_repeated_restarts(void **state_)
{
    (void)state_;
    struct lb *lb = device_at_initwait();
    for (unsigned i = 1; i <= 3; i++) {
        daemon_away(lb, 50 * i);
        start_daemon();
        assert_true(run_until(lb, reconnected, &i, 5000));
    }
    assert_true(value_is(BE_A "/state", "2"));
    assert_int_equal(probes, 1);
    assert_int_equal(removes, 0);
    struct xsc *ts = toolstack();
    put(ts, FE_A "/state", "5");
    xsc_close(ts);
    wait_store(lb, BE_A "/state", "5", 3000);
    loop_close(lb);
}

int main(int argc, char **argv)
{
    daemon_path = getenv("LAMSTORED");
    if (argc != 1 || !daemon_path) {
        fprintf(stderr, "usage: LAMSTORED=path/to/lamstored %s\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    snprintf(dir, sizeof(dir), "/tmp/lb-store.XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    snprintf(sock, sizeof(sock), "%s/sock", dir);
    snprintf(sock_ro, sizeof(sock_ro), "%s/sock_ro", dir);
    snprintf(state, sizeof(state), "%s/store.state", dir);
    setenv("XENSTORED_PATH", sock, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(keeps_device_and_watches_again, setup, teardown),
        cmocka_unit_test_setup_teardown(sees_changes_made_meanwhile, setup, teardown),
        cmocka_unit_test_setup_teardown(decision_written_after_reconnect, setup, teardown),
        cmocka_unit_test_setup_teardown(survives_repeated_restarts, setup, teardown),
    };
    int rc = cmocka_run_group_tests_name("store_reconnect", tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        rc = rc ? rc : 1;
    return rc;
}
