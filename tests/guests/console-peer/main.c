/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A domU that talks through its console ring (Xen's xencons_interface, the page and port
 * in start_info), as a Linux guest's hvc_xen does, for the dom0 console test
 * (tests/system/dom0/console.sh). Its command line picks what it does:
 *   echo     a greeting, then every line typed into in[] comes back as "echo: LINE"
 *   flood    writes numbered lines as fast as the ring drains, never reads its input
 *   garbage  a greeting, then out_prod far beyond what the ring holds
 *   silent   never touches the ring
 * Each notifies its console port after writing, and waits for space when out[] is full
 * (hvc_xen yields in a loop there). It runs until dom0 destroys it.
 */
#include <stdbool.h>

#include <lamina/event_channel.h>
#include <lamina/sched.h>

#include "mm_util.h"
#include "sched_util.h"

const char lam_test_title[] = "console ring peer for the dom0 console test";

#define IN_SIZE  1024
#define OUT_SIZE 2048
struct cons_page {
    char in[IN_SIZE];
    char out[OUT_SIZE];
    uint32_t in_cons, in_prod, out_cons, out_prod;
};

static volatile struct cons_page *page;
static uint32_t port;

static void notify(void)
{
    struct lam_evtchn_port_arg s = {.port = port};
    hypercall_event_channel_op(LAM_EVTCHNOP_send, &s);
}

static void put(const char *s, size_t n)
{
    while (n) {
        uint32_t cons = __atomic_load_n(&page->out_cons, __ATOMIC_ACQUIRE);
        uint32_t prod = page->out_prod;
        if (prod - cons >= OUT_SIZE) { /* full: let dom0 drain it */
            notify();
            hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
            continue;
        }
        page->out[prod & (OUT_SIZE - 1)] = *s++;
        n--;
        __atomic_store_n(&page->out_prod, prod + 1, __ATOMIC_RELEASE);
    }
    notify();
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char line[160];
    va_list ap;
    va_start(ap, fmt);
    int n = lam_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    put(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void echo_loop(void)
{
    char line[128];
    size_t len = 0;
    for (;;) {
        uint32_t prod = __atomic_load_n(&page->in_prod, __ATOMIC_ACQUIRE);
        uint32_t cons = page->in_cons;
        bool took = false;
        while (cons != prod) {
            char c = page->in[cons & (IN_SIZE - 1)];
            cons++;
            took = true;
            if (c == '\r' || c == '\n') {
                if (len) {
                    line[len] = '\0';
                    say("echo: %s\r\n", line);
                }
                len = 0;
            } else if (len < sizeof(line) - 1) {
                line[len++] = c;
            }
        }
        if (took) {
            __atomic_store_n(&page->in_cons, cons, __ATOMIC_RELEASE);
            notify();
        }
        sched_sleep_until(sched_pvclock_ns() + 20 * 1000 * 1000);
    }
}

static bool mode_is(const char *want)
{
    return strstr((const char *)lam_start_info->cmd_line, want) != NULL;
}

void test_main(void)
{
    mm_init();
    page = mm_mfn_to_va(lam_start_info->console.domU.mfn);
    port = lam_start_info->console.domU.evtchn;
    if (!page)
        lam_panic("console page %#lx is not in the initial mapping",
                  (unsigned long)lam_start_info->console.domU.mfn);
    /* What a toolstack would know and write to the store: dom0's test reads it from the
     * hypervisor's log (lam dmesg). */
    const char *mode = mode_is("silent")    ? "silent"
                       : mode_is("garbage") ? "garbage"
                       : mode_is("flood")   ? "flood"
                                            : "echo";
    lam_printf("console-peer: mode %s console mfn %lu port %u store mfn %lu port %u\n", mode,
               (unsigned long)lam_start_info->console.domU.mfn, port,
               (unsigned long)lam_start_info->store_mfn, (unsigned)lam_start_info->store_evtchn);
    if (mode_is("silent"))
        for (;;)
            hypercall_sched_op(LAM_SCHEDOP_block, NULL);
    say("console-peer: hello on port %u\r\n", port);
    if (mode_is("garbage")) {
        __atomic_store_n(&page->out_prod, page->out_cons + 100000, __ATOMIC_RELEASE);
        notify();
        for (;;)
            hypercall_sched_op(LAM_SCHEDOP_block, NULL);
    }
    if (mode_is("flood"))
        for (uint64_t i = 0;; i++)
            say("flood %lu: the quick brown fox jumps over the lazy dog\r\n", (unsigned long)i);
    echo_loop();
}
