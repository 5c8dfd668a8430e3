/* SPDX-License-Identifier: GPL-2.0-only */
/* The client side of lamconsoled's attach socket (lamcons.h), every wait bounded. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lamcons.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_for(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return ETIMEDOUT;
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, (int)left);
        if (r > 0)
            return 0;
        if (r == 0)
            return ETIMEDOUT;
        if (errno != EINTR)
            return errno;
    }
}

static int say(char *why, size_t len, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int say(char *why, size_t len, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
    errno = err;
    return -1;
}

static int connect_to(const char *sock, int64_t deadline)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(sock) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    strcpy(sa.sun_path, sock);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -errno;
    while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        int err = errno;
        if (err == EINPROGRESS) {
            socklen_t l = sizeof(err);
            err = wait_for(fd, POLLOUT, deadline);
            if (!err && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) != 0)
                err = errno;
            if (!err)
                break;
        } else if ((err == EAGAIN || err == EINTR) && now_ms() < deadline) {
            usleep(10000); /* the listener's backlog is full: try again */
            continue;
        }
        close(fd);
        return -(err == EAGAIN ? ETIMEDOUT : err);
    }
    return fd;
}

/* Reads the answer line one byte at a time: what follows it is the stream. */
static int read_line(int fd, char *line, size_t len, int64_t deadline)
{
    size_t n = 0;
    while (n + 1 < len) {
        int err = wait_for(fd, POLLIN, deadline);
        if (err)
            return err;
        ssize_t r = read(fd, line + n, 1);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r <= 0)
            return r == 0 ? ECONNRESET : errno;
        if (line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    return 0;
}

int lcons_attach(const char *sock, const char *dom, int timeout_ms, unsigned *domid, char *name,
                 size_t name_len, char *why, size_t why_len)
{
    int64_t deadline = now_ms() + timeout_ms;
    if (strlen(dom) > LCONS_NAME_MAX || strpbrk(dom, "\n\r "))
        return say(why, why_len, 0, "'%s' is not a domain name or id", dom);
    int fd = connect_to(sock, deadline);
    if (fd < 0)
        return say(why, why_len, -fd, "%s: %s", sock, strerror(-fd));
    char line[LCONS_LINE_MAX];
    int n = snprintf(line, sizeof(line), "ATTACH %s\n", dom);
    int err = wait_for(fd, POLLOUT, deadline);
    if (!err && send(fd, line, (size_t)n, MSG_NOSIGNAL) != n)
        err = errno ? errno : EIO;
    if (!err)
        err = read_line(fd, line, sizeof(line), deadline);
    if (err) {
        close(fd);
        return say(why, why_len, err, "%s: %s", sock,
                   err == ETIMEDOUT ? "no answer" : strerror(err));
    }
    if (strncmp(line, "ERR ", 4) == 0) {
        close(fd);
        return say(why, why_len, 0, "%s", line + 4);
    }
    char *end;
    unsigned long id = strtoul(line + 3, &end, 10);
    if (strncmp(line, "OK ", 3) != 0 || end == line + 3 || *end != ' ') {
        close(fd);
        return say(why, why_len, EPROTO, "%s: unexpected answer '%s'", sock, line);
    }
    *domid = (unsigned)id;
    snprintf(name, name_len, "%s", end + 1);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}
