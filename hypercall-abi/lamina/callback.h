/* SPDX-License-Identifier: MIT */
/*
 * lamina/callback.h - the callback_op hypercall (number 30):
 * callback_op(cmd, arg). Registers the guest entry points the hypervisor
 * bounces to for events, failed segment loads and system calls.
 */
#ifndef LAMINA_CALLBACK_H
#define LAMINA_CALLBACK_H

#include "types.h"

#define LAM_CALLBACKOP_register   0 /* arg -> struct lam_callback_register */
#define LAM_CALLBACKOP_unregister 1 /* arg -> struct lam_callback_unregister */

#define LAM_CALLBACKTYPE_event               0 /* event channel upcall */
#define LAM_CALLBACKTYPE_failsafe            1 /* reloading a segment register faulted */
#define LAM_CALLBACKTYPE_syscall             2 /* 64-bit SYSCALL from guest user mode */
#define LAM_CALLBACKTYPE_sysenter_deprecated 3
#define LAM_CALLBACKTYPE_nmi                 4
#define LAM_CALLBACKTYPE_sysenter            5 /* 32-bit SYSENTER from guest user mode */
#define LAM_CALLBACKTYPE_syscall32           7 /* 32-bit SYSCALL from guest user mode */

/* flags: mask events (set evtchn_upcall_mask) when entering the callback. */
#define LAM_CALLBACKF_mask_events_bit 0
#define LAM_CALLBACKF_mask_events     (1U << LAM_CALLBACKF_mask_events_bit)

struct lam_callback_register {
    uint16_t type;  /* LAM_CALLBACKTYPE_* */
    uint16_t flags; /* LAM_CALLBACKF_* */
    uint32_t pad;
    lam_ulong_t address; /* entry point virtual address */
};

struct lam_callback_unregister {
    uint16_t type;
    uint16_t pad;
};

LAM_ASSERT_SIZE(struct lam_callback_register, 16);
LAM_ASSERT_OFFSET(struct lam_callback_register, flags, 2);
LAM_ASSERT_OFFSET(struct lam_callback_register, address, 8);
LAM_ASSERT_SIZE(struct lam_callback_unregister, 4);

#endif /* LAMINA_CALLBACK_H */
