/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test stand-in for the hypervisor's hypercall-types.h (the integrator's
 * header): the two types the generated handler declarations use.
 */
#ifndef TEST_HYPERCALL_TYPES_H
#define TEST_HYPERCALL_TYPES_H
#include <stdint.h>
typedef uint64_t guest_ptr_t;
typedef uint16_t domid_t;
#endif
