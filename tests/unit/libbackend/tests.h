/* SPDX-License-Identifier: GPL-2.0-only */
/* The test groups of test_backend, one array per file, run by main.c. */
#ifndef LAMINA_TEST_LIBBACKEND_H
#define LAMINA_TEST_LIBBACKEND_H

#include <stddef.h>

struct CMUnitTest;
extern const struct CMUnitTest ring_blkif_tests[];
extern const size_t ring_blkif_count;
extern const struct CMUnitTest xenbus_keys_tests[];
extern const size_t xenbus_keys_count;

#endif
