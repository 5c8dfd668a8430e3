/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lamconsoled: the console daemon (see consoled.h).
 *
 *   lamconsoled [--socket PATH] [--log-dir DIR] [--log-size BYTES] [--store PATH]
 *
 * Defaults: the attach socket LCONS_SOCKET (/run/lamina/console.sock), logs in
 * LCONS_LOG_DIR (/var/log/lamina/console), each NAME.log capped at 1 MiB with the
 * previous one kept as NAME.log.1, the store at $XENSTORED_PATH or
 * /run/xenstored/socket. Its own messages go to stderr. SIGTERM/SIGINT end it.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "consoled.h"
#include "hvctl.h"
#include "xsclient.h"

#define TICK_MS        1000
#define RESCAN_TICKS   5 /* a safety net: domains are normally found through watches */
#define RECONNECT_TICK 2

void logmsg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("lamconsoled: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void usage(FILE *f)
{
    fputs("usage: lamconsoled [--socket PATH] [--log-dir DIR] [--log-size BYTES] [--store PATH]\n"
          "Serves every domU's console ring: logs to DIR/NAME.log (default " LCONS_LOG_DIR
          ",\ncapped at BYTES, default 1048576, the previous file kept as NAME.log.1) and lets\n"
          "`lam console NAME` attach through PATH (default " LCONS_SOCKET ").\n",
          f);
}

/* mkdir -p for the log directory and the socket's directory. */
static int make_dirs(const char *path, bool parent_only)
{
    char p[512];
    snprintf(p, sizeof(p), "%s", path);
    if (parent_only) {
        char *slash = strrchr(p, '/');
        if (!slash)
            return 0;
        *slash = '\0';
    }
    for (char *s = p + 1;; s++) {
        bool end = *s == '\0';
        if (*s == '/' || end) {
            *s = '\0';
            if (p[0] && mkdir(p, 0755) != 0 && errno != EEXIST)
                return -1;
            if (end)
                return 0;
            *s = '/';
        }
    }
}

static void on_evtchn(struct daemon *dm)
{
    uint32_t ports[128];
    for (;;) {
        ssize_t n = read(xen_evtchn_fd(), ports, sizeof(ports));
        if (n <= 0)
            return;
        for (ssize_t i = 0; i < n / (ssize_t)sizeof(ports[0]); i++)
            dom_event(dm, ports[i]);
    }
}

static int run(struct daemon *dm, int sigfd)
{
    static struct tag sig_tag = {TAG_SIGNAL, NULL}, ev_tag = {TAG_EVTCHN, NULL};
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &sig_tag};
    epoll_ctl(dm->epfd, EPOLL_CTL_ADD, sigfd, &ev);
    ev.data.ptr = &ev_tag;
    epoll_ctl(dm->epfd, EPOLL_CTL_ADD, xen_evtchn_fd(), &ev);
    store_connect(dm);
    scan_domains(dm);
    uint64_t next_tick = now_ms() + TICK_MS;
    unsigned ticks = 0;
    for (;;) {
        uint64_t now = now_ms(), wake = next_tick;
        uint64_t masked = dom_release_masked(dm);
        if (masked && masked < wake)
            wake = masked;
        struct epoll_event evs[32];
        int n = epoll_wait(dm->epfd, evs, 32, wake > now ? (int)(wake - now) : 0);
        if (n < 0 && errno != EINTR) {
            logmsg("epoll_wait: %s", strerror(errno));
            return 1;
        }
        for (int i = 0; i < n; i++) {
            struct tag *t = evs[i].data.ptr;
            switch (t->kind) {
            case TAG_SIGNAL:
                return 0;
            case TAG_EVTCHN:
                on_evtchn(dm);
                break;
            case TAG_STORE:
                break; /* store_events() below */
            case TAG_LISTEN:
                clients_accept(dm);
                break;
            case TAG_CLIENT:
                client_event(dm, t->client, evs[i].events);
                break;
            }
        }
        store_events(dm);
        if (now_ms() >= next_tick) {
            next_tick = now_ms() + TICK_MS;
            ticks++;
            clients_expire(dm);
            if (!dm->store && ticks % RECONNECT_TICK == 0) {
                store_connect(dm);
                if (dm->store)
                    scan_domains(dm);
            } else if (ticks % RESCAN_TICKS == 0) {
                scan_domains(dm);
            }
        }
        clients_reap(dm);
    }
}

int main(int argc, char **argv)
{
    static struct daemon dm = {.log_dir = LCONS_LOG_DIR, .log_cap = LCONS_LOG_CAP_DEFAULT};
    const char *sock = LCONS_SOCKET;
    dm.store_path = getenv("XENSTORED_PATH") ? getenv("XENSTORED_PATH") : XSC_DEFAULT_SOCKET;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        if (!v) {
            usage(stderr);
            return 2;
        }
        i++;
        if (!strcmp(a, "--socket")) {
            sock = v;
        } else if (!strcmp(a, "--log-dir")) {
            dm.log_dir = v;
        } else if (!strcmp(a, "--store")) {
            dm.store_path = v;
        } else if (!strcmp(a, "--log-size")) {
            char *end;
            dm.log_cap = strtol(v, &end, 10);
            if (*end || dm.log_cap < LCONS_LOG_CAP_MIN) {
                fprintf(stderr, "lamconsoled: --log-size needs at least %d bytes\n",
                        LCONS_LOG_CAP_MIN);
                return 2;
            }
        } else {
            usage(stderr);
            return 2;
        }
    }
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);
    int sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
    dm.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (sigfd < 0 || dm.epfd < 0) {
        logmsg("cannot set up the event loop: %s", strerror(errno));
        return 1;
    }
    if (make_dirs(dm.log_dir, false) || make_dirs(sock, true)) {
        logmsg("creating %s or the directory of %s: %s", dm.log_dir, sock, strerror(errno));
        return 1;
    }
    dm.hv = hvctl_open();
    if (!dm.hv) {
        logmsg("/dev/xen/privcmd: %s (lamconsoled runs in dom0)", strerror(errno));
        return 1;
    }
    if (xen_open() || clients_listen(&dm, sock))
        return 1;
    logmsg("serving consoles: attach socket %s, logs in %s (each capped at %ld bytes, the "
           "previous kept as NAME.log.1)",
           sock, dm.log_dir, dm.log_cap);
    int rc = run(&dm, sigfd);
    while (dm.doms)
        dom_remove(&dm, dm.doms);
    clients_reap(&dm);
    unlink(sock);
    logmsg("stopped");
    return rc;
}
