/* SPDX-License-Identifier: GPL-2.0-only */
/* XENMEM_exchange (pv/memory_exchange.c). */
#ifndef LAMINA_ASM_PV_MEMORY_EXCHANGE_H
#define LAMINA_ASM_PV_MEMORY_EXCHANGE_H

#include <asm/guest_access.h>

struct domain;

/* memory_op XENMEM_exchange for caller with its argument: 0 or an error; the
 * argument's nr_exchanged says how far it got. */
long memory_exchange(struct domain *caller, guest_ptr_t arg);

#endif
