/* SPDX-License-Identifier: GPL-2.0-only */
/* lam top [-b] [-n N] [-d S]: running domains' CPU, memory and vCPUs, refreshed (xentop). */
#include "lam_hv.h"
#include "lam_life.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lamina/memory_layout.h"

static const struct lam_option top_options[] = {
    {"batch", 'b', NULL,
     "plain frames one after another, for scripts (also when stdout is "
     "not a terminal)",
     LAM_COMPLETE_NONE, NULL},
    {"iterations", 'n', "N", "stop after N frames", LAM_COMPLETE_NONE, NULL},
    {"delay", 'd', "S", "seconds between frames (default 3; fractions allowed)", LAM_COMPLETE_NONE,
     NULL},
    {NULL, 0, NULL, NULL, 0, NULL},
};

struct sample {
    struct hvctl_dominfo *doms;
    size_t n;
    uint64_t at_ns;
};

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int take(struct hvctl *h, struct sample *s)
{
    s->at_ns = mono_ns();
    return hvctl_domain_list(h, &s->doms, &s->n);
}

/* CPU time the domain used between the samples, in percent of one CPU. */
static double cpu_percent(const struct sample *prev, const struct hvctl_dominfo *d, uint64_t now_ns)
{
    for (size_t i = 0; prev && i < prev->n; i++) {
        if (prev->doms[i].domid != d->domid)
            continue;
        if (d->cpu_time_ns < prev->doms[i].cpu_time_ns || now_ns <= prev->at_ns)
            return 0;
        return 100.0 * (double)(d->cpu_time_ns - prev->doms[i].cpu_time_ns) /
               (double)(now_ns - prev->at_ns);
    }
    return 0;
}

static void frame(struct lam_life *ll, const struct sample *prev, const struct sample *cur,
                  bool batch)
{
    if (!batch)
        fputs("\033[H\033[2J", stdout);
    time_t now = time(NULL);
    struct tm tm;
    char stamp[16];
    strftime(stamp, sizeof(stamp), "%H:%M:%S", localtime_r(&now, &tm));
    unsigned running = 0, vcpus = 0;
    for (size_t i = 0; i < cur->n; i++) {
        running += cur->doms[i].running;
        vcpus += cur->doms[i].vcpus_online;
    }
    printf("lam top - %s  %zu domains: %u running; %u vCPUs online\n", stamp, cur->n, running,
           vcpus);
    printf("%5s %-20s %-8s %10s %6s %10s %10s %5s\n", "ID", "NAME", "STATE", "CPU(sec)", "CPU(%)",
           "MEM(k)", "MAXMEM(k)", "VCPUS");
    for (size_t i = 0; i < cur->n; i++) {
        const struct hvctl_dominfo *d = &cur->doms[i];
        char name[LIFE_NAME_MAX + 1];
        lam_life_name(ll, d->domid, name, sizeof(name));
        printf("%5u %-20.20s %-8s %10" PRIu64 " %6.1f %10" PRIu64 " %10" PRIu64 " %5u\n", d->domid,
               name, hvctl_state_name(d), (uint64_t)(d->cpu_time_ns / 1000000000u),
               cpu_percent(prev, d, cur->at_ns), d->tot_pages * LAM_PAGE_SIZE >> 10,
               d->max_pages * LAM_PAGE_SIZE >> 10, d->vcpus_online);
    }
    if (batch)
        printf("\n");
    fflush(stdout);
}

/* Sleep up to ms; true when the user pressed 'q' (interactive mode only). */
static bool pause_or_quit(int ms, bool interactive)
{
    if (!interactive) {
        struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
        return false;
    }
    struct pollfd p = {.fd = 0, .events = POLLIN};
    uint64_t end = mono_ns() + (uint64_t)ms * 1000000ull;
    for (;;) {
        uint64_t now = mono_ns();
        if (now >= end)
            return false;
        if (poll(&p, 1, (int)((end - now) / 1000000ull) + 1) == 1) {
            char c;
            if (read(0, &c, 1) != 1 || c == 'q' || c == 'Q')
                return true;
        }
    }
}

static int top_run(const struct lam_args *args)
{
    unsigned int frames = 0;
    double delay = 3;
    const char *n = lam_opt(args, "iterations"), *d = lam_opt(args, "delay");
    if (n && lam_parse_count(args, "--iterations", n, &frames) != LAM_EXIT_OK)
        return LAM_EXIT_USAGE;
    if (d) {
        char *end;
        delay = strtod(d, &end);
        if (*end || !(delay >= 0.1 && delay <= 3600))
            return lam_usage_error(args->cmd, "--delay %s: expected seconds from 0.1 to 3600", d);
    }
    bool batch = lam_flag(args, "batch") || !isatty(1);
    bool interactive = !batch && isatty(0);
    struct lam_life ll = {0};
    ll.hv = lam_hv_open(args);
    if (!ll.hv)
        return LAM_EXIT_FAILURE;
    ll.xs = lam_store_try_open(); /* names only: works without the store too */
    struct termios saved;
    if (interactive && tcgetattr(0, &saved) == 0) {
        struct termios raw = saved;
        raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
        tcsetattr(0, TCSANOW, &raw);
    } else {
        interactive = false;
    }
    struct sample prev = {0}, cur = {0};
    int rc = take(ll.hv, &prev);
    for (unsigned int i = 0; !rc && (!frames || i < frames); i++) {
        if (pause_or_quit((int)(delay * 1000), interactive))
            break;
        rc = take(ll.hv, &cur);
        if (rc)
            break;
        frame(&ll, &prev, &cur, batch);
        free(prev.doms);
        prev = cur;
        cur = (struct sample){0};
    }
    free(prev.doms);
    if (interactive)
        tcsetattr(0, TCSANOW, &saved);
    xsc_close(ll.xs);
    hvctl_close(ll.hv);
    if (rc)
        return lam_fail(args, "cannot list running domains", "%s", hvctl_strerror(rc));
    return LAM_EXIT_OK;
}

const struct lam_command lam_cmd_top = {
    .name = "top",
    .summary = "show running domains' CPU use, memory and vCPUs, refreshed (like xentop)",
    .usage = "[-b] [-n N] [-d S]",
    .details = "CPU(%) is the CPU time a domain used over the last interval, in percent of\n"
               "one physical CPU (a domain with two busy vCPUs shows about 200). Press q to\n"
               "quit. With -b (or when the output is not a terminal) frames are printed one\n"
               "after another, each followed by an empty line.",
    .options = top_options,
    .min_args = 0,
    .max_args = 0,
    .handler = top_run,
};
