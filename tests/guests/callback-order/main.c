/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * callback_op as a 64-bit PV kernel uses it, and every answer it gives.
 *
 * First the sequence Xen 4.17 accepts and Lamina once refused: through the hypercall page,
 * set_trap_table, then callbacks event, syscall (CALLBACKF_mask_events), syscall32, sysenter. The
 * calls go through a wrapper written for Xen's release ABI: the arguments are inputs only and only
 * RAX changes, so the compiler may keep values (such as earlier results) in argument
 * registers across calls. All five return 0 on Xen 4.17.
 *
 * Then Xen 4.17's answers for each type 0..9: register 0 for event, failsafe, syscall,
 * nmi, sysenter, syscall32 and -ENOSYS otherwise; unregister 0 for nmi, -EINVAL for the
 * five a kernel cannot do without, -ENOSYS otherwise; a non-canonical address -EINVAL;
 * an unreadable argument -EFAULT; an unknown command -ENOSYS; set_callbacks always 0.
 * The older nmi_op: register 0 (non-canonical -EINVAL, unreadable -EFAULT), unregister 0,
 * other commands -ENOSYS.
 */
#include <lamina/callback.h>
#include <lamina/errno.h>
#include <lamina/nmi.h>
#include <lamina/traps.h>

#include "lam.h"

const char lam_test_title[] = "callback_op: the registration sequence and every answer";

extern uint8_t lam_hypercall_page[];

/* Xen's release ABI through the page: RAX is the only output, nothing else is clobbered. */
static inline long page_call2(unsigned nr, unsigned long a1, unsigned long a2)
{
    long ret;
    register unsigned long rdi __asm__("rdi") = a1;
    register unsigned long rsi __asm__("rsi") = a2;
    __asm__ volatile("call *%[stub]"
                     : "=a"(ret)
                     : [stub] "r"(lam_hypercall_page + nr * LAM_HYPERCALL_PAGE_STUB_SIZE), "r"(rdi),
                       "r"(rsi)
                     : "memory");
    return ret;
}

/* Entry points that must never run (events stay masked, no user mode here)... */
static void never(void)
{
    lam_panic("a callback registered by callback-order ran");
}

/* ... except the NMI callback, which Xen may raise at once if an NMI is latched. */
void cbo_nmi_entry(void);
__asm__(".text\n"
        ".globl cbo_nmi_entry\n"
        "cbo_nmi_entry:\n"
        "  pop %rcx\n  pop %r11\n  push $0\n  push $0x190\n  jmp lam_trap_common\n");
static unsigned nmis;
static void on_callback(struct lam_regs *regs)
{
    if (regs->vector != 0x190)
        lam_panic("unexpected callback %lx", regs->vector);
    nmis++;
}

static struct lam_trap_info traps[] = {
    {3, 3, LAM_FLAT_KERNEL_CS, 0, 0},
    {0, 0, 0, 0, 0},
};

static void the_reported_sequence(void)
{
    extern void lam_trap_entry_3(void);
    traps[0].address = (uintptr_t)lam_trap_entry_3;
    static struct lam_callback_register cb[4];
    cb[0] = (struct lam_callback_register){.type = LAM_CALLBACKTYPE_event,
                                           .address = (uintptr_t)lam_event_entry};
    cb[1] = (struct lam_callback_register){.type = LAM_CALLBACKTYPE_syscall,
                                           .flags = LAM_CALLBACKF_mask_events,
                                           .address = (uintptr_t)lam_syscall_entry};
    cb[2] = (struct lam_callback_register){.type = LAM_CALLBACKTYPE_syscall32,
                                           .address = (uintptr_t)never};
    cb[3] = (struct lam_callback_register){.type = LAM_CALLBACKTYPE_sysenter,
                                           .address = (uintptr_t)never};
    long rc[5];
    rc[0] = page_call2(LAM_HYPERCALL_SET_TRAP_TABLE, (uintptr_t)traps, 0);
    for (int i = 0; i < 4; i++)
        rc[i + 1] =
            page_call2(LAM_HYPERCALL_CALLBACK_OP, LAM_CALLBACKOP_register, (uintptr_t)&cb[i]);
    lam_printf("set_trap_table %ld, event %ld, syscall %ld, syscall32 %ld, sysenter %ld\n", rc[0],
               rc[1], rc[2], rc[3], rc[4]);
    static const char *const what[] = {"set_trap_table", "register event", "register syscall",
                                       "register syscall32", "register sysenter"};
    for (int i = 0; i < 5; i++)
        LAM_CHECK(rc[i] == 0, "%s returned %ld", what[i], rc[i]);
}

static long reg(unsigned type, uint64_t address)
{
    struct lam_callback_register cb = {.type = (uint16_t)type, .address = address};
    return hypercall_callback_op(LAM_CALLBACKOP_register, &cb);
}

static long unreg(unsigned type)
{
    struct lam_callback_unregister u = {.type = (uint16_t)type};
    return hypercall_callback_op(LAM_CALLBACKOP_unregister, &u);
}

static void every_answer(void)
{
    /* Xen 4.17, 64-bit PV: types 0 event, 1 failsafe, 2 syscall, 3 sysenter_deprecated,
     * 4 nmi, 5 sysenter, 6 (none), 7 syscall32, 8, 9 (none). */
    static const long want_reg[10] = {0, 0,           0, -LAM_ENOSYS, 0,
                                      0, -LAM_ENOSYS, 0, -LAM_ENOSYS, -LAM_ENOSYS};
    static const long want_unreg[10] = {-LAM_EINVAL, -LAM_EINVAL, -LAM_EINVAL, -LAM_ENOSYS,
                                        0,           -LAM_EINVAL, -LAM_ENOSYS, -LAM_EINVAL,
                                        -LAM_ENOSYS, -LAM_ENOSYS};
    for (unsigned t = 0; t < 10; t++) {
        uint64_t fn = t == LAM_CALLBACKTYPE_nmi ? (uintptr_t)cbo_nmi_entry : (uintptr_t)never;
        long r = reg(t, fn), u = unreg(t);
        long bad = reg(t, 0x0000800000000000ull); /* non-canonical */
        lam_printf("type %u: register %ld, unregister %ld, non-canonical %ld\n", t, r, u, bad);
        LAM_CHECK(r == want_reg[t], "register type %u returned %ld, expected %ld", t, r,
                  want_reg[t]);
        LAM_CHECK(u == want_unreg[t], "unregister type %u returned %ld, expected %ld", t, u,
                  want_unreg[t]);
        LAM_CHECK(bad == -LAM_EINVAL, "register type %u at a non-canonical address: %ld", t, bad);
    }
    long rc = hypercall_callback_op(LAM_CALLBACKOP_register, (void *)0x1000);
    LAM_CHECK(rc == -LAM_EFAULT, "register with an unmapped argument: %ld", rc);
    rc = hypercall_callback_op(LAM_CALLBACKOP_unregister, (void *)0xffff830000000000ull);
    LAM_CHECK(rc == -LAM_EFAULT, "unregister with a hypervisor-range argument: %ld", rc);
    struct lam_callback_register cb = {.type = LAM_CALLBACKTYPE_event, .address = 0};
    rc = hypercall_callback_op(2, &cb);
    LAM_CHECK(rc == -LAM_ENOSYS, "unknown callback_op command: %ld", rc);
    rc = hypercall_set_callbacks(0x0000800000000000ull, 0x0000800000000000ull,
                                 0x0000800000000000ull);
    LAM_CHECK(rc == 0, "set_callbacks with non-canonical addresses: %ld", rc);
    rc = hypercall_set_callbacks(0, 0, 0);
    LAM_CHECK(rc == 0, "set_callbacks(0, 0, 0): %ld", rc);

    struct lam_xennmi_callback nmi = {.handler_address = (uintptr_t)cbo_nmi_entry};
    long r = hypercall_nmi_op(LAM_XENNMI_register_callback, &nmi);
    long u = hypercall_nmi_op(LAM_XENNMI_unregister_callback, NULL);
    nmi.handler_address = 0x0000800000000000ull;
    long bad = hypercall_nmi_op(LAM_XENNMI_register_callback, &nmi);
    long fault = hypercall_nmi_op(LAM_XENNMI_register_callback, (void *)0x1000);
    long cmd = hypercall_nmi_op(2, &nmi);
    lam_printf("nmi_op: register %ld, unregister %ld, non-canonical %ld, unmapped %ld, cmd 2 %ld\n",
               r, u, bad, fault, cmd);
    LAM_CHECK(r == 0 && u == 0, "nmi_op register/unregister: %ld %ld", r, u);
    LAM_CHECK(bad == -LAM_EINVAL, "nmi_op at a non-canonical address: %ld", bad);
    LAM_CHECK(fault == -LAM_EFAULT, "nmi_op with an unmapped argument: %ld", fault);
    LAM_CHECK(cmd == -LAM_ENOSYS, "nmi_op command 2: %ld", cmd);
    lam_printf("NMI callbacks run: %u\n", nmis);
}

void test_main(void)
{
    lam_callback_handler = on_callback;
    the_reported_sequence();
    every_answer();
    lam_install_trap_table();
}
