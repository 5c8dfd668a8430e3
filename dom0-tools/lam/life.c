/* SPDX-License-Identifier: GPL-2.0-only */
/* lam's glue to libdomlife (see lam_life.h). */
#include "lam_life.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lam_daemon.h"
#include "lam_hv.h"

int lam_life_fail(const struct lam_args *args, const char *what, int err)
{
    return lam_store_fail(args, what, err);
}

int lam_life_open(const struct lam_args *args, struct lam_life *ll)
{
    memset(ll, 0, sizeof(*ll));
    ll->hv = lam_hv_open(args);
    if (!ll->hv)
        return LAM_EXIT_FAILURE;
    ll->xs = lam_store_open(args, NULL);
    if (!ll->xs) {
        hvctl_close(ll->hv);
        return LAM_EXIT_FAILURE;
    }
    const struct life_ops ops = {.destroy = lam_destroyer, .log = lam_life_log_line};
    life_init(&ll->l, ll->hv, ll->xs, &ops);
    return LAM_EXIT_OK;
}

void lam_life_close(struct lam_life *ll)
{
    xsc_close(ll->xs);
    hvctl_close(ll->hv);
    ll->xs = NULL;
    ll->hv = NULL;
}

int lam_life_domain(const struct lam_args *args, struct lam_life *ll, const char *what,
                    uint16_t *domid)
{
    int rc = life_find(&ll->l, what, domid);
    if (rc == ENOENT)
        return lam_fail(args, what, "no running domain has this name, UUID or id (see `lam list`)");
    if (rc)
        return lam_fail(args, what, "cannot look it up: %s", strerror(rc));
    return LAM_EXIT_OK;
}

int lam_life_domain_info(const struct lam_args *args, struct lam_life *ll, uint16_t *domid,
                         struct life_info *info)
{
    if (lam_life_open(args, ll) != LAM_EXIT_OK)
        return LAM_EXIT_FAILURE;
    int rc = lam_life_domain(args, ll, args->argv[0], domid);
    int err = rc == LAM_EXIT_OK ? life_get_info(&ll->l, *domid, info) : 0;
    if (err)
        rc = lam_life_fail(args, args->argv[0], err);
    if (rc != LAM_EXIT_OK)
        lam_life_close(ll);
    return rc;
}

int lam_life_change(const struct lam_args *args, lam_life_change_fn change, uint64_t value,
                    uint16_t *domid, struct life_info *info)
{
    struct lam_life ll;
    if (lam_life_open(args, &ll) != LAM_EXIT_OK)
        return LAM_EXIT_FAILURE;
    int rc = lam_life_domain(args, &ll, args->argv[0], domid);
    if (rc == LAM_EXIT_OK) {
        int err = change(&ll.l, *domid, value);
        if (err == ERANGE && life_get_info(&ll.l, *domid, info) == 0)
            rc = LAM_LIFE_OUT_OF_RANGE;
        else if (err)
            rc = lam_life_fail(args, args->argv[0], err);
    }
    lam_life_close(&ll);
    return rc;
}

void lam_life_name(struct lam_life *ll, uint16_t domid, char *buf, unsigned int len)
{
    char path[48];
    snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    char *v;
    uint32_t n;
    if (domid != 0 && ll->xs && xsc_read(ll->xs, XSC_NO_TX, path, &v, &n) == 0) {
        snprintf(buf, len, "%s", v);
        free(v);
        return;
    }
    lam_running_name(domid, buf, len);
}

struct xsc *lam_store_try_open(void)
{
    const char *path = getenv("XENSTORED_PATH");
    return xsc_open_timeout(path && *path ? path : XSC_DEFAULT_SOCKET, LAM_DAEMON_TIMEOUT_MS);
}

int lam_parse_size_kib(const struct lam_args *args, const char *s, uint64_t *kib)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    unsigned shift = 10; /* MiB -> KiB */
    if (*s < '0' || *s > '9' || errno)
        goto bad;
    if (*end) {
        char unit = (char)(*end | 0x20);
        const char *rest = end + 1;
        if (unit == 'k')
            shift = 0;
        else if (unit == 'm')
            shift = 10;
        else if (unit == 'g')
            shift = 20;
        else if (unit == 't')
            shift = 30;
        else
            goto bad;
        if (*rest && strcmp(rest, "iB") && strcmp(rest, "B") && strcmp(rest, "b"))
            goto bad;
    }
    if (v > (UINT64_MAX >> 31) >> shift || v == 0)
        goto bad;
    *kib = (uint64_t)v << shift;
    return LAM_EXIT_OK;
bad:
    return lam_usage_error(args->cmd,
                           "'%s' is not a memory size (a number with an optional unit k, m, g "
                           "or t; no unit means MiB)",
                           s);
}

int lam_parse_count(const struct lam_args *args, const char *what, const char *s, unsigned int *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (*s < '0' || *s > '9' || *end || errno || v == 0 || v > 100000)
        return lam_usage_error(args->cmd, "%s '%s': expected a positive number", what, s);
    *out = (unsigned int)v;
    return LAM_EXIT_OK;
}

void lam_life_log_line(struct life *l, const char *line)
{
    (void)l;
    const char *dir = getenv("LAMINA_LOG_DIR");
    if (!dir || !*dir)
        dir = "/var/log/lamina";
    mkdir(dir, 0755);
    char path[4096];
    snprintf(path, sizeof(path), "%s/lifecycle.log", dir);
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
    FILE *f = fopen(path, "ae");
    if (f) {
        fprintf(f, "%s lam[%d]: %s\n", stamp, (int)getpid(), line);
        fclose(f);
    }
    /* A monitor has no terminal; a foreground command shows the line as well. */
    if (isatty(2))
        fprintf(stderr, "lam: %s\n", line);
}

/* ---- the monitor ---- */

static bool store_lost(int rc)
{
    return rc == ECONNRESET || rc == EPIPE || rc == EPROTO || rc == ENOTCONN;
}

/* The store's socket again, every 100 ms doubling to 2 s, for at most 10 minutes (the
 * socket only: while the daemon restarts, the kernel's xenbus device would hang). */
static struct xsc *store_reconnect(void)
{
    const char *env = getenv("XENSTORED_PATH");
    const char *path = env && *env ? env : XSC_DEFAULT_SOCKET;
    int pause_ms = 100;
    for (int waited = 0; waited < 600 * 1000; waited += pause_ms) {
        struct timespec ts = {pause_ms / 1000, (long)(pause_ms % 1000) * 1000000};
        nanosleep(&ts, NULL);
        struct xsc *h = xsc_open_timeout(path, LAM_DAEMON_TIMEOUT_MS);
        if (h) {
            xsc_set_timeout(h, -1);
            return h;
        }
        pause_ms = pause_ms * 2 > 2000 ? 2000 : pause_ms * 2;
    }
    return NULL;
}

int lam_monitor_serve(uint16_t domid, int ready_fd)
{
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    struct hvctl *hv = hvctl_open();
    struct xsc *xs = hv ? xsc_open(NULL) : NULL;
    if (!hv || !xs) {
        hvctl_close(hv);
        return LAM_EXIT_FAILURE;
    }
    const struct life_ops ops = {
        .destroy = lam_destroyer, .build = lam_builder, .log = lam_life_log_line};
    struct life l;
    life_init(&l, hv, xs, &ops);
    struct life_monitor m;
    int rc = life_watch_releases(&l);
    if (!rc)
        rc = life_monitor_init(&l, &m, domid, (int)getpid());
    if (rc) {
        life_log(&l, "monitor for domain %u: cannot start: %s", domid, strerror(rc));
        xsc_close(xs);
        hvctl_close(hv);
        return LAM_EXIT_FAILURE;
    }
    life_log(&l, "%s (id %u): monitored (on_poweroff=%s on_reboot=%s on_crash=%s)", m.name, domid,
             life_action_name(m.actions.on_poweroff), life_action_name(m.actions.on_reboot),
             life_action_name(m.actions.on_crash));
    if (ready_fd >= 0) {
        if (write(ready_fd, "y", 1) != 1)
            rc = errno;
        close(ready_fd);
    }
    for (;;) {
        rc = life_monitor_run(&l, &m);
        if (!store_lost(rc))
            break;
        /* lamstored restarted (it keeps its nodes with --state): watch again. */
        life_log(&l, "%s (id %u): store connection lost (%s); reconnecting", m.name, m.domid,
                 strerror(rc));
        xsc_close(l.xs);
        l.xs = store_reconnect();
        l.watching = false;
        rc = l.xs ? life_watch_releases(&l) : ETIMEDOUT;
        if (rc)
            break;
        life_log(&l, "%s (id %u): store connected again", m.name, m.domid);
    }
    if (rc)
        life_log(&l, "%s (id %u): monitor stops: %s", m.name, m.domid, strerror(rc));
    life_monitor_free(&m);
    xs = l.xs;
    xsc_close(xs);
    hvctl_close(hv);
    return rc ? LAM_EXIT_FAILURE : LAM_EXIT_OK;
}

/* The monitor keeps nothing of its parent's: no store connection (the daemon would keep it
 * and its watches for as long as the monitor lives), no hypervisor handle. */
static void close_inherited(int keep)
{
    /* Two system calls rather than one per possible descriptor (each costs a trip through
     * the hypervisor in a PV dom0); the loop is for kernels before 5.9. */
    if (keep >= 3 && (keep == 3 || close_range(3, (unsigned int)keep - 1, 0) == 0) &&
        close_range((unsigned int)keep + 1, ~0u, 0) == 0)
        return;
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536)
        max = 65536;
    for (int fd = 3; fd < max; fd++)
        if (fd != keep)
            close(fd);
}

static void to_dev_null(void)
{
    int fd = open("/dev/null", O_RDWR);
    if (fd < 0)
        return;
    dup2(fd, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    if (fd > 2)
        close(fd);
}

int lam_monitor_spawn(const struct lam_args *args, uint16_t domid, int *pid)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC))
        return lam_fail(args, "cannot start the domain's monitor", "%s", strerror(errno));
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) {
        close(p[0]);
        close(p[1]);
        return lam_fail(args, "cannot start the domain's monitor", "%s", strerror(errno));
    }
    if (child == 0) {
        /* Twice forked and in its own session: not our child, not killed with our terminal. */
        close(p[0]);
        setsid();
        pid_t grandchild = fork();
        if (grandchild != 0)
            _exit(grandchild < 0);
        if (chdir("/") != 0)
            _exit(1);
        to_dev_null();
        close_inherited(p[1]);
        _exit(lam_monitor_serve(domid, p[1]));
    }
    close(p[1]);
    waitpid(child, NULL, 0);
    struct pollfd pfd = {.fd = p[0], .events = POLLIN};
    char ok = 0;
    int ready = poll(&pfd, 1, 5000) == 1 && read(p[0], &ok, 1) == 1 && ok == 'y';
    close(p[0]);
    if (!ready)
        return lam_fail(args, "cannot start the domain's monitor",
                        "it did not report ready (see the lifecycle log)");
    /* The monitor recorded its pid in the store. */
    struct xsc *xs = xsc_open(NULL);
    char path[48], *v = NULL;
    uint32_t n;
    snprintf(path, sizeof(path), "/lamina/domain/%u/monitor", domid);
    *pid = 0;
    if (xs && xsc_read(xs, XSC_NO_TX, path, &v, &n) == 0)
        *pid = atoi(v);
    free(v);
    xsc_close(xs);
    return LAM_EXIT_OK;
}
