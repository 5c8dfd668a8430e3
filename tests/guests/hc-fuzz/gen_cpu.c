/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grammar: the CPU state a PV guest hands the hypervisor. set_trap_table,
 * set_gdt, update_descriptor, stack_switch, set_callbacks, callback_op,
 * set_segment_base, set/get_debugreg, fpu_taskswitch.
 *
 * The worker's trap table and callbacks are put back right after a call that
 * may have changed them (HCF_REPAIR_*), so a bad handler address is only ever
 * used if the hypervisor itself delivers something in between. Handler
 * addresses that are canonical but wrong are offered only where nothing can
 * be delivered to them before the repair (user-mode entry points).
 */
#include <lamina/callback.h>
#include <lamina/mmu.h>
#include <lamina/traps.h>

#include "env.h"

void hcf_gen_set_trap_table(struct hcf_worker *w, struct hcf_call *c)
{
    extern void lam_trap_entry_13(void);
    unsigned int n = (unsigned int)hcf_below(w, 24);
    struct lam_trap_info *t = hcf_alloc(w, (n + 1) * sizeof(*t), 8);
    for (unsigned int i = 0; i < n; i++) {
        t[i].vector = (uint8_t)(hcf_chance(w, 70) ? hcf_below(w, 32) : hcf_u64(w));
        t[i].flags = (uint8_t)hcf_u64(w);
        t[i].cs = hcf_selector(w);
        t[i].address = hcf_code_va(w, (uint64_t)lam_trap_entry_13, 1);
    }
    if (hcf_chance(w, 10)) /* no terminator: the hypervisor reads on, into the hole */
        t[n].address = hcf_u64(w);
    c->nr = LAM_HYPERCALL_SET_TRAP_TABLE;
    c->a[0] = hcf_chance(w, 10) ? 0 : hcf_ptr(w, t, (n + 1) * sizeof(*t), 0);
    c->flags |= HCF_REPAIR_TRAPS;
}

void hcf_gen_set_gdt(struct hcf_worker *w, struct hcf_call *c)
{
    static const uint32_t ents[] = {0, 1, 14, 512, 513, 1024, 7168, 7169, 8192, 0xffffffff};
    unsigned int n = 1 + (unsigned int)hcf_below(w, 16);
    uint64_t *frames = hcf_alloc(w, 16 * 8, 8);
    for (unsigned int i = 0; i < n; i++)
        frames[i] = hcf_chance(w, 50) ? hcf_env.frames[FR_FREE][hcf_below(w, 8)]
                                      : hcf_frame(w, FRM_ALL, NULL);
    if (hcf_avoid(HCF_AVOID_SHARED_TYPES))
        for (unsigned int i = 0; i < n; i++) {
            for (unsigned int g = 0; g < hcf_env.nframes[FR_GRANT]; g++)
                if (frames[i] == hcf_env.frames[FR_GRANT][g])
                    frames[i] = hcf_env.max_mfn;
            if (frames[i] == hcf_env.frames[FR_SHINFO][0])
                frames[i] = hcf_env.max_mfn;
            for (unsigned int g = 0; g < hcf_env.nframes[FR_RING]; g++)
                if (frames[i] == hcf_env.frames[FR_RING][g])
                    frames[i] = hcf_env.max_mfn;
        }
    c->nr = LAM_HYPERCALL_SET_GDT;
    c->a[0] = hcf_ptr(w, frames, 16 * 8, 0);
    c->a[1] = hcf_chance(w, 60) ? n * 512 - hcf_below(w, 512) : HCF_PICK(w, ents);
}

static uint64_t descriptor(struct hcf_worker *w)
{
    static const uint64_t descs[] = {
        0,
        0x00affa000000ffffULL, /* 64-bit code, DPL 3 */
        0x00cffa000000ffffULL, /* 32-bit code, DPL 3 */
        0x00cff2000000ffffULL, /* data, DPL 3 */
        0x00af9a000000ffffULL, /* 64-bit code, DPL 0 */
        0x00cf92000000ffffULL, /* data, DPL 0 */
        0x00cf7a000000ffffULL, /* not present */
        0x0000ec000000e008ULL, /* 32-bit call gate, DPL 3, to a ring-0 selector */
        0xffff8000e008ec00ULL, /* half of a 64-bit call gate */
        0x00008b0000000067ULL, /* busy TSS */
        0x0000820000000067ULL, /* LDT */
        0x00affe000000ffffULL, /* conforming code, DPL 3 */
        0x00cffa00ffffffffULL, /* base in the hypervisor's range */
        0xffffffffffffffffULL};
    return hcf_chance(w, 80) ? HCF_PICK(w, descs) : hcf_u64(w);
}

/* The hypervisor writes a checked descriptor into a descriptor page, or into any page that
 * may be writable (as Xen): not into the guest's own live pages. */
void hcf_gen_update_descriptor(struct hcf_worker *w, struct hcf_call *c)
{
    uint64_t mfn = hcf_chance(w, 50) ? hcf_env.frames[FR_FREE][hcf_below(w, 8)]
                                     : hcf_frame(w, FRM_WRITABLE_OK, NULL);
    uint64_t off = hcf_chance(w, 85) ? 8 * hcf_below(w, 512) : hcf_below(w, 4096);
    c->nr = LAM_HYPERCALL_UPDATE_DESCRIPTOR;
    c->a[0] = hcf_chance(w, 95) ? (mfn << LAM_PAGE_SHIFT) + off : hcf_u64(w);
    c->a[1] = descriptor(w);
}

void hcf_gen_stack_switch(struct hcf_worker *w, struct hcf_call *c)
{
    c->nr = LAM_HYPERCALL_STACK_SWITCH;
    c->a[0] = hcf_selector(w);
    c->a[1] = hcf_chance(w, 50) ? (uint64_t)w->area + LAM_PAGE_SIZE : hcf_int(w);
}

void hcf_gen_set_callbacks(struct hcf_worker *w, struct hcf_call *c)
{
    c->nr = LAM_HYPERCALL_SET_CALLBACKS;
    c->a[0] = hcf_code_va(w, (uint64_t)lam_event_entry, 0);
    c->a[1] = hcf_code_va(w, (uint64_t)lam_failsafe_entry, 0);
    c->a[2] = hcf_code_va(w, (uint64_t)lam_syscall_entry, 1);
    c->flags |= HCF_REPAIR_CALLBACKS;
}

void hcf_gen_callback_op(struct hcf_worker *w, struct hcf_call *c)
{
    static const uint16_t types[] = {LAM_CALLBACKTYPE_event,
                                     LAM_CALLBACKTYPE_failsafe,
                                     LAM_CALLBACKTYPE_syscall,
                                     LAM_CALLBACKTYPE_sysenter_deprecated,
                                     LAM_CALLBACKTYPE_nmi,
                                     LAM_CALLBACKTYPE_sysenter,
                                     6,
                                     LAM_CALLBACKTYPE_syscall32,
                                     8,
                                     0xffff};
    uint64_t cmd = hcf_chance(w, 90) ? hcf_below(w, 2) : hcf_int(w);
    struct lam_callback_register *r = hcf_alloc(w, sizeof(*r), 8);
    r->type = HCF_PICK(w, types);
    r->flags = (uint16_t)(hcf_chance(w, 80) ? hcf_below(w, 2) : hcf_u64(w));
    /* A canonical wrong address only for entries reached from user mode. */
    int user_only = r->type == LAM_CALLBACKTYPE_syscall || r->type == LAM_CALLBACKTYPE_syscall32 ||
                    r->type == LAM_CALLBACKTYPE_sysenter ||
                    r->type == LAM_CALLBACKTYPE_sysenter_deprecated;
    uint64_t good = r->type == LAM_CALLBACKTYPE_event      ? (uint64_t)lam_event_entry
                    : r->type == LAM_CALLBACKTYPE_failsafe ? (uint64_t)lam_failsafe_entry
                                                           : (uint64_t)lam_syscall_entry;
    r->address = hcf_code_va(w, good, user_only);
    if (r->type == LAM_CALLBACKTYPE_nmi && hcf_chance(w, 50)) {
        extern void lam_trap_entry_2(void);
        r->address = (uint64_t)lam_trap_entry_2;
    }
    hcf_note(w, " type %u", r->type);
    c->nr = LAM_HYPERCALL_CALLBACK_OP;
    c->a[0] = cmd;
    c->a[1] = hcf_ptr(w, r, sizeof(*r), 0);
    c->flags |= HCF_REPAIR_CALLBACKS | HCF_REPAIR_TRAPS;
}

void hcf_gen_set_segment_base(struct hcf_worker *w, struct hcf_call *c)
{
    uint64_t which = hcf_chance(w, 90) ? hcf_below(w, 4) : hcf_int(w);
    uint64_t base = hcf_chance(w, 50) ? hcf_int(w) : hcf_va(w);
    if (which == LAM_SEGBASE_GS_USER_SEL && hcf_chance(w, 70))
        base = hcf_selector(w);
    if (hcf_avoid(HCF_AVOID_SEGBASE) && which != LAM_SEGBASE_GS_USER_SEL && hcf_noncanonical(base))
        base = 0;
    c->nr = LAM_HYPERCALL_SET_SEGMENT_BASE;
    c->a[0] = which;
    c->a[1] = base;
}

static uint64_t breakpoint_addr(struct hcf_worker *w)
{
    extern long hcf_issue(struct hcf_worker * w, struct hcf_call * c);
    uint64_t r = hcf_below(w, 10);
    uint64_t off = hcf_below(w, 4096);
    if (r < 4) /* a buffer the next hypercalls hand the hypervisor */
        return (uint64_t)w->arena + (off & 0xff8);
    if (r < 5)
        return (uint64_t)w->area + off;
    if (r < 6)
        return (uint64_t)hcf_env.scratch_va[off % HCF_SCRATCH];
    if (r < 7)
        return (uint64_t)hcf_issue; /* an instruction the worker runs */
    return hcf_va(w);
}

void hcf_gen_debugreg(struct hcf_worker *w, struct hcf_call *c)
{
    static const int regs[] = {0, 1, 2, 3, 4, 5, 6, 7, 7, 7, 8, -1, 0x7fffffff};
    int reg = HCF_PICK(w, regs);
    uint64_t value;
    if (reg >= 0 && reg <= 3) {
        value = breakpoint_addr(w);
    } else if (reg == 6 || reg == 4) {
        value = hcf_chance(w, 70) ? 0xffff0ff0 | hcf_below(w, 16) : hcf_int(w);
    } else {
        /* DR7: enables, R/W and LEN of each breakpoint, GE/LE, GD, reserved bits. */
        value = hcf_chance(w, 75) ? (hcf_u64(w) & 0xffff00ffULL) | (hcf_chance(w, 10) << 13)
                                  : hcf_int(w);
    }
    if (reg == 7 && hcf_avoid(HCF_AVOID_DB_WATCH))
        value &= ~0xffULL; /* no breakpoint enabled: they fire in the hypervisor */
    c->nr = hcf_chance(w, 75) ? LAM_HYPERCALL_SET_DEBUGREG : LAM_HYPERCALL_GET_DEBUGREG;
    c->a[0] = (unsigned long)(long)reg;
    c->a[1] = value;
}

void hcf_gen_fpu_taskswitch(struct hcf_worker *w, struct hcf_call *c)
{
    c->nr = LAM_HYPERCALL_FPU_TASKSWITCH;
    c->a[0] = hcf_chance(w, 80) ? hcf_below(w, 2) : hcf_int(w);
    c->flags |= HCF_REPAIR_FPU;
}
