/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The log ring's read rules (sysctl readconsole), as Xen 4.17's read_console_ring: the
 * ring holds the bytes [cons, prod) of everything ever logged, both free-running 32-bit
 * indices; cons is the oldest byte still held, or where a clear left it. Pure logic
 * (tests/unit/hypervisor/test_console_ring.c).
 */
#ifndef LAMINA_HV_CONSOLE_RING_H
#define LAMINA_HV_CONSOLE_RING_H

#include <stdbool.h>
#include <stdint.h>

/* Where a read starts: at index when incremental and index lies in (cons, prod] (the
 * range may wrap round 2^32), else at cons. */
static inline uint32_t console_ring_start(uint32_t cons, uint32_t prod, bool incremental,
                                          uint32_t index)
{
    bool inside = cons <= prod ? cons < index && index <= prod : cons < index || index <= prod;
    return incremental && inside ? index : cons;
}

/* Where a clear leaves cons after a read stopped at c: the oldest byte still held if c
 * fell out of the ring meanwhile, else c. */
static inline uint32_t console_ring_cleared(uint32_t c, uint32_t prod, uint32_t size)
{
    return prod - c > size ? prod - size : c;
}

#endif
