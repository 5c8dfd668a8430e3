/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A hostile domU against dom0's store daemon, for the dom0 system test
 * tests/system/dom0/storeattack.sh (started with `lam create`, so the same attack runs on
 * Lamina and on Xen 4.17 with lamstored in dom0). It speaks the xenstore protocol on its
 * store ring (the page and port in start_info) as a Linux guest's xenbus does, and reports
 * on its console ring, which lamconsoled logs to /var/log/lamina/console/NAME.log:
 *   "store-peer: PASS <check>" or "store-peer: FAIL <check>: got <answer> want <answer>".
 * The answers wanted are Xen 4.17 xenstored's for the same request. Its command line picks
 * what it does:
 *   attack   privileged requests, other domains' and the toolstack's nodes, its own
 *            read-only nodes (name, console, memory), an owner change, bad paths, unknown
 *            types, transaction ids that are not its own, the watch and transaction
 *            quotas; then it leaves transactions open and watches registered, stops
 *            reading its ring while events are due, and last sends a header longer than
 *            the protocol allows (the daemon must drop its connection and nothing else)
 *   polite   reads and writes its own data/ node every 100 ms and says how many worked:
 *            the other guest the daemon must keep serving meanwhile
 * Both run until dom0 destroys them.
 */
#include <stdbool.h>

#include <lamina/event_channel.h>
#include <lamina/sched.h>

#include "mm_util.h"
#include "sched_util.h"
#include "xsproto.h"

const char lam_test_title[] = "hostile store client for the dom0 store attack test";

/* ---- the console ring: where the results go ---- */
#define CIN_SIZE  1024
#define COUT_SIZE 2048
struct cons_page {
    char in[CIN_SIZE];
    char out[COUT_SIZE];
    uint32_t in_cons, in_prod, out_cons, out_prod;
};
static volatile struct cons_page *cons;
static uint32_t cons_port;

static void notify(uint32_t port)
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
            notify(cons_port);
            hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
            continue;
        }
        cons->out[p & (COUT_SIZE - 1)] = *s++;
        n--;
        __atomic_store_n(&cons->out_prod, p + 1, __ATOMIC_RELEASE);
    }
    notify(cons_port);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char line[200];
    va_list ap;
    va_start(ap, fmt);
    int n = lam_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    put(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* ---- the store ring: the wire protocol's numbers and layouts from dom0's own header
 * (dom0-tools/libxsclient/include/xsproto.h, Xen's io/xs_wire.h) ---- */
static volatile struct xs_ring_page *xs;
static uint32_t xs_port, next_req = 1;
#define REPLY_WAIT_NS (5ull * 1000 * 1000 * 1000)

/* Writes n bytes into req[], waiting for room. */
static bool ring_write(const char *s, uint32_t n)
{
    uint64_t deadline = sched_pvclock_ns() + REPLY_WAIT_NS;
    while (n) {
        uint32_t c = __atomic_load_n(&xs->req_cons, __ATOMIC_ACQUIRE);
        uint32_t p = xs->req_prod;
        if (p - c >= XS_RING_SIZE) {
            notify(xs_port);
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
    notify(xs_port);
    return true;
}

/* Reads n bytes from rsp[] before the deadline. */
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
        notify(xs_port);
        d += chunk;
        n -= chunk;
    }
    return true;
}

static bool send(uint32_t type, uint32_t req_id, uint32_t tx, const char *payload, uint32_t len)
{
    struct xs_msg_hdr h = {type, req_id, tx, len};
    return ring_write((const char *)&h, sizeof(h)) && ring_write(payload, len);
}

static char reply[4097];
static uint32_t reply_len;
static uint32_t events_seen;

/*
 * One request and its answer: "OK" style replies return NULL with the payload in reply[],
 * an error returns its name ("EACCES"...), no answer in time returns "TIMEOUT". Watch
 * events arriving meanwhile are counted and skipped.
 */
static const char *call(uint32_t type, uint32_t tx, const char *payload, uint32_t len)
{
    uint32_t id = next_req++;
    if (!send(type, id, tx, payload, len))
        return "TIMEOUT";
    uint64_t deadline = sched_pvclock_ns() + REPLY_WAIT_NS;
    for (;;) {
        struct xs_msg_hdr h;
        if (!ring_read((char *)&h, sizeof(h), deadline))
            return "TIMEOUT";
        if (h.len > 4096)
            return "BADLEN";
        if (!ring_read(reply, h.len, deadline))
            return "TIMEOUT";
        reply[h.len] = '\0';
        reply_len = h.len;
        if (h.type == XS_WATCH_EVENT) {
            events_seen++;
            continue;
        }
        if (h.req_id != id)
            return "BADID";
        return h.type == XS_ERROR ? reply : NULL;
    }
}

/* Builds "a\0b\0..." from NUL-terminated pieces (a NULL ends the list). */
static uint32_t args(char *buf, uint32_t cap, const char *first, ...)
{
    uint32_t len = 0;
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *)) {
        uint32_t n = (uint32_t)strlen(s) + 1;
        if (len + n > cap)
            break;
        memcpy(buf + len, s, n);
        len += n;
    }
    va_end(ap);
    return len;
}

/* WRITE's payload: the path with its NUL, then the value without one. */
static uint32_t write_args(char *buf, uint32_t cap, const char *path, const char *val)
{
    uint32_t pl = (uint32_t)strlen(path) + 1, vl = (uint32_t)strlen(val);
    if (pl + vl > cap)
        return 0;
    memcpy(buf, path, pl);
    memcpy(buf + pl, val, vl);
    return pl + vl;
}

static unsigned failures;

static void expect(const char *check, const char *got, const char *want)
{
    const char *g = got ? got : "OK";
    const char *w = want ? want : "OK";
    if (strcmp(g, w) == 0) {
        say("store-peer: PASS %s\r\n", check);
    } else {
        failures++;
        say("store-peer: FAIL %s: got %s want %s\r\n", check, g, w);
    }
}

static char buf[4096];

#define CALL(type, ...)  call(type, 0, buf, args(buf, sizeof(buf), __VA_ARGS__, (const char *)0))
#define WRITE(path, val) call(XS_WRITE, 0, buf, write_args(buf, sizeof(buf), path, val))

/* Requests only the toolstack (dom0) may make: EACCES, as XS_FLAG_PRIV in Xen. */
static void privileged_requests(void)
{
    expect("introduce", CALL(XS_INTRODUCE, "1", "4096", "5"), "EACCES");
    expect("release", CALL(XS_RELEASE, "0"), "EACCES");
    expect("set-target", CALL(XS_SET_TARGET, "0", "1"), "EACCES");
    expect("resume", CALL(XS_RESUME, "0"), "EACCES");
    expect("control", CALL(XS_CONTROL, "print", "x"), "EACCES");
    expect("is-domain-introduced", CALL(XS_IS_DOMAIN_INTRODUCED, "0"), "EACCES");
}

/* Other domains', the toolstack's and its own read-only nodes. */
static void foreign_and_readonly_nodes(void)
{
    expect("read-dom0-home", CALL(XS_DIRECTORY, "/local/domain/0"), "EACCES");
    expect("list-domains", CALL(XS_DIRECTORY, "/local/domain"), "EACCES");
    expect("list-vm", CALL(XS_DIRECTORY, "/vm"), "EACCES");
    expect("read-toolstack-config", CALL(XS_DIRECTORY, "/lamina"), "EACCES");
    expect("read-libxl", CALL(XS_DIRECTORY, "/libxl"), "EACCES");
    expect("write-root", WRITE("/evil", "1"), "EACCES");
    expect("mkdir-dom0-home", CALL(XS_MKDIR, "/local/domain/0/evil"), "EACCES");
    expect("rm-dom0-backend", CALL(XS_RM, "/local/domain/0/backend"), "EACCES");
    /* Its name is the console log's file name and what `lam list` prints. */
    expect("write-own-name", WRITE("name", "evil\x1b[2J/../../x"), "EACCES");
    expect("write-console-port", WRITE("console/port", "1"), "EACCES");
    expect("write-console-ring-ref", WRITE("console/ring-ref", "1"), "EACCES");
    expect("write-memory-target", WRITE("memory/target", "99999999999"), "EACCES");
    expect("write-cpu-availability", WRITE("cpu/0/availability", "\x1b]0;x\x07"), "EACCES");
    expect("rm-own-home", CALL(XS_RM, "name"), "EACCES");
    expect("set-perms-own-name", CALL(XS_SET_PERMS, "name", "b0"), "EACCES");
    /* Where it may write (libxl gives a guest data/, control/shutdown, ...). */
    expect("write-own-data", WRITE("data/mine", "x"), NULL);
    expect("read-own-data", CALL(XS_READ, "data/mine"), NULL);
    /* Owner changes are dom0's: EPERM in Xen 4.17's xenstored. */
    expect("give-node-to-dom0", CALL(XS_SET_PERMS, "data/mine", "n0"), "EPERM");
    expect("share-own-node", CALL(XS_SET_PERMS, "data/mine", "n999", "r0"), "EPERM");
}

/* Malformed requests. */
static void bad_requests(void)
{
    static char deep[2200];
    memcpy(deep, "data/", 5);
    for (uint32_t i = 5; i < sizeof(deep) - 1; i++)
        deep[i] = (i % 2) ? 'a' : '/';
    deep[sizeof(deep) - 1] = '\0';
    expect("path-double-slash", WRITE("data//x", "1"), "EINVAL");
    expect("path-bad-char", WRITE("data/a b", "1"), "EINVAL");
    expect("path-trailing-slash", WRITE("data/x/", "1"), "EINVAL");
    expect("path-too-deep", WRITE(deep, "1"), "EINVAL");
    expect("write-without-nul", call(XS_WRITE, 0, "data", 4), "EINVAL");
    expect("unknown-type", call(99, 0, "", 0), "ENOSYS");
    expect("watch-event-as-request", call(XS_WATCH_EVENT, 0, "a\0b", 4), "ENOSYS");
    expect("error-as-request", call(XS_ERROR, 0, "EINVAL", 7), "ENOSYS");
    /* Transaction ids it does not hold: Xen looks the id up before it runs the request. */
    expect("read-unknown-tx", call(XS_READ, 12345, "data/mine", 10), "ENOENT");
    expect("end-unknown-tx", call(XS_TRANSACTION_END, 12345, "T", 2), "ENOENT");
    expect("start-in-unknown-tx", call(XS_TRANSACTION_START, 12345, "", 1), "ENOENT");
    expect("domain-path-in-unknown-tx", call(XS_GET_DOMAIN_PATH, 12345, "0", 2), "ENOENT");
}

/* Opens transactions until the daemon says ENOSPC (Xen: 10, lamstored: 64); leaves them open. */
static void transaction_quota(void)
{
    unsigned n = 0;
    const char *err = NULL;
    for (; n < 200; n++) {
        err = call(XS_TRANSACTION_START, 0, "", 1);
        if (err)
            break;
        uint32_t tx = 0;
        for (const char *p = reply; *p >= '0' && *p <= '9'; p++)
            tx = tx * 10 + (uint32_t)(*p - '0');
        call(XS_WRITE, tx, buf, write_args(buf, sizeof(buf), "data/tx", "never committed"));
    }
    say("store-peer: INFO %u transactions open\r\n", n);
    expect("transaction-quota", err, "ENOSPC");
}

/* Registers watches until the daemon says E2BIG (Xen: 128, lamstored: 1024); keeps them. */
static void watch_quota(void)
{
    unsigned n = 0;
    const char *err = NULL;
    char token[16];
    for (; n < 3000; n++) {
        lam_snprintf(token, sizeof(token), "t%u", n);
        err = CALL(XS_WATCH, "data", token);
        if (err)
            break;
    }
    say("store-peer: INFO %u watches registered (%u events so far)\r\n", n, events_seen);
    expect("watch-quota", err, "E2BIG");
}

/*
 * SET_PERMS on a special path by a guest: EACCES. Last of the answered checks: Debian's
 * Xen 4.17 xenstored sent no answer to it and was gone afterwards in the Xen peer's run
 * (docs/security/dom0-daemons.md), so everything else is asked first.
 */
static void special_node_perms(void)
{
    expect("set-perms-introduce-domain", CALL(XS_SET_PERMS, "@introduceDomain", "r0"), "EACCES");
}

static void attack(void)
{
    privileged_requests();
    foreign_and_readonly_nodes();
    bad_requests();
    transaction_quota();
    watch_quota();
    special_node_perms();
    say("store-peer: attacks done, %u failed\r\n", failures);
    /* Every watch fires on this write; the guest never reads the events nor the reply. */
    send(XS_WRITE, next_req++, 0, buf, write_args(buf, sizeof(buf), "data/mine", "y"));
    say("store-peer: stalled with events due\r\n");
    sched_sleep_until(sched_pvclock_ns() + 2000ull * 1000 * 1000);
    /* Last: a header past the protocol's 4096 bytes. */
    struct xs_msg_hdr h = {XS_READ, next_req++, 0, 100000};
    xs->rsp_cons = xs->rsp_prod; /* room for whatever might come */
    ring_write((const char *)&h, sizeof(h));
    say("store-peer: oversized header sent\r\n");
    for (;;)
        hypercall_sched_op(LAM_SCHEDOP_block, NULL);
}

static void polite(void)
{
    char v[24];
    for (unsigned ok = 0, n = 0;; n++) {
        lam_snprintf(v, sizeof(v), "%u", n);
        if (!WRITE("data/polite", v) && !CALL(XS_READ, "data/polite") && strcmp(reply, v) == 0)
            ok++;
        say("store-peer: polite %u of %u\r\n", ok, n + 1);
        sched_sleep_until(sched_pvclock_ns() + 100ull * 1000 * 1000);
    }
}

void test_main(void)
{
    mm_init();
    cons = mm_mfn_to_va(lam_start_info->console.domU.mfn);
    cons_port = lam_start_info->console.domU.evtchn;
    xs = mm_mfn_to_va(lam_start_info->store_mfn);
    xs_port = lam_start_info->store_evtchn;
    if (!cons || !xs)
        lam_panic("console or store page is not in the initial mapping");
    bool is_polite = strstr((const char *)lam_start_info->cmd_line, "polite") != NULL;
    say("store-peer: mode %s, store port %u\r\n", is_polite ? "polite" : "attack", xs_port);
    if (is_polite)
        polite();
    attack();
}
