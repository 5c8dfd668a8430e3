/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dom0's console is the machine's: its bytes reach the serial line as they are and at once,
 * while a domU's debug output is filtered and printed in whole, tagged lines.
 *
 * As dom0 (console-raw) this kernel writes, in one console_io call, an escape sequence, a
 * tab and a carriage return and then a partial line without a newline, and finishes that
 * line only after the boot-time domU has shut down. The log expectation in test.mk checks
 * the serial log: the control bytes unfiltered and the partial line followed on the same
 * line by the hypervisor's next log line, which it can only be if the partial line went out
 * before. Then it reads the log ring (sysctl readconsole): the domU's line must be there with
 * no control byte but its tab, and dom0's must not (dom0's output is not kept in the ring,
 * as on Xen without console_to_ring).
 *
 * As the domU (console-raw-peer) it waits 300 ms, so that dom0's partial line is out, and
 * writes the same kind of bytes.
 */
#include <stdbool.h>

#include <lamina/console.h>
#include <lamina/domctl.h>
#include <lamina/event_channel.h>
#include <lamina/sched.h>
#include <lamina/start_info.h>
#include <lamina/sysctl.h>

#include "domctl_util.h"
#include "lam.h"
#include "sched_util.h"

const char lam_test_title[] =
    "console-raw: dom0's console bytes raw and at once, a domU's filtered";

#define MS        1000000ull
#define MAX_DOMUS 8

static const char dom0_bytes[] = "console-raw: esc[\x1b[0m] tab[\t] cr[\r] partial>";
static const char peer_bytes[] = "console-raw-peer: esc[\x1b[0m] tab[\t] cr[\r] bel[\a]\n";
static const char peer_tag[] = "console-raw-peer: esc[";

static char ring[64 * 1024 + 1];

static void console_write(const char *s, size_t n)
{
    long rc = hypercall_console_io(LAM_CONSOLEIO_write, (unsigned int)n, (void *)s);
    LAM_CHECK(rc == 0, "console_io(write) returned %ld", rc);
}

/* How many domUs (ids 1..MAX_DOMUS) exist and how many of them have shut down. */
static unsigned int count_domus(unsigned int *down)
{
    struct lam_domctl op;
    unsigned int n = 0;
    *down = 0;
    for (uint16_t id = 1; id <= MAX_DOMUS; id++) {
        if (lam_domctl(&op, LAM_DOMCTL_getdomaininfo, id) || op.domain != id)
            continue;
        n++;
        if (op.u.getdomaininfo.flags & LAM_DOMINF_shutdown)
            (*down)++;
    }
    return n;
}

/* The whole log ring, oldest byte first, NUL-terminated; its length. */
static size_t read_ring(void)
{
    struct lam_sysctl s;
    size_t got = 0;
    uint32_t index = 0;
    for (int incremental = 0; got < sizeof(ring) - 1; incremental = 1) {
        memset(&s, 0, sizeof(s));
        s.cmd = LAM_SYSCTL_readconsole;
        s.interface_version = LAM_SYSCTL_INTERFACE_VERSION;
        s.u.readconsole.incremental = (uint8_t)incremental;
        s.u.readconsole.index = index;
        s.u.readconsole.buffer = (uint64_t)(uintptr_t)(ring + got);
        s.u.readconsole.count = (uint32_t)(sizeof(ring) - 1 - got);
        long rc = hypercall_sysctl(&s);
        LAM_CHECK(rc == 0, "readconsole: %ld", rc);
        if (s.u.readconsole.count == 0)
            break;
        got += s.u.readconsole.count;
        index = s.u.readconsole.index;
    }
    ring[got] = '\0';
    return got;
}

static const char *find(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return hay + i;
    return NULL;
}

static void check_ring(void)
{
    size_t n = read_ring();
    lam_printf("console-raw: %lu bytes in the log ring\n", (unsigned long)n);
    const char *line = find(ring, n, peer_tag);
    if (!line) {
        lam_fail("the domU's console line is not in the log ring");
        return;
    }
    bool tab = false;
    for (const char *c = line; *c && *c != '\n'; c++) {
        LAM_CHECK(*c == '\t' || (*c >= 0x20 && *c < 0x7f),
                  "the domU's line holds control byte 0x%x at offset %ld", (unsigned)(uint8_t)*c,
                  (long)(c - line));
        tab |= *c == '\t';
    }
    LAM_CHECK(tab, "the domU's tab was not kept");
    LAM_CHECK(find(ring, n, "console-raw: esc[") == NULL, "dom0's console bytes are in the ring");
}

static void peer(void)
{
    uint64_t until = lam_pvclock_ns() + 300 * MS;
    while (lam_pvclock_ns() < until)
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    console_write(peer_bytes, sizeof(peer_bytes) - 1);
}

void test_main(void)
{
    if (!(lam_start_info->flags & LAM_SIF_INITDOMAIN)) {
        peer();
        return;
    }
    console_write(dom0_bytes, sizeof(dom0_bytes) - 1);
    unsigned int n, down;
    uint64_t start = lam_pvclock_ns();
    while (((n = count_domus(&down)) == 0 || down < n) && lam_pvclock_ns() - start < 60000 * MS)
        sched_sleep_until(lam_pvclock_ns() + 20 * MS);
    console_write("\n", 1);
    LAM_CHECK(n > 0 && down == n, "%u of %u domU(s) shut down", down, n);
    check_ring();
}
