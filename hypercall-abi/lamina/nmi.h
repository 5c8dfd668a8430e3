/* SPDX-License-Identifier: MIT */
/*
 * lamina/nmi.h - the nmi_op hypercall (number 28): nmi_op(cmd, arg).
 *
 * The older way to register the guest's NMI entry point; callback_op with
 * LAM_CALLBACKTYPE_nmi does the same. The handler is the guest's trap-table
 * entry 2, entered with events masked.
 */
#ifndef LAMINA_NMI_H
#define LAMINA_NMI_H

#include "types.h"

#define LAM_XENNMI_register_callback   0 /* arg -> struct lam_xennmi_callback */
#define LAM_XENNMI_unregister_callback 1 /* arg unused */

struct lam_xennmi_callback {
    lam_ulong_t handler_address;
    lam_ulong_t pad;
};

LAM_ASSERT_SIZE(struct lam_xennmi_callback, 16);

#endif /* LAMINA_NMI_H */
