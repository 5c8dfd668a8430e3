/* SPDX-License-Identifier: GPL-2.0-only */
/* Unix socket listener and socket connections (see sock.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "loop.h"
#include "sock.h"
#include "store.h"
#include "util.h"

struct listener {
    struct handler h;
    struct store *st;
    bool readonly;
};

struct sconn {
    struct handler h;
    struct conn *c;
    uint32_t events;
    struct sconn *next, *prev;
};

/* Everything open, so that a clean stop frees it all. */
static struct sconn *sconns;
static struct listener *listeners[4];
static int nlisteners;

static void sconn_flush(struct conn *c);

static const struct conn_transport sock_transport = {
    .name = "socket",
    .wake = NULL,
    .flush = sconn_flush,
};

static void sconn_close(struct sconn *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        sconns = s->next;
    if (s->next)
        s->next->prev = s->prev;
    loop_del(&s->h);
    close(s->h.fd);
    conn_free(s->c);
    free(s);
}

/* Interest follows state: read while input is welcome, write while output waits. */
static void sconn_update(struct sconn *s)
{
    uint32_t ev = 0;
    if (conn_wants_input(s->c) && s->c->rlen < CONN_RBUF)
        ev |= EPOLLIN;
    if (s->c->oh)
        ev |= EPOLLOUT;
    if (ev != s->events) {
        loop_mod(&s->h, ev);
        s->events = ev;
    }
}

/* Writes queued output; false if the connection failed. */
static bool sconn_write(struct sconn *s)
{
    struct conn *c = s->c;
    while (c->oh) {
        struct iovec iov[64];
        int n = 0;
        for (struct outmsg *m = c->oh; m && n < 64; m = m->next, n++) {
            iov[n].iov_base = m->data + m->off;
            iov[n].iov_len = m->len - m->off;
        }
        ssize_t w = writev(s->h.fd, iov, n);
        if (w < 0)
            return errno == EAGAIN || errno == EINTR;
        conn_consumed(c, (size_t)w);
    }
    return true;
}

static void sconn_flush(struct conn *c)
{
    struct sconn *s = c->tpriv;
    for (;;) {
        if (c->dead || !sconn_write(s)) {
            sconn_close(s);
            return;
        }
        if (c->oh)
            break; /* socket full: wait for EPOLLOUT */
        /* Everything sent: requests held back by the outstanding quota go on. */
        uint32_t before = c->rlen;
        if (before < sizeof(struct xs_msg_hdr))
            break;
        conn_process(c);
        if (c->rlen == before)
            break;
    }
    sconn_update(s);
}

static void sconn_event(struct handler *h, uint32_t events)
{
    struct sconn *s = (struct sconn *)h;
    struct conn *c = s->c;
    if (events & EPOLLIN) {
        ssize_t r = read(h->fd, c->rbuf + c->rlen, CONN_RBUF - c->rlen);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
            sconn_close(s);
            return;
        }
        if (r > 0) {
            c->rlen += (uint32_t)r;
            conn_process(c);
        }
    } else if (events & (EPOLLERR | EPOLLHUP)) {
        sconn_close(s);
        return;
    }
    if (c->dead) {
        sconn_close(s);
        return;
    }
    if ((events & EPOLLOUT) && !c->queued)
        sconn_flush(c);
    else
        sconn_update(s);
}

static void listener_event(struct handler *h, uint32_t events)
{
    struct listener *l = (struct listener *)h;
    (void)events;
    for (;;) {
        int fd = accept4(h->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        struct sconn *s = xcalloc(1, sizeof(*s));
        s->h.fd = fd;
        s->h.fn = sconn_event;
        s->c = conn_new(l->st, 0, true, l->readonly, &sock_transport, s);
        s->events = EPOLLIN;
        if (loop_add(&s->h, EPOLLIN)) {
            conn_free(s->c);
            close(fd);
            free(s);
            continue;
        }
        s->next = sconns;
        if (sconns)
            sconns->prev = s;
        sconns = s;
    }
}

int sock_listen(struct store *st, const char *path, bool readonly)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        logmsg("socket path too long: %s", path);
        return -1;
    }
    strcpy(sa.sun_path, path);
    /* The default place, /run/xenstored, is not there after boot: make it. */
    char parent[sizeof(sa.sun_path)];
    strcpy(parent, path);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = '\0';
        if (mkdir(parent, 0755) != 0 && errno != EEXIST)
            logmsg("cannot create %s: %s", parent, strerror(errno));
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    unlink(path);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 128)) {
        logmsg("cannot listen on %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    chmod(path, readonly ? 0660 : 0600);
    if (nlisteners == (int)(sizeof(listeners) / sizeof(listeners[0]))) {
        close(fd);
        return -1;
    }
    struct listener *l = xcalloc(1, sizeof(*l));
    listeners[nlisteners++] = l;
    l->h.fd = fd;
    l->h.fn = listener_event;
    l->st = st;
    l->readonly = readonly;
    return loop_add(&l->h, EPOLLIN);
}

void sock_shutdown(void)
{
    while (sconns)
        sconn_close(sconns);
    for (int i = 0; i < nlisteners; i++) {
        loop_del(&listeners[i]->h);
        close(listeners[i]->h.fd);
        free(listeners[i]);
    }
    nlisteners = 0;
}
