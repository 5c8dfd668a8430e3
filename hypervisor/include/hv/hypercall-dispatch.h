/* SPDX-License-Identifier: GPL-2.0-only */
/* The hypercall table, generated from hypercall-abi/hypercalls.list by the build. */
#ifndef LAMINA_HV_HYPERCALL_DISPATCH_H
#define LAMINA_HV_HYPERCALL_DISPATCH_H

#include <stdint.h>
#include <hv/hypercall-types.h>
#include <hypervisor/hypercall-handlers.h>
#include <lamina/hypercall.h>

#define HC_WHO_ANY           0
#define HC_WHO_PRIV          1
#define HYPERCALL_TABLE_SIZE LAM_HYPERCALL_TABLE_SLOTS

struct hypercall_desc {
    const char *name;
    long (*call)(const uint64_t args[6]);
    unsigned char nargs;
    unsigned char who;
};

extern const struct hypercall_desc hypercall_table[HYPERCALL_TABLE_SIZE];

#endif
