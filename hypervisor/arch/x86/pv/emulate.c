/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Emulation of instructions a PV guest cannot execute itself in ring 3.
 *
 * CPUID: a PV guest asks for the hypervisor's view with the forced-emulation
 * prefix "ud2; .ascii \"xen\"; cpuid", which raises #UD; we answer with the
 * host's leaves filtered for a PV guest, plus the hypervisor leaves at
 * 0x40000000 (the same signature and layout as Xen, so unmodified Linux
 * recognises us).
 *
 * Privileged instructions (#GP in guest kernel mode): RDMSR/WRMSR of the few
 * MSRs a PV kernel owns; anything else is bounced as #GP to the guest.
 */
#include <asm/traps.h>
#include <asm/pv/descriptor.h>
#include <asm/guest_access.h>
#include <hv/lib.h>
#include <asm/time.h>
#include <hv/version.h>
#include <asm/x86.h>
#include <lamina/cpuid.h>
#include <asm/xsave.h>

/* Leaf 1 ECX/EDX bits a PV guest must not see: it cannot use them from ring 3. */
#define CPUID1_ECX_HIDE                                                                            \
    (CPUID1_ECX_MONITOR | CPUID1_ECX_VMX | CPUID1_ECX_SMX | CPUID1_ECX_EST | CPUID1_ECX_TM2 |      \
     CPUID1_ECX_PDCM | CPUID1_ECX_DCA | CPUID1_ECX_X2APIC | CPUID1_ECX_TSC_DEADLINE)
#define CPUID1_EDX_HIDE                                                                            \
    (CPUID1_EDX_PSE | CPUID1_EDX_MCE | CPUID1_EDX_MTRR | CPUID1_EDX_MCA | CPUID1_EDX_PSE36 |       \
     CPUID1_EDX_DS | CPUID1_EDX_ACPI | CPUID1_EDX_TM | CPUID1_EDX_APIC)

/* XSAVE for guests (context.c). */

/* Size of the standard-format XSAVE area for the components in mask (x87, SSE, AVX). */
static uint32_t xsave_size(uint64_t mask)
{
    return XSAVE_AREA_BASE_SIZE + ((mask & XSTATE_YMM) ? XSAVE_YMM_SIZE : 0);
}

void pv_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t res[CPUID_NR_REGS])
{
    if (leaf >= LAM_CPUID_BASE && leaf < LAM_CPUID_BASE + 0x10000) {
        memset(res, 0, CPUID_NR_REGS * sizeof(uint32_t));
        switch (leaf - LAM_CPUID_BASE) {
        case LAM_CPUID_LEAF_SIGNATURE:
            res[CPUID_EAX] = LAMINA_CPUID_MAX_LEAF;
            res[CPUID_EBX] = LAM_CPUID_SIGNATURE_EBX;
            res[CPUID_ECX] = LAM_CPUID_SIGNATURE_ECX;
            res[CPUID_EDX] = LAM_CPUID_SIGNATURE_EDX;
            break;
        case LAM_CPUID_LEAF_VERSION:
            res[CPUID_EAX] = (LAMINA_ABI_MAJOR << 16) | LAMINA_ABI_MINOR;
            break;
        case LAM_CPUID_LEAF_HYPERCALL:
            res[CPUID_EAX] = 1;                       /* one hypercall page */
            res[CPUID_EBX] = LAM_CPUID_HYPERCALL_MSR; /* HVM only; reported as Xen does */
            break;
        case LAM_CPUID_LEAF_TIME:
            if (subleaf == 0) {
                res[CPUID_ECX] = (uint32_t)tsc_khz(); /* guest TSC kHz */
            } else if (subleaf == 1) {
                uint32_t mul;
                int8_t shift;
                time_pvclock_params(&mul, &shift);
                res[CPUID_ECX] = mul;
                res[CPUID_EDX] = (uint32_t)(int32_t)shift;
            } else if (subleaf == 2) {
                res[CPUID_ECX] = (uint32_t)tsc_khz();
            }
            break;
        default:
            break; /* 4 (HVM features) and 5 stay zero: no HVM callback vector */
        }
        return;
    }
    cpuid_count(leaf, subleaf, &res[CPUID_EAX], &res[CPUID_EBX], &res[CPUID_ECX], &res[CPUID_EDX]);
    switch (leaf) {
    case CPUID_LEAF_FEATURES:
        res[CPUID_ECX] = (res[CPUID_ECX] & ~CPUID1_ECX_HIDE) | CPUID1_ECX_HYPERVISOR;
        res[CPUID_EDX] &= ~CPUID1_EDX_HIDE;
        /* XSAVE (x87, SSE, AVX) when the CPU has it; OSXSAVE is shown with it, as Xen 4.17
         * does for PV guests (the guest still sets its CR4.OSXSAVE before XSETBV). The CPU
         * gets XSAVE switched on now, so the guest's XGETBV works from here on. */
        res[CPUID_ECX] &= ~(CPUID1_ECX_XSAVE | CPUID1_ECX_OSXSAVE);
        if (xsave_guest_mask()) {
            res[CPUID_ECX] |= CPUID1_ECX_XSAVE | CPUID1_ECX_OSXSAVE;
            xsave_host_enable();
        }
        break;
    case CPUID_LEAF_EXT_FEATURES:
        if (subleaf == 0) {
            res[CPUID_EBX] &=
                ~(CPUID7_EBX_SMEP | CPUID7_EBX_SMAP | CPUID7_EBX_FSGSBASE | CPUID7_EBX_INVPCID);
            res[CPUID_ECX] &= ~CPUID7_ECX_LA57;
        }
        break;
    case CPUID_LEAF_XSTATE: {
        uint64_t mask = xsave_guest_mask();
        const struct vcpu *v = current;
        if (subleaf == 0 && mask) {
            res[CPUID_EAX] = (uint32_t)mask;
            res[CPUID_EDX] = 0;
            res[CPUID_EBX] = xsave_size(v->xcr0 ? v->xcr0 : XSTATE_FP_SSE);
            res[CPUID_ECX] = xsave_size(mask);
        } else if (!(subleaf == XSTATE_YMM_BIT && (mask & XSTATE_YMM))) {
            /* AVX keeps the host's offset and size; no XSAVEOPT/XSAVEC/XSAVES, nothing else */
            memset(res, 0, CPUID_NR_REGS * sizeof(uint32_t));
        }
        break;
    }
    case CPUID_LEAF_EXT_INFO:
        res[CPUID_EDX] &= ~CPUID_EXT_EDX_RDTSCP; /* TSC_AUX is not context switched */
        break;
    default:
        break;
    }
}

bool pv_emulate_forced_cpuid(struct cpu_regs *regs)
{
    static const uint8_t prefix[LAM_FORCED_CPUID_LEN] = {LAM_FORCED_EMUL_PREFIX_BYTES, 0x0f, 0xa2};
    uint8_t insn[LAM_FORCED_CPUID_LEN];
    uint32_t res[CPUID_NR_REGS];

    if (copy_from_guest(insn, regs->rip, sizeof(insn)) || memcmp(insn, prefix, sizeof(insn)))
        return false;
    pv_cpuid((uint32_t)regs->rax, (uint32_t)regs->rcx, res);
    regs->rax = res[CPUID_EAX];
    regs->rbx = res[CPUID_EBX];
    regs->rcx = res[CPUID_ECX];
    regs->rdx = res[CPUID_EDX];
    regs->rip += sizeof(insn);
    return true;
}

#define PAT_DEFAULT 0x0000050100070406ull /* the PAT value the PV ABI promises */

static bool emulate_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    switch (msr) {
    case MSR_FS_BASE:
        *val = v->fs_base;
        return true;
    case MSR_GS_BASE:
        *val = v->kernel_mode ? v->gs_base_kernel : v->gs_base_user;
        return true;
    case MSR_KERNEL_GS_BASE:
        *val = v->kernel_mode ? v->gs_base_user : v->gs_base_kernel;
        return true;
    case MSR_PAT:
        *val = PAT_DEFAULT;
        return true;
    case MSR_EFER:
        *val = rdmsr(MSR_EFER) & (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE);
        return true;
    default:
        return false;
    }
}

static bool emulate_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val)
{
    /* Segment bases must be canonical (WRMSR would fault in the hypervisor): #GP, as Xen. */
    if ((msr == MSR_FS_BASE || msr == MSR_GS_BASE || msr == MSR_KERNEL_GS_BASE) &&
        !is_canonical_address(val))
        return false;
    switch (msr) {
    case MSR_FS_BASE:
        v->fs_base = val;
        wrmsr(MSR_FS_BASE, val);
        return true;
    case MSR_GS_BASE:
        if (v->kernel_mode)
            v->gs_base_kernel = val;
        else
            v->gs_base_user = val;
        wrmsr(MSR_GS_BASE, val);
        return true;
    case MSR_KERNEL_GS_BASE:
        if (v->kernel_mode)
            v->gs_base_user = val;
        else
            v->gs_base_kernel = val;
        return true;
    case MSR_PAT:
        return val == PAT_DEFAULT; /* accepted only unchanged, as on Xen */
    default:
        return false;
    }
}

/* General-purpose register by its encoding number (REX extended). */
static uint64_t *gpr(struct cpu_regs *r, unsigned int n)
{
    uint64_t *const map[16] = {&r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp,
                               &r->rsi, &r->rdi, &r->r8,  &r->r9,  &r->r10, &r->r11,
                               &r->r12, &r->r13, &r->r14, &r->r15};
    return map[n & 15];
}

/* What the guest sees in CR4: the basics a 64-bit kernel expects, none of our extras. */
#define GUEST_CR4_VISIBLE (CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT)

static bool emulate_mov_cr(struct vcpu *v, struct cpu_regs *regs, const uint8_t *insn,
                           unsigned int rex)
{
    uint8_t modrm = insn[2];
    if ((modrm >> 6) != 3)
        return false;
    unsigned int cr = ((modrm >> 3) & 7) | ((rex & 4) ? 8 : 0);
    uint64_t *reg = gpr(regs, (modrm & 7) | ((rex & 1) ? 8 : 0));
    if (insn[1] == 0x20) { /* MOV from CRn */
        switch (cr) {
        case 0:
            *reg = (read_cr0() & ~CR0_TS) | (v->fpu_ts ? CR0_TS : 0);
            return true;
        case 2:
            *reg = v->vcpu_info->arch.cr2;
            return true;
        case 3:
            *reg = v->kernel_mode ? v->guest_table : v->guest_table_user;
            return true;
        case 4:
            *reg = (read_cr4() & GUEST_CR4_VISIBLE) | (v->guest_cr4_osxsave ? CR4_OSXSAVE : 0);
            return true;
        default:
            return false;
        }
    }
    switch (cr) { /* MOV to CRn */
    case 0:
        /* Only TS may change; the rest is ours. */
        if ((*reg ^ read_cr0()) & ~CR0_TS)
            return false;
        v->fpu_ts = (*reg & CR0_TS) != 0;
        write_cr0(v->fpu_ts ? read_cr0() | CR0_TS : read_cr0() & ~CR0_TS);
        return true;
    case 4:
        /* Linux rewrites CR4 with bits toggled it believes it owns: accept and ignore, but
         * for OSXSAVE, which allows XSETBV when XSAVE is offered. */
        v->guest_cr4_osxsave = (*reg & CR4_OSXSAVE) && xsave_guest_mask();
        return true;
    default:
        return false;
    }
}

/* Port I/O with the virtual IOPL: a guest kernel with IOPL >= 1 may do it; ports it
 * does not own read as all-ones and ignore writes. No domain owns real ports yet. */
static bool emulate_port_io(struct vcpu *v, struct cpu_regs *regs, const uint8_t *insn,
                            unsigned int len, bool opsize16)
{
    if (v->iopl < 1)
        return false;
    uint8_t op = insn[0];
    unsigned int size = (op & 1) ? (opsize16 ? 2 : 4) : 1;
    bool in = op == 0xe4 || op == 0xe5 || op == 0xec || op == 0xed;
    bool out = op == 0xe6 || op == 0xe7 || op == 0xee || op == 0xef;
    if (!in && !out)
        return false;
    unsigned int ilen = (op <= 0xe7) ? 2 : 1;
    if (in) {
        uint64_t ones = size == 4 ? 0xffffffffull : size == 2 ? 0xffffull : 0xffull;
        if (size == 4)
            regs->rax = ones; /* 32-bit results zero-extend */
        else
            regs->rax = (regs->rax & ~ones) | ones;
    }
    regs->rip += len + ilen;
    return true;
}

/*
 * XSETBV as Xen emulates it for a PV kernel: #UD unless the guest set CR4.OSXSAVE; #GP for
 * any XCR but XCR0 and for an XCR0 without x87, with AVX but not SSE, or with bits not
 * offered.
 */
static bool emulate_xsetbv(struct vcpu *v, struct cpu_regs *regs, unsigned int len)
{
    if (len)
        return false;
    if (!v->guest_cr4_osxsave) {
        pv_inject_exception(v, X86_EXC_UD, false, 0);
        return true;
    }
    uint64_t val = ((regs->rdx & 0xffffffffull) << 32) | (regs->rax & 0xffffffffull);
    if ((uint32_t)regs->rcx != 0 || !(val & XSTATE_FP) ||
        ((val & XSTATE_YMM) && !(val & XSTATE_SSE)) || (val & ~xsave_guest_mask()))
        return false;
    xsave_set_guest_xcr0(v, val);
    regs->rip += 3;
    return true;
}

bool pv_emulate_privileged(struct cpu_regs *regs)
{
    struct vcpu *v = current;
    uint8_t insn[4];
    unsigned int len = 0, rex = 0;
    bool opsize16 = false;

    if (!v->kernel_mode || regs->error_code != 0 || !pv_code_selector_usable((uint16_t)regs->cs))
        return false;
    if (copy_from_guest(insn, regs->rip, 1))
        return false;
    /* One operand-size prefix and/or one REX prefix are enough for what kernels issue. */
    while (len < 2 && (insn[0] == 0x66 || (insn[0] & 0xf0) == 0x40)) {
        if (insn[0] == 0x66)
            opsize16 = true;
        else
            rex = insn[0];
        len++;
        if (copy_from_guest(insn, regs->rip + len, 1))
            return false;
    }
    if (copy_from_guest(insn, regs->rip + len, sizeof(insn)) &&
        copy_from_guest(insn, regs->rip + len, 2))
        return false;
    if ((insn[0] == 0xfa || insn[0] == 0xfb) && v->iopl >= 1) {
        /* CLI/STI with the virtual IOPL: they switch the virtual interrupt flag, i.e.
         * the event mask, as on Xen. A later STI lets pending events in on exit. */
        v->vcpu_info->evtchn_upcall_mask = insn[0] == 0xfa;
        regs->rip += len + 1;
        return true;
    }
    if (insn[0] != 0x0f) {
        return emulate_port_io(v, regs, insn, len, opsize16);
    }
    if (insn[1] == 0x20 || insn[1] == 0x22) {
        if (!emulate_mov_cr(v, regs, insn, rex))
            return false;
        regs->rip += len + 3;
        return true;
    }
    if (insn[1] == 0x01 && insn[2] == 0xd1) /* XSETBV */
        return emulate_xsetbv(v, regs, len);
    if (insn[1] == 0x09) { /* WBINVD: the guest's own memory is coherent; nothing to do */
        regs->rip += len + 2;
        return true;
    }
    if (len)
        return false;
    uint32_t msr = (uint32_t)regs->rcx;
    if (insn[1] == 0x32) { /* RDMSR */
        uint64_t val;
        if (!emulate_rdmsr(v, msr, &val))
            return false;
        regs->rax = (uint32_t)val;
        regs->rdx = val >> 32;
        regs->rip += 2;
        return true;
    }
    if (insn[1] == 0x30) { /* WRMSR */
        uint64_t val = ((regs->rdx & 0xffffffffull) << 32) | (regs->rax & 0xffffffffull);
        if (!emulate_wrmsr(v, msr, val))
            return false;
        regs->rip += 2;
        return true;
    }
    return false;
}
