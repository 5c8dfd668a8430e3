/* SPDX-License-Identifier: GPL-2.0-only */
/* lam's side of a console session (see lam_console.h). */
#include "lam_console.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lam_daemon.h"
#include "lamcons.h"

#define ESCAPE_CHAR 0x1d /* Ctrl-], as xl console */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static long long ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_console(const struct lam_args *args, const char *dom, const char *sock,
                           unsigned *id, char *name, size_t name_len)
{
    char why[LCONS_LINE_MAX + 128];
    int fd = lcons_attach(sock, dom, LAM_DAEMON_TIMEOUT_MS, id, name, name_len, why, sizeof(why));
    if (fd >= 0)
        return fd;
    int err = errno;
    if (err == ENOENT || err == ECONNREFUSED || err == ETIMEDOUT)
        lam_fail(args, "cannot reach the console daemon (lamconsoled)",
                 "%s; start it with '%s' (dom0's /init starts it at boot)", why,
                 LAM_CONSOLED_START);
    else if (err == 0)
        lam_fail(args, dom, "%s", why);
    else
        lam_fail(args, "console daemon (lamconsoled)", "%s", why);
    return -1;
}

struct session {
    int sock;
    bool tty, stdin_open, detached, gone;
    char pending[1024]; /* typed, not yet accepted by the daemon */
    size_t npending;
};

/* Keyboard bytes: up to Ctrl-] on a terminal, which detaches. */
static void from_stdin(struct session *s)
{
    char buf[sizeof(s->pending)];
    ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        s->stdin_open = false; /* keep showing the console */
        return;
    }
    if (s->tty) {
        char *esc = memchr(buf, ESCAPE_CHAR, (size_t)n);
        if (esc) {
            n = esc - buf;
            s->detached = true;
        }
    }
    memcpy(s->pending, buf, (size_t)n);
    s->npending = (size_t)n;
}

static void to_daemon(struct session *s)
{
    ssize_t n = send(s->sock, s->pending, s->npending, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n < 0) {
        s->gone = true;
        return;
    }
    memmove(s->pending, s->pending + n, s->npending - (size_t)n);
    s->npending -= (size_t)n;
}

static void from_daemon(struct session *s)
{
    char buf[4096];
    ssize_t n = recv(s->sock, buf, sizeof(buf), MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n <= 0) {
        s->gone = true;
        return;
    }
    for (ssize_t off = 0; off < n;) {
        ssize_t w = write(STDOUT_FILENO, buf + off, (size_t)(n - off));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) { /* stdout closed: nothing more to do */
            s->detached = true;
            return;
        }
        off += w;
    }
}

static void run_session(struct session *s, long long deadline)
{
    while (!s->detached && !s->gone && !stop_signal) {
        struct pollfd p[2] = {
            {.fd = s->sock, .events = POLLIN | (s->npending ? POLLOUT : 0)},
            {.fd = s->stdin_open && !s->npending ? STDIN_FILENO : -1, .events = POLLIN},
        };
        int wait = -1;
        if (deadline) {
            long long left = deadline - ms_now();
            if (left <= 0)
                return;
            wait = (int)left;
        }
        int r = poll(p, 2, wait);
        if (r < 0 && errno != EINTR)
            return;
        if (r <= 0)
            continue;
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
            from_daemon(s);
        if (p[0].revents & POLLOUT)
            to_daemon(s);
        if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            from_stdin(s);
            if (s->npending)
                to_daemon(s);
        }
    }
}

int lam_console_attach(const struct lam_args *args, const char *dom,
                       const struct lam_console_opts *opts)
{
    unsigned id;
    char name[LCONS_NAME_MAX + 1];
    const char *sock = opts && opts->socket ? opts->socket : LCONS_SOCKET;
    int fd = connect_console(args, dom, sock, &id, name, sizeof(name));
    if (fd < 0)
        return LAM_EXIT_FAILURE;
    struct session s = {.sock = fd, .stdin_open = true};
    s.tty = isatty(STDIN_FILENO);
    struct termios saved;
    if (s.tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
        fprintf(stderr, "Connected to %s (domain %u). Escape character is '^]'.\r\n", name, id);
        struct termios raw = saved;
        cfmakeraw(&raw);
        tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    } else {
        s.tty = false;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    if (!s.tty)
        sigaction(SIGINT, &sa, NULL);
    long long deadline = opts && opts->timeout_s ? ms_now() + opts->timeout_s * 1000LL : 0;
    run_session(&s, deadline);
    if (s.tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        fputs("\r\n", stderr);
    }
    close(fd);
    if (s.gone)
        fprintf(stderr,
                "lam: %s: %s: the console closed (the domain is gone, or lamconsoled "
                "stopped)\n",
                args->cmd->name, name);
    return LAM_EXIT_OK;
}
