/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grammar: vcpu_op with every sub-op. A vCPU context for VCPUOP_initialise is
 * built from plausible and hostile parts; it can only take effect on a vCPU
 * no worker runs on (a spare one: vcpus= below the domain's count), which then
 * runs hcf_spare_loop. VCPUOP_down of vCPU 0 is left out (vCPU 0 supervises:
 * it brings the other workers back up when the grammar took them down).
 */
#include <lamina/traps.h>
#include <lamina/vcpu.h>

#include "env.h"

/* Where each vCPU's vcpu_info is, when a register_vcpu_info moved it (NULL: shared_info). */
struct lam_vcpu_info *volatile hcf_vcpu_info_moved[HCF_MAX_WORKERS * 2];

/* A spare vCPU brought up with a fuzzed context lands here (if its RIP was ours). */
__attribute__((noreturn)) void hcf_spare_loop(void);
void hcf_spare_loop(void)
{
    for (;;)
        hypercall_sched_op(0 /* yield */, NULL);
}

static uint64_t area_va(struct hcf_worker *w)
{
    static const uint64_t offs[] = {0, 8, 64, 4032, 4064, 4088, 4095, 7, 8192 - 48};
    uint64_t r = hcf_below(w, 10);
    uint64_t off = HCF_PICK(w, offs);
    uint64_t va = hcf_va(w);
    if (r < 6)
        return (uint64_t)w->area + off;
    /* Not the playground (its tables may alias the guest's own frames writable): pages
     * the grammar remaps, and addresses that are no memory at all. */
    if (r < 7)
        return hcf_env.sacrificial_va[off % HCF_SACRIFICIAL] + (off & 0xff8);
    if (r < 8)
        return va >= 0xffff800000000000ULL && va < 0xffff880000000000ULL ? va
                                                                         : 0x8000000000000000ULL;
    return hcf_env.ro_va + (off & 0xfff);
}

static void fill_context(struct hcf_worker *w, struct lam_vcpu_guest_context *ctx, uint32_t vcpu)
{
    extern void lam_trap_entry_0(void);
    ctx->flags = hcf_chance(w, 70) ? LAM_VGCF_in_kernel : hcf_u64(w) & 0x1ff;
    if (hcf_chance(w, 30)) {
        for (unsigned int i = 0; i < sizeof(ctx->fpu_ctxt) / 8; i++)
            ((uint64_t *)ctx->fpu_ctxt)[i] = hcf_chance(w, 80) ? 0 : hcf_u64(w);
        /* MXCSR at byte 24: an unsanitised image is a known open bug. */
        if (hcf_avoid(HCF_AVOID_FXSAVE))
            *(uint32_t *)(ctx->fpu_ctxt + 24) = 0x1f80;
    }
    ctx->user_regs.rip = hcf_code_va(w, (uint64_t)hcf_spare_loop, 0);
    ctx->user_regs.rsp = hcf_spare_stack_top(vcpu);
    ctx->user_regs.cs = hcf_selector(w);
    ctx->user_regs.ss = hcf_selector(w);
    ctx->user_regs.ds = hcf_selector(w);
    ctx->user_regs.es = hcf_selector(w);
    ctx->user_regs.fs = hcf_selector(w);
    ctx->user_regs.gs = hcf_selector(w);
    /* No TF: a single step would need a handler; IOPL, NT, AC, VM, RF, ID may be tried. */
    ctx->user_regs.rflags = 0x200 | (hcf_chance(w, 70) ? 0 : hcf_u64(w) & 0x3f78d5);
    /* Exceptions of a spare vCPU land in the framework (which sends it back to its
     * loop); a handler address for a vector nothing raises may be anything. */
    for (unsigned int v = 0; v < 20; v++)
        ctx->trap_ctxt[v] = (struct lam_trap_info){(uint8_t)v, 0, LAM_FLAT_KERNEL_CS, 0,
                                                   (uint64_t)lam_trap_entry_0};
    ctx->trap_ctxt[20] =
        (struct lam_trap_info){(uint8_t)(0x80 + hcf_below(w, 0x80)), (uint8_t)hcf_u64(w),
                               hcf_selector(w), 0, hcf_code_va(w, (uint64_t)lam_trap_entry_0, 1)};
    if (hcf_avoid(HCF_AVOID_IRET_CTX)) {
        ctx->user_regs.rip = (uint64_t)hcf_spare_loop;
        ctx->user_regs.cs = LAM_FLAT_KERNEL_CS;
        ctx->user_regs.ss = LAM_FLAT_KERNEL_SS;
    }
    ctx->ldt_base = hcf_chance(w, 80) ? 0 : hcf_va(w);
    ctx->ldt_ents = hcf_chance(w, 80) ? 0 : hcf_int(w);
    unsigned int nframes = (unsigned int)hcf_below(w, 3);
    for (unsigned int i = 0; i < nframes; i++)
        ctx->gdt_frames[i] = hcf_frame(w, FRM_ALL, NULL);
    ctx->gdt_ents = hcf_chance(w, 70) ? nframes * 512 : hcf_int(w);
    ctx->kernel_ss = hcf_selector(w);
    ctx->kernel_sp = ctx->user_regs.rsp;
    ctx->ctrlreg[3] = (hcf_chance(w, 60) ? hcf_env.live_l4_mfn
                                         : hcf_frame(w,
                                                     FRM(FR_LIVEPT) | FRM(FR_PROT) | FRM(FR_NONE) |
                                                         FRM(FR_LOW) | FRM(FR_SCRATCH),
                                                     NULL))
                      << LAM_PAGE_SHIFT;
    if (hcf_chance(w, 10))
        ctx->ctrlreg[3] = hcf_u64(w);
    ctx->ctrlreg[1] = hcf_chance(w, 80) ? 0 : hcf_frame(w, FRM_ALL, NULL) << LAM_PAGE_SHIFT;
    if (hcf_chance(w, 20))
        ctx->ctrlreg[4] = hcf_u64(w);
    for (unsigned int i = 0; i < 8; i++)
        ctx->debugreg[i] = hcf_chance(w, 85) ? 0 : hcf_int(w);
    if (hcf_avoid(HCF_AVOID_DB_WATCH))
        ctx->debugreg[7] &= ~0xffULL;
    ctx->event_callback_eip = hcf_code_va(w, (uint64_t)lam_event_entry, 0);
    ctx->failsafe_callback_eip = hcf_code_va(w, (uint64_t)lam_failsafe_entry, 0);
    ctx->syscall_callback_eip = hcf_code_va(w, (uint64_t)lam_syscall_entry, 1);
    ctx->vm_assist = hcf_chance(w, 80) ? 0 : hcf_u64(w);
    uint64_t bases[3] = {hcf_int(w), hcf_int(w), hcf_int(w)};
    for (unsigned int i = 0; i < 3; i++)
        if (hcf_avoid(HCF_AVOID_SEGBASE) && hcf_noncanonical(bases[i]))
            bases[i] = 0;
    ctx->fs_base = bases[0];
    ctx->gs_base_kernel = bases[1];
    ctx->gs_base_user = bases[2];
}

void hcf_gen_vcpu_op(struct hcf_worker *w, struct hcf_call *c)
{
    uint32_t cmd = (uint32_t)hcf_below(w, 17);
    if (hcf_chance(w, 3))
        cmd = (uint32_t)hcf_int(w);
    uint32_t vcpu = hcf_vcpu(w);
    uint64_t ptr = 0;
    hcf_note(w, " cmd %u vcpu %u", cmd, vcpu);
    switch (cmd) {
    case LAM_VCPUOP_initialise: {
        struct lam_vcpu_guest_context *ctx = hcf_alloc(w, sizeof(*ctx), 16);
        fill_context(w, ctx, vcpu);
        ptr = hcf_ptr(w, ctx, sizeof(*ctx), HCF_EXACT);
        break;
    }
    case LAM_VCPUOP_down:
        if (vcpu == 0)
            cmd = LAM_VCPUOP_is_up; /* vCPU 0 supervises the others */
        ptr = hcf_int(w);
        break;
    case LAM_VCPUOP_get_runstate_info: {
        void *info = hcf_alloc(w, sizeof(struct lam_vcpu_runstate_info), 8);
        ptr = hcf_ptr(w, info, sizeof(struct lam_vcpu_runstate_info), 1);
        break;
    }
    case LAM_VCPUOP_register_runstate_memory_area:
    case LAM_VCPUOP_register_vcpu_time_memory_area:
    case LAM_VCPUOP_register_runstate_phys_area:
    case LAM_VCPUOP_register_vcpu_time_phys_area: {
        uint64_t *a = hcf_alloc(w, 8, 8);
        *a = cmd >= LAM_VCPUOP_register_runstate_phys_area
                 ? (hcf_frame(w, FRM_WRITABLE_OK, NULL) << LAM_PAGE_SHIFT) + hcf_below(w, 4096)
                 : area_va(w);
        ptr = hcf_ptr(w, a, 8, 0);
        break;
    }
    case LAM_VCPUOP_set_periodic_timer: {
        static const uint64_t periods[] = {
            0, 1, 999999, 1000000, 10000000, 1000000000, 0x7fffffffffffffffULL, ~0ULL};
        uint64_t *p = hcf_alloc(w, 8, 8);
        *p = HCF_PICK(w, periods);
        if (hcf_avoid(HCF_AVOID_TIMER_WRAP) && *p > 1000000000ULL)
            *p = 1000000000ULL;
        ptr = hcf_ptr(w, p, 8, HCF_EXACT);
        if (hcf_avoid(HCF_AVOID_TIMER_WRAP) && ptr != (uint64_t)p)
            ptr = 0; /* the all-ones page would be a period of 2^64 - 1 ns */
        break;
    }
    case LAM_VCPUOP_set_singleshot_timer: {
        struct lam_vcpu_set_singleshot_timer *t = hcf_alloc(w, sizeof(*t), 8);
        t->timeout_abs_ns = hcf_time(w, 0);
        t->flags = (uint32_t)(hcf_chance(w, 80) ? hcf_below(w, 2) : hcf_int(w));
        ptr = hcf_ptr(w, t, sizeof(*t), 0);
        break;
    }
    case LAM_VCPUOP_register_vcpu_info: {
        static const uint32_t offs[] = {0, 64, 128, 4032, 4033, 4088, 4095, 4096, 0xffffffff};
        struct lam_vcpu_register_vcpu_info *r = hcf_alloc(w, sizeof(*r), 8);
        /* A page we can read (so the worker still finds its event flags there), or one
         * that must be refused; not a frame no page of ours maps. */
        uint64_t scratch = mm_va_to_mfn(hcf_env.scratch_va[hcf_below(w, HCF_SCRATCH)]);
        uint64_t other = hcf_frame(w,
                                   FRM(FR_LIVEPT) | FRM(FR_TABLE) | FRM(FR_LOW) | FRM(FR_NONE) |
                                       FRM(FR_MMIO) | FRM(FR_M2P),
                                   NULL);
        r->mfn = hcf_chance(w, 60) ? scratch : other;
        r->offset = HCF_PICK(w, offs);
        r->rsvd = hcf_chance(w, 90) ? 0 : (uint32_t)hcf_u64(w);
        ptr = hcf_ptr(w, r, sizeof(*r), HCF_EXACT);
        break;
    }
    case LAM_VCPUOP_get_physid: {
        void *id = hcf_alloc(w, 8, 8);
        ptr = hcf_ptr(w, id, 8, 1);
        break;
    }
    case LAM_VCPUOP_send_nmi:
        /* Only to ourselves or a spare: an NMI on a worker that is in the middle of an iret
         * with a bad stack would be delivered on it (a guest crash, not a host one). */
        if (vcpu < hcf_env.workers && vcpu != w->id)
            vcpu = w->id;
        ptr = hcf_int(w);
        break;
    default: /* up, is_up, stop timers, unknown: the argument is ignored or junk */
        ptr = hcf_chance(w, 50) ? 0 : hcf_int(w);
        break;
    }
    c->nr = LAM_HYPERCALL_VCPU_OP;
    c->a[0] = cmd;
    c->a[1] = vcpu;
    c->a[2] = ptr;
}
