/* SPDX-License-Identifier: GPL-2.0-only */
/* A domU's console and store rings (peer_io.h). */
#include "peer_io.h"

#include <lamina/event_channel.h>
#include <lamina/sched.h>

#include "mm_util.h"
#include "sched_util.h"
#include "xsproto.h"

#define CIN_SIZE  1024
#define COUT_SIZE 2048
struct cons_page {
    char in[CIN_SIZE];
    char out[COUT_SIZE];
    uint32_t in_cons, in_prod, out_cons, out_prod;
};
#define REPLY_WAIT_NS (5ull * 1000 * 1000 * 1000)

static volatile struct cons_page *cons;
static volatile struct xs_ring_page *xs;
static uint32_t cons_port, xs_port, next_req = 1;

void peer_io_init(void)
{
    cons = mm_mfn_to_va(lam_start_info->console.domU.mfn);
    cons_port = lam_start_info->console.domU.evtchn;
    xs = mm_mfn_to_va(lam_start_info->store_mfn);
    xs_port = lam_start_info->store_evtchn;
    if (!cons || !xs)
        lam_panic("console or store page is not in the initial mapping");
}

void peer_notify(uint32_t port)
{
    struct lam_evtchn_port_arg s = {.port = port};
    hypercall_event_channel_op(LAM_EVTCHNOP_send, &s);
}

static void put(const char *s, size_t n)
{
    while (n) {
        uint32_t c = __atomic_load_n(&cons->out_cons, __ATOMIC_ACQUIRE);
        uint32_t p = cons->out_prod;
        if (p - c >= COUT_SIZE) {
            peer_notify(cons_port);
            hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
            continue;
        }
        cons->out[p & (COUT_SIZE - 1)] = *s++;
        n--;
        __atomic_store_n(&cons->out_prod, p + 1, __ATOMIC_RELEASE);
    }
    peer_notify(cons_port);
}

void peer_say(const char *fmt, ...)
{
    char line[200];
    va_list ap;
    va_start(ap, fmt);
    int n = lam_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    put(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static bool ring_write(const char *s, uint32_t n)
{
    uint64_t deadline = sched_pvclock_ns() + REPLY_WAIT_NS;
    while (n) {
        uint32_t c = __atomic_load_n(&xs->req_cons, __ATOMIC_ACQUIRE);
        uint32_t p = xs->req_prod;
        if (p - c >= XS_RING_SIZE) {
            peer_notify(xs_port);
            if (sched_pvclock_ns() > deadline)
                return false;
            sched_sleep_until(sched_pvclock_ns() + 1000 * 1000);
            continue;
        }
        uint32_t room = XS_RING_SIZE - (p - c), chunk = n < room ? n : room;
        for (uint32_t i = 0; i < chunk; i++)
            xs->req[(p + i) & (XS_RING_SIZE - 1)] = s[i];
        __atomic_store_n(&xs->req_prod, p + chunk, __ATOMIC_RELEASE);
        s += chunk;
        n -= chunk;
    }
    peer_notify(xs_port);
    return true;
}

static bool ring_read(char *d, uint32_t n, uint64_t deadline)
{
    while (n) {
        uint32_t p = __atomic_load_n(&xs->rsp_prod, __ATOMIC_ACQUIRE);
        uint32_t c = xs->rsp_cons;
        if (p == c) {
            if (sched_pvclock_ns() > deadline)
                return false;
            sched_sleep_until(sched_pvclock_ns() + 1000 * 1000);
            continue;
        }
        uint32_t have = p - c, chunk = n < have ? n : have;
        for (uint32_t i = 0; i < chunk; i++)
            d[i] = xs->rsp[(c + i) & (XS_RING_SIZE - 1)];
        __atomic_store_n(&xs->rsp_cons, c + chunk, __ATOMIC_RELEASE);
        peer_notify(xs_port);
        d += chunk;
        n -= chunk;
    }
    return true;
}

static char reply[4097];
static uint32_t events_seen;

bool peer_xs_send(uint32_t type, uint32_t tx, const void *payload, uint32_t len)
{
    struct xs_msg_hdr h = {type, next_req++, tx, len};
    return ring_write((const char *)&h, sizeof(h)) && ring_write(payload, len);
}

bool peer_xs_send_raw(const void *bytes, uint32_t n)
{
    xs->rsp_cons = xs->rsp_prod; /* room for whatever might come */
    return ring_write(bytes, n);
}

const char *peer_xs_call(uint32_t type, uint32_t tx, const void *payload, uint32_t len)
{
    uint32_t id = next_req;
    if (!peer_xs_send(type, tx, payload, len))
        return "TIMEOUT";
    uint64_t deadline = sched_pvclock_ns() + REPLY_WAIT_NS;
    for (;;) {
        struct xs_msg_hdr r;
        if (!ring_read((char *)&r, sizeof(r), deadline))
            return "TIMEOUT";
        if (r.len > 4096)
            return "BADLEN";
        if (!ring_read(reply, r.len, deadline))
            return "TIMEOUT";
        reply[r.len] = '\0';
        if (r.type == XS_WATCH_EVENT) {
            events_seen++;
            continue;
        }
        if (r.req_id != id)
            return "BADID";
        return r.type == XS_ERROR ? reply : NULL;
    }
}

const char *peer_xs_answer(void)
{
    return reply;
}

uint32_t peer_xs_events(void)
{
    return events_seen;
}

const char *peer_xs_read(const char *path)
{
    return peer_xs_call(XS_READ, 0, path, (uint32_t)strlen(path) + 1) ? NULL : reply;
}

const char *peer_xs_write(const char *path, const char *value)
{
    static char buf[512];
    uint32_t pl = (uint32_t)strlen(path) + 1, vl = (uint32_t)strlen(value);
    if (pl + vl > sizeof(buf))
        return "E2BIG";
    memcpy(buf, path, pl);
    memcpy(buf + pl, value, vl);
    return peer_xs_call(XS_WRITE, 0, buf, pl + vl);
}

bool peer_xs_wait(const char *path, const char *want, unsigned ms)
{
    for (unsigned i = 0; i <= ms / 10; i++) {
        const char *v = peer_xs_read(path);
        if (v && strcmp(v, want) == 0)
            return true;
        sched_sleep_until(sched_pvclock_ns() + 10ull * 1000 * 1000);
    }
    return false;
}
