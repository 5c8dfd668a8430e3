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
#include "peer_io.h"
#include "sched_util.h"

const char lam_test_title[] = "hostile store client for the dom0 store attack test";

/* The ring client is lib/peer_io.c's. */
#define say         peer_say
#define call        peer_xs_call
#define reply       peer_xs_answer()
#define events_seen peer_xs_events()

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
    peer_xs_send(XS_WRITE, 0, buf, write_args(buf, sizeof(buf), "data/mine", "y"));
    say("store-peer: stalled with events due\r\n");
    sched_sleep_until(sched_pvclock_ns() + 2000ull * 1000 * 1000);
    /* Last: a header past the protocol's 4096 bytes. */
    struct xs_msg_hdr h = {XS_READ, 0xffff, 0, 100000};
    peer_xs_send_raw(&h, sizeof(h));
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
    peer_io_init();
    bool is_polite = strstr((const char *)lam_start_info->cmd_line, "polite") != NULL;
    say("store-peer: mode %s, store port %u\r\n", is_polite ? "polite" : "attack",
        lam_start_info->store_evtchn);
    if (is_polite)
        polite();
    attack();
}
