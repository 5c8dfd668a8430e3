/* SPDX-License-Identifier: GPL-2.0-only */
/* physdev_op's hardware commands (pv/physdev.c). */
#ifndef LAMINA_ASM_PV_PHYSDEV_H
#define LAMINA_ASM_PV_PHYSDEV_H

#include <hv/hypercall-types.h>

long pv_physdev_hw_op(int cmd, guest_ptr_t arg);

#endif
