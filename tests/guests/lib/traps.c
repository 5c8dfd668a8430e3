/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The framework's trap table and exception dispatch. Exceptions are expected
 * only at instructions listed in the exception table (or for trap-type
 * vectors); anything else is a PANIC that names the vector and RIP.
 */
#include <lamina/traps.h>

#include "lam.h"

volatile struct lam_exinfo lam_last_exception;

struct extable_entry {
    uint64_t fault, fixup;
};
extern const struct extable_entry __extable_start[], __extable_end[];

#define TRAP_ENTRY(v) void lam_trap_entry_##v(void)
TRAP_ENTRY(0);
TRAP_ENTRY(1);
TRAP_ENTRY(2);
TRAP_ENTRY(3);
TRAP_ENTRY(4);
TRAP_ENTRY(5);
TRAP_ENTRY(6);
TRAP_ENTRY(7);
TRAP_ENTRY(8);
TRAP_ENTRY(9);
TRAP_ENTRY(10);
TRAP_ENTRY(11);
TRAP_ENTRY(12);
TRAP_ENTRY(13);
TRAP_ENTRY(14);
TRAP_ENTRY(16);
TRAP_ENTRY(17);
TRAP_ENTRY(18);
TRAP_ENTRY(19);
TRAP_ENTRY(20);
TRAP_ENTRY(21);

/* int3 and into may be raised from any privilege level (DPL 3). */
#define GATE(v, dpl)                                                                               \
    {                                                                                              \
        (v), (dpl), LAM_FLAT_KERNEL_CS, 0, (uint64_t)lam_trap_entry_##v                            \
    }
static const struct lam_trap_info trap_table[] = {
    GATE(0, 0),  GATE(1, 0),  GATE(2, 0),  GATE(3, 3),      GATE(4, 3),  GATE(5, 0),
    GATE(6, 0),  GATE(7, 0),  GATE(8, 0),  GATE(9, 0),      GATE(10, 0), GATE(11, 0),
    GATE(12, 0), GATE(13, 0), GATE(14, 0), GATE(16, 0),     GATE(17, 0), GATE(18, 0),
    GATE(19, 0), GATE(20, 0), GATE(21, 0), {0, 0, 0, 0, 0},
};

long lam_install_trap_table(void)
{
    return hypercall_set_trap_table((void *)trap_table);
}

void lam_exception_reset(void)
{
    memset((void *)&lam_last_exception, 0, sizeof(lam_last_exception));
}

static const struct extable_entry *extable_find(uint64_t rip)
{
    /* Linker-defined bounds: count entries by address, not by comparing pointers. */
    size_t n = ((uintptr_t)__extable_end - (uintptr_t)__extable_start) / sizeof(__extable_start[0]);
    for (size_t i = 0; i < n; i++)
        if (__extable_start[i].fault == rip)
            return &__extable_start[i];
    return NULL;
}

int lam_extable_has(uint64_t rip)
{
    return extable_find(rip) != NULL;
}

void (*lam_callback_handler)(struct lam_regs *regs);
int (*lam_unexpected_exception)(struct lam_regs *regs);

void lam_trap_dispatch(struct lam_regs *regs);

void lam_trap_dispatch(struct lam_regs *regs)
{
    /* Callbacks (lib/callbacks.S) go to the test's handler, if it installed one. */
    if (regs->vector >= LAM_CB_VECTOR_EVENT) {
        if (!lam_callback_handler)
            lam_panic("callback %#lx without a handler at rip %lx", regs->vector, regs->rip);
        lam_callback_handler(regs);
        return;
    }
    lam_last_exception.vector = (unsigned int)regs->vector;
    lam_last_exception.error_code = regs->error_code;
    lam_last_exception.rip = regs->rip;
    lam_last_exception.cs = regs->cs;
    lam_last_exception.rflags = regs->rflags;
    uint64_t own;
    __asm__ volatile("pushfq\n\tpopq %0" : "=r"(own));
    lam_last_exception.handler_rflags = own;
    lam_last_exception.cr2 = lam_shared_info ? lam_shared_info->vcpu_info[0].arch.cr2 : 0;
    lam_last_exception.seen++;

    /* Traps report the address after the instruction: nothing to fix up. */
    if (regs->vector == 3 || regs->vector == 4)
        return;
    const struct extable_entry *e = extable_find(regs->rip);
    if (e) {
        regs->rip = e->fixup;
        return;
    }
    if (lam_unexpected_exception && lam_unexpected_exception(regs))
        return;
    lam_panic("unexpected exception %lu at rip %lx error code %lx cr2 %lx", regs->vector, regs->rip,
              regs->error_code, lam_last_exception.cr2);
}
