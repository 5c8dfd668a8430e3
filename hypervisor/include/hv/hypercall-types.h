/* SPDX-License-Identifier: GPL-2.0-only */
/* Types used by the generated hypercall prototypes (build/gen/hypervisor/hypercall-handlers.h). */
#ifndef LAMINA_HV_HYPERCALL_TYPES_H
#define LAMINA_HV_HYPERCALL_TYPES_H

#include <stdint.h>

typedef uint64_t guest_ptr_t; /* a guest virtual address: never dereference, use guest_access.h */
typedef uint16_t domid_t;

#endif
