/* SPDX-License-Identifier: GPL-2.0-only */
/* test_backend: libbackend's parts that need no hypervisor, one cmocka run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "tests.h"

int main(void)
{
    /* One group, so the TAP plan counts every case. */
    size_t n = ring_blkif_count + xenbus_keys_count;
    struct CMUnitTest *all = calloc(n, sizeof(*all));
    if (!all)
        return 1;
    for (size_t i = 0; i < ring_blkif_count; i++)
        all[i] = ring_blkif_tests[i];
    for (size_t i = 0; i < xenbus_keys_count; i++)
        all[ring_blkif_count + i] = xenbus_keys_tests[i];
    int rc = _cmocka_run_group_tests("libbackend", all, n, NULL, NULL);
    free(all);
    return rc;
}
