/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A 64-bit PV vCPU's whole state in and out as struct lam_vcpu_guest_context, with the
 * checks of Xen 4.17's arch_set_info_guest: every address the CPU could be made to load
 * or jump to must be canonical, selectors get the guest's RPL, the LDT must be a guest
 * address, page aligned and at most 8192 entries, user mode needs a user page table,
 * vCPU 0's vm_assist must be a valid one, the page tables and GDT frames are taken like
 * NEW_BASEPTR and set_gdt would take them (an L4 must validate as one: it need not be
 * pinned), and the debug registers like set_debugreg. The one path for VCPUOP_initialise
 * (common/vcpu_op.c) and domctl setvcpucontext / getvcpucontext (common/domctl_vcpu.c).
 */
#include <asm/pv/vcpu_context.h>
#include <hv/domain.h>
#include <hv/errcodes.h>
#include <hv/lib.h>
#include <asm/debugreg.h>
#include <asm/guest_access.h>
#include <asm/memlayout.h>
#include <asm/mm.h>
#include <asm/pv/descriptor.h>
#include <asm/pv/mm.h>
#include <asm/x86.h>
#include <asm/xsave.h>

/* Xen's __addr_ok: below the canonical hole, or above the hypervisor's range. */
static bool guest_address(uint64_t va)
{
    return va < LOWER_HALF_END || va >= DIRECTMAP_VIRT_END;
}

/*
 * What arch_set_info_guest refuses with -EINVAL before it changes anything: an address the
 * vCPU would be entered at, or that goes to WRMSR at every switch to it, that is not
 * canonical (a return to it would fault in the hypervisor); an LDT base that is the
 * hypervisor's, not canonical (with entries) or not page-aligned, or more than 8192 LDT
 * entries. Selectors are not checked, only given RPL 3: one the CPU refuses makes the first
 * IRETQ to the vCPU fault, which it gets as its own #GP.
 */
static bool addresses_ok(const struct lam_vcpu_guest_context *c)
{
    const uint64_t va[] = {c->user_regs.rip,
                           c->user_regs.rsp,
                           c->kernel_sp,
                           c->fs_base,
                           c->gs_base_kernel,
                           c->gs_base_user,
                           c->event_callback_eip,
                           c->syscall_callback_eip,
                           c->failsafe_callback_eip,
                           c->ldt_ents ? c->ldt_base : 0};
    for (unsigned int i = 0; i < ARRAY_SIZE(va); i++)
        if (!is_canonical_address(va[i]))
            return false;
    for (unsigned int i = 0; i < X86_NR_VECTORS; i++)
        if (!is_canonical_address(c->trap_ctxt[i].address))
            return false;
    return guest_address(c->ldt_base) && (c->ldt_base & (PAGE_SIZE - 1)) == 0 &&
           c->ldt_ents <= LDT_MAX_ENTRIES;
}

/* Debug registers as set_debugreg would take them, one by one, from the reset state; what
 * it refuses stays at its reset value (Xen 4.17 ignores those failures too). DR4 and DR5
 * are not taken: set_debugreg would make them DR6 and DR7. */
static void load_debugregs(struct vcpu *v, const struct lam_vcpu_guest_context *c)
{
    pv_debugreg_init(v);
    for (int r = 0; r < 4; r++)
        v->debugreg[r] = 0;
    for (int r = 0; r < 8; r++)
        if (r != 4 && r != 5)
            pv_set_debugreg(v, r, c->debugreg[r]);
}

/* A vCPU already loaded keeps its tables and descriptor tables: c must name the same. */
static bool same_tables(const struct vcpu *v, const struct lam_vcpu_guest_context *c)
{
    if (c->ctrlreg[3] != v->guest_table || c->ctrlreg[1] != v->guest_table_user ||
        c->gdt_ents != v->gdt_ents || c->ldt_ents != v->ldt_ents)
        return false;
    for (unsigned int i = 0; i < DESC_PAGES(v->gdt_ents); i++)
        if (c->gdt_frames[i] != v->gdt_frames[i])
            return false;
    return true;
}

static int take_root(struct domain *d, uint64_t cr3, uint64_t *out)
{
    struct mm_hold h = MM_HOLD_FOR(d);
    int rc;
    do {
        mm_hold_begin(&h);
        rc = get_page_and_type(cr3 >> PAGE_SHIFT, d, PGT_l4_page_table);
    } while (mm_hold_end(&h, rc));
    if (!rc)
        *out = cr3 & ~(uint64_t)(PAGE_SIZE - 1);
    return rc;
}

static void drop_root(uint64_t table)
{
    mm_lock_global();
    put_page_and_type(mfn_to_page(table >> PAGE_SHIFT));
    mm_unlock_global();
}

/* Page tables and GDT of a vCPU never loaded: all taken, or none. The GDT is installed;
 * the tables are returned for publish_tables once everything else is in place. */
static int take_tables(struct vcpu *v, const struct lam_vcpu_guest_context *c, uint64_t *kernel,
                       uint64_t *user)
{
    if (c->gdt_ents > LAM_FIRST_RESERVED_GDT_ENTRY)
        return -EINVAL;
    *user = 0;
    int rc = take_root(v->domain, c->ctrlreg[3], kernel);
    if (rc)
        return rc;
    if (c->ctrlreg[1] && (rc = take_root(v->domain, c->ctrlreg[1], user))) {
        drop_root(*kernel);
        return rc;
    }
    mfn_t frames[LAM_FIRST_RESERVED_GDT_PAGE];
    for (unsigned int i = 0; i < LAM_FIRST_RESERVED_GDT_PAGE; i++)
        frames[i] = c->gdt_frames[i];
    rc = pv_vcpu_set_gdt(v, frames, (unsigned int)c->gdt_ents);
    if (rc) {
        if (*user)
            drop_root(*user);
        drop_root(*kernel);
    }
    return rc;
}

/*
 * Make the tables the vCPU's, kernel table last: VCPUOP_up and the scheduler take a vCPU
 * with one as loaded. Under mm_lock, where a destroy gives up the vCPUs' references
 * (arch_domain_relinquish) after marking the domain dying: a dying domain gets none it
 * would never give back (-EINVAL, everything undone).
 */
static int publish_tables(struct vcpu *v, uint64_t kernel, uint64_t user)
{
    mm_lock_global();
    bool dying = __atomic_load_n(&v->domain->state, __ATOMIC_ACQUIRE) == DOMAIN_DYING;
    if (!dying) {
        v->guest_table_user = user;
        __atomic_store_n(&v->guest_table, kernel, __ATOMIC_RELEASE);
    }
    mm_unlock_global();
    if (!dying)
        return 0;
    const mfn_t none[LAM_FIRST_RESERVED_GDT_PAGE] = {0};
    pv_vcpu_set_gdt(v, none, 0);
    if (user)
        drop_root(user);
    drop_root(kernel);
    return -EINVAL;
}

static void load_registers(struct vcpu *v, const struct lam_vcpu_guest_context *c)
{
    const struct lam_cpu_user_regs *u = &c->user_regs;
    v->regs = (struct cpu_regs){
        .r15 = u->r15,
        .r14 = u->r14,
        .r13 = u->r13,
        .r12 = u->r12,
        .rbp = u->rbp,
        .rbx = u->rbx,
        .r11 = u->r11,
        .r10 = u->r10,
        .r9 = u->r9,
        .r8 = u->r8,
        .rax = u->rax,
        .rcx = u->rcx,
        .rdx = u->rdx,
        .rsi = u->rsi,
        .rdi = u->rdi,
        .rip = u->rip,
        .cs = u->cs | GUEST_RPL,
        /* Interrupts stay on; the IOPL field is the vCPU's virtual IOPL, as on Xen (Linux
         * starts secondary CPUs with IOPL 1 so their CLI/STI and port I/O are emulated). */
        .rflags = (u->rflags & ~X86_EFLAGS_IOPL) | X86_EFLAGS_IF | X86_EFLAGS_MBS,
        .rsp = u->rsp,
        .ss = u->ss | GUEST_RPL};
    v->iopl = (unsigned int)((u->rflags & X86_EFLAGS_IOPL) >> X86_EFLAGS_IOPL_SHIFT);
    v->sel[SEL_DS] = u->ds;
    v->sel[SEL_ES] = u->es;
    v->sel[SEL_FS] = u->fs;
    v->sel[SEL_GS] = u->gs;
    v->kernel_mode = (c->flags & LAM_VGCF_in_kernel) != 0;
    for (unsigned int i = 0; i < X86_NR_VECTORS; i++)
        v->traps[i] = (struct guest_trap){.address = c->trap_ctxt[i].address,
                                          .cs = (uint16_t)(c->trap_ctxt[i].cs | GUEST_RPL),
                                          .flags = c->trap_ctxt[i].flags};
    v->kernel_ss = c->kernel_ss | GUEST_RPL;
    v->kernel_sp = c->kernel_sp;
    v->event_callback = c->event_callback_eip;
    v->failsafe_callback = c->failsafe_callback_eip;
    v->syscall_callback = c->syscall_callback_eip;
    v->failsafe_masks = (c->flags & LAM_VGCF_failsafe_disables_events) != 0;
    v->syscall_masks = (c->flags & LAM_VGCF_syscall_disables_events) != 0;
    v->fs_base = c->fs_base;
    v->gs_base_kernel = c->gs_base_kernel;
    v->gs_base_user = c->gs_base_user;
    load_debugregs(v, c);
    if (c->flags & LAM_VGCF_i387_valid) {
        memcpy(v->fpu_state, c->fpu_ctxt, sizeof(v->fpu_state));
        fpu_sanitise_image(v->fpu_state);
        v->fpu_initialised = true;
        v->xsave_valid = false; /* XSAVE: converted from this image on the first restore */
    }
}

int pv_vcpu_set_context(struct vcpu *v, const struct lam_vcpu_guest_context *c)
{
    struct domain *d = v->domain;
    if (!addresses_ok(c))
        return -EINVAL;
    if (v->vcpu_id == 0 && (c->vm_assist & ~vm_assist_valid_mask()))
        return -EINVAL;
    bool loaded = __atomic_load_n(&v->guest_table, __ATOMIC_ACQUIRE) != 0;
    if (loaded && !same_tables(v, c))
        return -EOPNOTSUPP;
    /* Guest user mode needs its own page tables. */
    if (!loaded && !(c->flags & LAM_VGCF_in_kernel) && !c->ctrlreg[1])
        return -EINVAL;
    uint64_t kernel = 0, user = 0;
    if (!loaded) {
        int rc = take_tables(v, c, &kernel, &user);
        if (rc)
            return rc;
        v->ldt_base = c->ldt_base;
        v->ldt_ents = (unsigned int)c->ldt_ents;
    }
    if (v->vcpu_id == 0)
        d->vm_assist = c->vm_assist;
    load_registers(v, c);
    return loaded ? 0 : publish_tables(v, kernel, user);
}

void pv_vcpu_get_context(const struct vcpu *v, struct lam_vcpu_guest_context *c)
{
    memset(c, 0, sizeof(*c));
    if (v->fpu_initialised)
        memcpy(c->fpu_ctxt, v->xsave_valid ? v->xsave_area : v->fpu_state, sizeof(c->fpu_ctxt));
    c->flags = (v->fpu_initialised ? LAM_VGCF_i387_valid : 0) |
               (v->kernel_mode ? LAM_VGCF_in_kernel : 0) | (v->online ? LAM_VGCF_online : 0) |
               (v->failsafe_masks ? LAM_VGCF_failsafe_disables_events : 0) |
               (v->syscall_masks ? LAM_VGCF_syscall_disables_events : 0);
    const struct cpu_regs *r = &v->regs;
    struct lam_cpu_user_regs *u = &c->user_regs;
    u->r15 = r->r15;
    u->r14 = r->r14;
    u->r13 = r->r13;
    u->r12 = r->r12;
    u->rbp = r->rbp;
    u->rbx = r->rbx;
    u->r11 = r->r11;
    u->r10 = r->r10;
    u->r9 = r->r9;
    u->r8 = r->r8;
    u->rax = r->rax;
    u->rcx = r->rcx;
    u->rdx = r->rdx;
    u->rsi = r->rsi;
    u->rdi = r->rdi;
    u->rip = r->rip;
    u->cs = (uint16_t)r->cs;
    /* The virtual IOPL is reported in the flags, as Xen merges it back. */
    u->rflags = (r->rflags & ~X86_EFLAGS_IOPL) | ((uint64_t)v->iopl << X86_EFLAGS_IOPL_SHIFT);
    u->rsp = r->rsp;
    u->ss = (uint16_t)r->ss;
    u->ds = v->sel[SEL_DS];
    u->es = v->sel[SEL_ES];
    u->fs = v->sel[SEL_FS];
    u->gs = v->sel[SEL_GS];
    for (unsigned int i = 0; i < X86_NR_VECTORS; i++)
        c->trap_ctxt[i] = (struct lam_trap_info){.vector = (uint8_t)i,
                                                 .flags = v->traps[i].flags,
                                                 .cs = v->traps[i].cs,
                                                 .address = v->traps[i].address};
    c->ldt_base = v->ldt_base;
    c->ldt_ents = v->ldt_ents;
    for (unsigned int i = 0; i < LAM_FIRST_RESERVED_GDT_PAGE; i++)
        c->gdt_frames[i] = i < DESC_PAGES(v->gdt_ents) ? v->gdt_frames[i] : 0;
    c->gdt_ents = v->gdt_ents;
    c->kernel_ss = v->kernel_ss;
    c->kernel_sp = v->kernel_sp;
    c->ctrlreg[0] = CR0_PE | CR0_MP | CR0_NE | CR0_WP | CR0_AM | CR0_PG | (v->fpu_ts ? CR0_TS : 0);
    c->ctrlreg[1] = v->guest_table_user;
    c->ctrlreg[3] = v->guest_table;
    memcpy(c->debugreg, v->debugreg, sizeof(c->debugreg));
    c->event_callback_eip = v->event_callback;
    c->failsafe_callback_eip = v->failsafe_callback;
    c->syscall_callback_eip = v->syscall_callback;
    c->vm_assist = v->domain->vm_assist;
    c->fs_base = v->fs_base;
    c->gs_base_kernel = v->gs_base_kernel;
    c->gs_base_user = v->gs_base_user;
}
