/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Benchmark: parse + schema + defaults + validate + format of a domain with 16 disks and 16
 * interfaces (tests/unit/libdomcfg/xml/good/big-16x16.xml), in operations per second.
 * Goal: >= 5,000/s, so a toolstack creating hundreds of domains never waits on its
 * configuration parser.
 * usage: bench_domcfg FILE [SECONDS]
 */
#include "domcfg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int one(const char *text, size_t len)
{
    struct domcfg_diags d;
    domcfg_diags_init(&d);
    struct domcfg_domain *dom = domcfg_load_xml(text, len, "bench.xml", &d);
    char *xml = dom ? domcfg_format_xml(dom) : NULL;
    int ok = xml != NULL && d.errors == 0;
    free(xml);
    domcfg_domain_free(dom);
    domcfg_diags_free(&d);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE [SECONDS]\n", argv[0]);
        return 2;
    }
    double seconds = argc > 2 ? atof(argv[2]) : 2.0;
    FILE *f = fopen(argv[1], "rb");
    static char text[1 << 20];
    size_t len = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
    if (f)
        fclose(f);
    if (!len || !one(text, len)) {
        fprintf(stderr, "%s: cannot load the benchmark domain\n", argv[1]);
        return 1;
    }
    /* CPU time is the figure: on a shared machine wall time mostly measures the neighbours.
     * Wall time is printed too. */
    unsigned long ops = 0;
    double wall0 = clock_s(CLOCK_MONOTONIC), cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), cpu;
    do {
        for (int i = 0; i < 100; i++)
            ops += (unsigned long)one(text, len);
        cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    } while (cpu < seconds);
    double wall = clock_s(CLOCK_MONOTONIC) - wall0;
    double rate = (double)ops / cpu;
    printf("domcfg: parse+validate+format, 16 disks + 16 interfaces: %.0f ops per CPU second "
           "(%.1f us/op; %.0f ops/s wall clock; goal >= 5000/s: %s)\n",
           rate, 1e6 / rate, (double)ops / wall, rate >= 5000 ? "met" : "NOT met");
    return 0;
}
