/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A blkfront of our own against dom0's lamblkback, for the dom0 system test
 * tests/system/dom0/blkattack.sh (started with `lam create` with one disk, xvda, so the
 * same run works on Lamina and on Xen 4.17). It does what Linux's blkfront does to connect
 * (its grant table's entries for a ring page, an unbound event channel to dom0, ring-ref,
 * event-channel and protocol in device/vbd/51712, state 3, then 4 once the backend is
 * Connected) and reports on its console ring ("blk-peer: PASS|FAIL <check>"). Its command
 * line picks what it does:
 *   hostile  every malformed request class, each answered with the status Linux blkback
 *            would give (a good read after each keeps it connected), then eight malformed
 *            requests in a row, after which the backend must ask it to close (state 5,
 *            then 6 as this frontend never answers)
 *   leap     one good read, then req_prod moved 1000 entries ahead: an impossible index,
 *            after which the backend must ask it to close at once, answering nothing
 *   readonly (its disk is <readonly/>) twelve writes in a row, each refused with an error
 *            but never counted against it: a read still works and it stays connected
 *   polite   writes a page and reads it back every 50 ms and says how many worked: the
 *            other guest the backend must keep serving meanwhile
 * Both run until dom0 destroys them.
 */
#include <stdbool.h>

#include <lamina/event_channel.h>
#include <lamina/grant_table.h>
#include <lamina/sched.h>

#include "mm_util.h"
#include "peer_io.h"
#include "sched_util.h"

const char lam_test_title[] = "blkfront peer (hostile or polite) for the dom0 disk attack test";

#define TREE_SLOT  302
#define DEV        "device/vbd/51712"
#define NR_ENTS    32
#define ENTRY      112
#define FIRST_REF  8 /* refs 0..7 are the toolstack's */
#define NDATA      8
#define OP_READ    0
#define OP_WRITE   1
#define OP_BARRIER 2
#define OP_DISCARD 5
#define OP_IND     6

static struct mm_tree tree;
static volatile struct lam_grant_entry_v1 *gtab;
static uint32_t next_ref = FIRST_REF, port;
static volatile uint8_t *ring; /* struct blkif_sring: 4 indices, 48 bytes pad, entries */
static uint8_t *data[NDATA], *ind_page;
static uint32_t data_ref[NDATA], ind_ref, ring_ref;
static uint32_t rsp_cons;
static uint64_t sectors;
static char be[128];
static unsigned failures;

#define REQ_PROD (*(volatile uint32_t *)(ring + 0))
#define RSP_PROD (*(volatile uint32_t *)(ring + 8))
#define RSP_EVT  (*(volatile uint32_t *)(ring + 12))

static uint32_t grant(const void *page)
{
    uint32_t ref = next_ref++;
    gtab[ref].domid = 0;
    gtab[ref].frame = (uint32_t)mm_va_to_mfn(page);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    gtab[ref].flags = LAM_GTF_permit_access;
    return ref;
}

static void setup_grants(void)
{
    uint64_t frames[1] = {0};
    struct lam_gnttab_setup_table st = {
        .dom = LAM_DOMID_SELF, .nr_frames = 1, .frame_list = (uint64_t)frames};
    if (hypercall_grant_table_op(LAM_GNTTABOP_setup_table, &st, 1) || st.status)
        lam_panic("setup_table: status %d", st.status);
    if (mm_tree_build(&tree, TREE_SLOT) ||
        mm_update(mm_tab_ma(tree.l1, 0), (frames[0] << LAM_PAGE_SHIFT) | MM_PTE_FLAGS))
        lam_panic("mapping the grant table frame");
    mm_ext(LAM_MMUEXT_INVLPG_LOCAL, tree.base);
    gtab = (volatile struct lam_grant_entry_v1 *)tree.base;
    ring = mm_alloc_page();
    ind_page = mm_alloc_page();
    for (int i = 0; i < NDATA; i++)
        data[i] = mm_alloc_page();
    if (!ring || !ind_page || !data[NDATA - 1])
        lam_panic("out of pages");
    RSP_EVT = 1;
    *(volatile uint32_t *)(ring + 4) = 1; /* req_event */
    ring_ref = grant((const void *)ring);
    ind_ref = grant(ind_page);
    for (int i = 0; i < NDATA; i++)
        data_ref[i] = grant(data[i]);
}

static bool connect(void)
{
    struct lam_evtchn_alloc_unbound a = {.dom = LAM_DOMID_SELF, .remote_dom = 0};
    if (hypercall_event_channel_op(LAM_EVTCHNOP_alloc_unbound, &a))
        return false;
    port = a.port;
    const char *v = peer_xs_read(DEV "/backend");
    if (!v || strlen(v) >= sizeof(be) - 8)
        return false;
    memcpy(be, v, strlen(v) + 1);
    char p[160], n[16];
    lam_snprintf(p, sizeof(p), "%s/state", be);
    if (!peer_xs_wait(p, "2", 20000))
        return false;
    lam_snprintf(n, sizeof(n), "%u", ring_ref);
    peer_xs_write(DEV "/ring-ref", n);
    lam_snprintf(n, sizeof(n), "%u", port);
    peer_xs_write(DEV "/event-channel", n);
    peer_xs_write(DEV "/protocol", "x86_64-abi");
    peer_xs_write(DEV "/state", "3");
    if (!peer_xs_wait(p, "4", 20000))
        return false;
    peer_xs_write(DEV "/state", "4");
    lam_snprintf(p, sizeof(p), "%s/sectors", be);
    v = peer_xs_read(p);
    for (sectors = 0; v && *v >= '0' && *v <= '9'; v++)
        sectors = sectors * 10 + (uint64_t)(*v - '0');
    return sectors > 0;
}

/* ---- requests (io/blkif.h, x86-64) ---- */
static void put64(uint8_t *e, unsigned off, uint64_t v)
{
    memcpy(e + off, &v, 8);
}

static void rw(uint8_t *e, uint8_t op, uint64_t id, uint64_t sector, unsigned nsegs)
{
    memset(e, 0, ENTRY);
    e[0] = op;
    e[1] = (uint8_t)nsegs;
    put64(e, 8, id);
    put64(e, 16, sector);
    for (unsigned i = 0; i < nsegs && i < 11; i++) {
        uint32_t g = data_ref[i % NDATA];
        memcpy(e + 24 + 8 * i, &g, 4);
        e[24 + 8 * i + 5] = 7; /* last_sect */
    }
}

static void push(const uint8_t *e)
{
    uint32_t p = REQ_PROD;
    for (unsigned i = 0; i < ENTRY; i++)
        ring[64 + (p % NR_ENTS) * ENTRY + i] = e[i];
    __atomic_store_n((volatile uint32_t *)(ring + 0), p + 1, __ATOMIC_RELEASE);
}

/* The next response (its status; its id in *id), or 99 when none came in 5 s. */
static int next_rsp(uint64_t *id)
{
    peer_notify(port);
    uint64_t deadline = sched_pvclock_ns() + 5000ull * 1000 * 1000;
    while (__atomic_load_n((volatile uint32_t *)(ring + 8), __ATOMIC_ACQUIRE) == rsp_cons) {
        if (sched_pvclock_ns() > deadline)
            return 99;
        sched_sleep_until(sched_pvclock_ns() + 1000 * 1000);
    }
    const volatile uint8_t *r = ring + 64 + (rsp_cons % NR_ENTS) * ENTRY;
    uint64_t rid = 0;
    for (int i = 0; i < 8; i++)
        rid |= (uint64_t)r[i] << (8 * i);
    int16_t status = (int16_t)(r[10] | (r[11] << 8));
    rsp_cons++;
    RSP_EVT = rsp_cons + 1;
    if (id)
        *id = rid;
    return status;
}

static void verdict(const char *check, bool ok, int got, int want)
{
    if (ok) {
        peer_say("blk-peer: PASS %s\r\n", check);
    } else {
        failures++;
        peer_say("blk-peer: FAIL %s: status %d want %d\r\n", check, got, want);
    }
}

/* One request and its status; then a good read (which clears the backend's strikes). */
static void expect(const char *check, const uint8_t *e, int want)
{
    push(e);
    uint64_t id = 0, want_id;
    memcpy(&want_id, e + 8, 8);
    int got = next_rsp(&id);
    verdict(check, got == want && id == want_id, got, want);
    uint8_t ok[ENTRY];
    rw(ok, OP_READ, 1, 0, 1);
    push(ok);
    got = next_rsp(NULL);
    char after[64];
    lam_snprintf(after, sizeof(after), "%s-then-good-read", check);
    verdict(after, got == 0, got, 0);
}

static bool asked_to_close(void);

static void indirect(uint8_t *e, uint64_t id, uint16_t nsegs, uint32_t gref)
{
    memset(e, 0, ENTRY);
    e[0] = OP_IND;
    e[1] = OP_READ;
    memcpy(e + 2, &nsegs, 2);
    put64(e, 8, id);
    memcpy(e + 28, &gref, 4);
}

static void hostile(void)
{
    uint8_t e[ENTRY];
    rw(e, OP_READ, 100, 0, 1);
    expect("good-read", e, 0);
    rw(e, OP_READ, 101, 0, 1);
    uint32_t bad = 4000;
    memcpy(e + 24, &bad, 4);
    expect("bad-gref-read", e, -1);
    rw(e, OP_WRITE, 102, 0, 1);
    memcpy(e + 24, &bad, 4);
    expect("bad-gref-write", e, -1);
    rw(e, OP_READ, 103, 0, 0);
    expect("zero-segments", e, -1);
    rw(e, OP_READ, 104, 0, 11);
    e[1] = 12;
    expect("twelve-segments", e, -1);
    rw(e, OP_READ, 105, 0, 1);
    e[24 + 4] = 8;
    e[24 + 5] = 8;
    expect("first-sector-8", e, -1);
    rw(e, OP_READ, 106, 0, 1);
    e[24 + 4] = 5;
    e[24 + 5] = 2;
    expect("last-before-first", e, -1);
    rw(e, OP_READ, 107, sectors, 1);
    expect("past-the-end", e, -1);
    rw(e, OP_READ, 108, sectors - 4, 1);
    expect("across-the-end", e, -1);
    rw(e, OP_READ, 109, ~0ull - 3, 1);
    expect("wrapping-sector", e, -1);
    rw(e, 200, 110, 0, 1);
    expect("unknown-operation", e, -2);
    rw(e, OP_BARRIER, 111, 0, 1);
    expect("barrier-not-offered", e, -2);
    memset(e, 0, ENTRY);
    e[0] = OP_DISCARD;
    put64(e, 8, 112);
    put64(e, 16, sectors - 8);
    put64(e, 24, 64);
    expect("discard-past-the-end", e, -1);
    indirect(e, 113, 4, 4000);
    expect("indirect-bad-gref", e, -1);
    indirect(e, 114, 33, ind_ref);
    expect("indirect-33-segments", e, -1);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 4096; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        ind_page[i] = (uint8_t)x;
    }
    indirect(e, 115, 16, ind_ref);
    expect("indirect-garbage-page", e, -1);
    /* A whole ring of requests with the same id: every one answered. */
    for (int i = 0; i < NR_ENTS; i++) {
        rw(e, OP_READ, 7, (uint64_t)i * 8, 1);
        push(e);
    }
    int okays = 0;
    for (int i = 0; i < NR_ENTS; i++) {
        uint64_t id = 0;
        okays += next_rsp(&id) == 0 && id == 7;
    }
    verdict("duplicate-ids-all-answered", okays == NR_ENTS, okays, NR_ENTS);
    peer_say("blk-peer: attacks done, %u failures\r\n", failures);
    /* Eight malformed requests in a row: answered, then the backend asks us to close. */
    for (int i = 0; i < 8; i++) {
        rw(e, OP_READ, 200 + (uint64_t)i, 0, 0);
        push(e);
    }
    int errors = 0;
    for (int i = 0; i < 8; i++)
        errors += next_rsp(NULL) == -1;
    verdict("eight-malformed-answered", errors == 8, errors, 8);
    /* 5 (Closing), and as we stay at 4 the backend goes on to 6 (Closed) at once. */
    bool closing = asked_to_close();
    verdict("backend-asks-to-close", closing, closing, 1);
    peer_say("blk-peer: hostile done, %u failures\r\n", failures);
}

/* The backend's state reaches 5 or 6 (it asked us to close) within 10 s. */
static bool asked_to_close(void)
{
    char p[160];
    lam_snprintf(p, sizeof(p), "%s/state", be);
    for (int i = 0; i < 1000; i++) {
        const char *v = peer_xs_read(p);
        if (v && (strcmp(v, "5") == 0 || strcmp(v, "6") == 0))
            return true;
        sched_sleep_until(sched_pvclock_ns() + 10ull * 1000 * 1000);
    }
    return false;
}

static void leap(void)
{
    uint8_t e[ENTRY];
    rw(e, OP_READ, 1, 0, 1);
    push(e);
    int got = next_rsp(NULL);
    verdict("good-read", got == 0, got, 0);
    uint32_t answered = RSP_PROD;
    __atomic_store_n((volatile uint32_t *)(ring + 0), REQ_PROD + 1000, __ATOMIC_RELEASE);
    peer_notify(port);
    bool closing = asked_to_close();
    verdict("backend-asks-to-close", closing, closing, 1);
    verdict("nothing-answered-past-it", RSP_PROD == answered, (int)(RSP_PROD - answered), 0);
    peer_say("blk-peer: leap done, %u failures\r\n", failures);
}

static void readonly(void)
{
    uint8_t e[ENTRY];
    for (int i = 0; i < 12; i++) {
        rw(e, OP_WRITE, 300 + (uint64_t)i, (uint64_t)i * 8, 1);
        push(e);
    }
    int refused = 0;
    for (int i = 0; i < 12; i++)
        refused += next_rsp(NULL) == -1;
    verdict("twelve-writes-refused", refused == 12, refused, 12);
    rw(e, OP_READ, 400, 0, 1);
    push(e);
    int got = next_rsp(NULL);
    verdict("read-after-refused-writes", got == 0, got, 0);
    char p[160];
    lam_snprintf(p, sizeof(p), "%s/state", be);
    const char *v = peer_xs_read(p);
    bool connected = v && strcmp(v, "4") == 0;
    verdict("still-connected", connected, connected, 1);
    peer_say("blk-peer: readonly done, %u failures\r\n", failures);
}

static void polite(void)
{
    uint8_t e[ENTRY];
    for (unsigned ok = 0, n = 0;; n++) {
        for (int i = 0; i < 4096; i++)
            data[0][i] = (uint8_t)(n + (unsigned)i * 7);
        memset(data[1], 0, 4096);
        rw(e, OP_WRITE, 2 * (uint64_t)n, 64, 1);
        push(e);
        int w = next_rsp(NULL);
        rw(e, OP_READ, 2 * (uint64_t)n + 1, 64, 1);
        uint32_t g = data_ref[1];
        memcpy(e + 24, &g, 4);
        push(e);
        int r = next_rsp(NULL);
        if (w == 0 && r == 0 && memcmp(data[0], data[1], 4096) == 0)
            ok++;
        if (n % 20 == 19)
            peer_say("blk-peer: polite %u of %u\r\n", ok, n + 1);
        sched_sleep_until(sched_pvclock_ns() + 50ull * 1000 * 1000);
    }
}

void test_main(void)
{
    mm_init();
    peer_io_init();
    static const char *const modes[] = {"polite", "leap", "readonly", "hostile"};
    static void (*const runs[])(void) = {polite, leap, readonly, hostile};
    const char *cmd = (const char *)lam_start_info->cmd_line;
    unsigned m = 0;
    while (m < 3 && !strstr(cmd, modes[m]))
        m++;
    setup_grants();
    bool up = connect();
    peer_say("blk-peer: mode %s, %s, %llu sectors\r\n", modes[m],
             up ? "connected" : "NOT CONNECTED", (unsigned long long)sectors);
    if (up)
        runs[m]();
    for (;;)
        hypercall_sched_op(LAM_SCHEDOP_block, NULL);
}
