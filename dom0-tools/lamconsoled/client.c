/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The attach socket (protocol in lamcons.h). Each client has a bounded output queue: a
 * client that stops reading loses output (a "[lamconsoled: N bytes dropped]" line marks
 * where), it never holds up the guest or other clients. What clients type goes to the
 * domain's bounded input queue; while that is full (the guest does not drain its ring)
 * the daemon stops reading their keyboards, so only they wait.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "consoled.h"

struct client {
    struct client *next;
    int fd;
    struct tag tag;
    struct cdom *dom; /* NULL until attached, and once closing */
    char line[LCONS_LINE_MAX];
    size_t linelen;
    struct lcons_buf out;
    uint64_t since;
    bool closing; /* send what is queued, then close */
    bool dead;    /* closed: on dm->closed until the epoll batch is over */
    uint32_t mask;
};

static struct tag listen_tag = {TAG_LISTEN, NULL};
static int listen_fd = -1;

int clients_listen(struct daemon *dm, const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        logmsg("%s: path too long", path);
        return -1;
    }
    strcpy(sa.sun_path, path);
    listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    unlink(path);            /* a previous daemon's */
    mode_t old = umask(077); /* root's tool: only root may attach */
    int rc = listen_fd < 0 ? -1 : bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa));
    umask(old);
    if (rc || listen(listen_fd, 16)) {
        logmsg("%s: %s", path, strerror(errno));
        return -1;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &listen_tag};
    return epoll_ctl(dm->epfd, EPOLL_CTL_ADD, listen_fd, &ev);
}

static void set_mask(struct daemon *dm, struct client *c)
{
    bool in = !c->closing && (!c->dom || lcons_buf_space(&c->dom->input) > 0);
    uint32_t mask = (in ? EPOLLIN : 0) | (c->out.len ? EPOLLOUT : 0) | EPOLLRDHUP;
    if (mask == c->mask)
        return;
    struct epoll_event ev = {.events = mask, .data.ptr = &c->tag};
    epoll_ctl(dm->epfd, EPOLL_CTL_MOD, c->fd, &ev);
    c->mask = mask;
}

/* Closes the connection at once; the memory waits for clients_reap(), since events of the
 * current epoll batch may still name the client. */
static void client_close(struct daemon *dm, struct client *c)
{
    for (struct client **pp = &dm->clients; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    epoll_ctl(dm->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
    c->dead = true;
    c->dom = NULL;
    lcons_buf_free(&c->out);
    dm->nclients--;
    c->next = dm->closed;
    dm->closed = c;
}

void clients_reap(struct daemon *dm)
{
    while (dm->closed) {
        struct client *c = dm->closed;
        dm->closed = c->next;
        free(c);
    }
}

void clients_accept(struct daemon *dm)
{
    for (;;) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        struct client *c = calloc(1, sizeof(*c));
        if (!c || dm->nclients >= MAX_CLIENTS || lcons_buf_init(&c->out, CLIENT_OUT_BYTES)) {
            static const char full[] = "ERR too many clients\n";
            if (send(fd, full, sizeof(full) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
                logmsg("refusing a client: %s", strerror(errno));
            free(c);
            close(fd);
            continue;
        }
        c->fd = fd;
        c->tag = (struct tag){TAG_CLIENT, c};
        c->since = now_ms();
        c->mask = EPOLLIN | EPOLLRDHUP;
        struct epoll_event ev = {.events = c->mask, .data.ptr = &c->tag};
        epoll_ctl(dm->epfd, EPOLL_CTL_ADD, fd, &ev);
        c->next = dm->clients;
        dm->clients = c;
        dm->nclients++;
    }
}

/* Sends what is queued as far as the socket takes it. false: the client is gone. */
static bool flush(struct daemon *dm, struct client *c)
{
    while (c->out.len) {
        size_t len;
        const char *s = lcons_buf_peek(&c->out, &len);
        ssize_t n = send(c->fd, s, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) {
            client_close(dm, c);
            return false;
        }
        lcons_buf_consume(&c->out, (size_t)n);
    }
    if (c->closing && !c->out.len) {
        client_close(dm, c);
        return false;
    }
    set_mask(dm, c);
    return true;
}

static void refuse(struct daemon *dm, struct client *c, const char *fmt, const char *arg)
{
    char line[LCONS_LINE_MAX + 64];
    int n = snprintf(line, sizeof(line) - 1, fmt, arg);
    if (n < 0 || n >= (int)sizeof(line) - 1)
        n = (int)sizeof(line) - 2;
    line[n++] = '\n';
    lcons_buf_put(&c->out, line, (size_t)n);
    c->closing = true;
    flush(dm, c);
}

static void attach(struct daemon *dm, struct client *c)
{
    const char *want = c->line + 7;
    if (strncmp(c->line, "ATTACH ", 7) != 0 || !*want) {
        refuse(dm, c, "ERR expected 'ATTACH <name or id>'%s", "");
        return;
    }
    struct cdom *d = dom_by_name(dm, want);
    if (!d) {
        refuse(dm, c, "ERR no running domain called '%s' has a console", want);
        return;
    }
    if (d->broken) {
        refuse(dm, c,
               "ERR %s wrote nonsense into its console ring and is no longer served (see "
               "/var/log/lamina/lamconsoled.log)",
               d->name);
        return;
    }
    if (!d->page) {
        refuse(dm, c,
               "ERR %s has no console yet (no usable console/ring-ref and console/port in "
               "the store; see /var/log/lamina/lamconsoled.log)",
               d->name);
        return;
    }
    char ok[LCONS_LINE_MAX];
    int n = snprintf(ok, sizeof(ok), "OK %u %s\n", d->domid, d->name);
    lcons_buf_put(&c->out, ok, (size_t)n);
    lcons_buf_copy(&c->out, &d->history);
    lcons_buf_take_dropped(&c->out);
    c->dom = d;
    flush(dm, c);
}

/* Bytes before the client has attached: the request line. */
static void read_line(struct daemon *dm, struct client *c)
{
    while (c->linelen < sizeof(c->line) - 1) {
        ssize_t n = recv(c->fd, c->line + c->linelen, 1, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            client_close(dm, c);
            return;
        }
        if (c->line[c->linelen] == '\n') {
            c->line[c->linelen] = '\0';
            attach(dm, c);
            return;
        }
        c->linelen++;
    }
    refuse(dm, c, "ERR request line too long%s", "");
}

/* Keyboard bytes for the domain, as many as its input queue takes. */
static void read_input(struct daemon *dm, struct client *c)
{
    struct cdom *d = c->dom;
    char buf[1024];
    size_t room = lcons_buf_space(&d->input);
    if (!room) {
        set_mask(dm, c);
        return;
    }
    ssize_t n = recv(c->fd, buf, room < sizeof(buf) ? room : sizeof(buf), MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n <= 0) { /* detached */
        client_close(dm, c);
        return;
    }
    lcons_buf_put(&d->input, buf, (size_t)n);
    dom_pump(dm, d);
    set_mask(dm, c);
}

void client_event(struct daemon *dm, struct client *c, uint32_t events)
{
    if (c->dead)
        return;
    if (events & EPOLLOUT && !flush(dm, c))
        return;
    if (events & EPOLLIN) {
        if (c->closing)
            return;
        if (c->dom)
            read_input(dm, c);
        else
            read_line(dm, c);
        return;
    }
    if (events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP))
        client_close(dm, c);
}

void clients_output(struct daemon *dm, struct cdom *d, const char *buf, size_t n)
{
    for (struct client *c = dm->clients, *next; c; c = next) {
        next = c->next;
        if (c->dom != d)
            continue;
        if (c->out.dropped) {
            char mark[80];
            int m = snprintf(mark, sizeof(mark), "\r\n[lamconsoled: %llu bytes dropped]\r\n",
                             (unsigned long long)c->out.dropped);
            if (lcons_buf_space(&c->out) >= (size_t)m + n) {
                lcons_buf_take_dropped(&c->out);
                lcons_buf_put(&c->out, mark, (size_t)m);
            }
        }
        lcons_buf_put(&c->out, buf, n);
        flush(dm, c);
    }
}

void clients_input_room(struct daemon *dm, struct cdom *d)
{
    for (struct client *c = dm->clients; c; c = c->next)
        if (c->dom == d)
            set_mask(dm, c);
}

void clients_domain_gone(struct daemon *dm, struct cdom *d)
{
    for (struct client *c = dm->clients, *next; c; c = next) {
        next = c->next;
        if (c->dom != d)
            continue;
        c->dom = NULL;
        c->closing = true;
        c->since = now_ms(); /* a client that reads nothing more is closed by expiry */
        flush(dm, c);
    }
}

void clients_expire(struct daemon *dm)
{
    uint64_t now = now_ms();
    for (struct client *c = dm->clients, *next; c; c = next) {
        next = c->next;
        if (!c->dom && now - c->since > ATTACH_DEADLINE_MS)
            client_close(dm, c);
    }
}
