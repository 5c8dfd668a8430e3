/* SPDX-License-Identifier: GPL-2.0-only */
/* A minimal test harness: CHECK records a failure, RUN prints one result line. */
#ifndef STORE_TEST_UNIT_H
#define STORE_TEST_UNIT_H

#include <stdio.h>

static int unit_failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            unit_failed = 1;                                                                       \
        }                                                                                          \
    } while (0)

#define RUN(prefix, fn)                                                                            \
    do {                                                                                           \
        unit_failed = 0;                                                                           \
        fn();                                                                                      \
        printf("%s %s/%s\n", unit_failed ? "FAIL" : "PASS", prefix, #fn);                          \
        fflush(stdout);                                                                            \
    } while (0)

#endif
