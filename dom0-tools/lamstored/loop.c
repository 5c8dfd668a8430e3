/* SPDX-License-Identifier: GPL-2.0-only */
/* epoll-based event loop (see loop.h). */
#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"
#include "store.h"
#include "util.h"

static int epfd = -1;
static volatile bool stopping;

int loop_init(void)
{
    epfd = epoll_create1(EPOLL_CLOEXEC);
    return epfd < 0 ? -1 : 0;
}

int loop_add(struct handler *h, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = h};
    return epoll_ctl(epfd, EPOLL_CTL_ADD, h->fd, &ev);
}

int loop_mod(struct handler *h, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = h};
    return epoll_ctl(epfd, EPOLL_CTL_MOD, h->fd, &ev);
}

void loop_del(struct handler *h)
{
    epoll_ctl(epfd, EPOLL_CTL_DEL, h->fd, NULL);
}

void loop_stop(void)
{
    stopping = true;
}

void loop_flush(struct store *st)
{
    struct conn *c;
    while ((c = store_next_woken(st)) != NULL)
        if (c->tp && c->tp->flush)
            c->tp->flush(c);
}

void loop_run(struct store *st)
{
    struct epoll_event evs[64];
    while (!stopping) {
        int n = epoll_wait(epfd, evs, 64, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            logmsg("epoll_wait failed");
            break;
        }
        for (int i = 0; i < n; i++) {
            struct handler *h = evs[i].data.ptr;
            h->fn(h, evs[i].events);
        }
        loop_flush(st);
    }
}
