/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test stand-in for the hypervisor's hypercall-dispatch.h, with exactly the
 * contract the generated hypercall-table.c is written against.
 */
#ifndef TEST_HYPERCALL_DISPATCH_H
#define TEST_HYPERCALL_DISPATCH_H
#include <stdint.h>
#include <lamina/hypercall.h>
struct hypercall_desc {
    const char *name;
    long (*call)(const uint64_t args[6]);
    unsigned char nargs;
    unsigned char who;
};
#define HC_WHO_ANY           0
#define HC_WHO_PRIV          1
#define HYPERCALL_TABLE_SIZE LAM_HYPERCALL_TABLE_SLOTS
extern const struct hypercall_desc hypercall_table[HYPERCALL_TABLE_SIZE];
#endif
