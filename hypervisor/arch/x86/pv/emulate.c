/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Emulation of instructions a PV guest cannot execute itself in ring 3.
 *
 * CPUID: a PV guest asks for the hypervisor's view with the forced-emulation
 * prefix "ud2; .ascii \"xen\"; cpuid", which raises #UD; the answer is the PV
 * CPUID policy (pv/cpuid.c).
 *
 * Privileged instructions (#GP in guest kernel mode): RDMSR/WRMSR of the MSRs
 * pv/msr.c offers, MOV to/from CR0/CR2/CR3/CR4 (MOV to CR3: a new kernel page table),
 * XSETBV, WBINVD, CLTS, CLI/STI and port I/O with the virtual IOPL, each with any
 * redundant prefixes up to 15 bytes; anything else is bounced as #GP to the guest.
 */
#include <asm/traps.h>
#include <asm/pv/descriptor.h>
#include <asm/guest_access.h>
#include <hv/lib.h>
#include <asm/time.h>
#include <hv/version.h>
#include <asm/x86.h>
#include <lamina/cpuid.h>
#include <asm/pv/cpuid.h>
#include <asm/xsave.h>
#include <asm/pv/mm.h>
#include <asm/pv/ioport.h>
#include <asm/x86_emulate.h>
#include <hv/errcodes.h>

bool pv_emulate_forced_cpuid(struct cpu_regs *regs)
{
    static const uint8_t prefix[LAM_FORCED_CPUID_LEN] = {LAM_FORCED_EMUL_PREFIX_BYTES, 0x0f, 0xa2};
    uint8_t insn[LAM_FORCED_CPUID_LEN];
    uint32_t res[CPUID_NR_REGS];

    if (copy_from_guest(insn, regs->rip, sizeof(insn)) || memcmp(insn, prefix, sizeof(insn)))
        return false;
    pv_cpuid(current, (uint32_t)regs->rax, (uint32_t)regs->rcx, res);
    /* Leaf 1 shows OSXSAVE with XSAVE: the guest may use XGETBV from now on. */
    if ((uint32_t)regs->rax == CPUID_LEAF_FEATURES && (res[CPUID_ECX] & CPUID1_ECX_XSAVE))
        xsave_host_enable();
    regs->rax = res[CPUID_EAX];
    regs->rbx = res[CPUID_EBX];
    regs->rcx = res[CPUID_ECX];
    regs->rdx = res[CPUID_EDX];
    regs->rip += sizeof(insn);
    return true;
}

/* General-purpose register by its encoding number (REX extended). */
static uint64_t *gpr(struct cpu_regs *r, unsigned int n)
{
    uint64_t *const map[16] = {&r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp,
                               &r->rsi, &r->rdi, &r->r8,  &r->r9,  &r->r10, &r->r11,
                               &r->r12, &r->r13, &r->r14, &r->r15};
    return map[n & 15];
}

/* What the guest sees in CR4: the basics a 64-bit kernel expects, none of our extras, and
 * the bits it controls: OSXSAVE (XSETBV allowed) and FSGSBASE (when CPUID shows it). */
#define GUEST_CR4_VISIBLE (CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT)

/* MOV to/from a control register: 0 done, 1 to be run again, -1 #GP. */
static int emulate_mov_cr(struct vcpu *v, struct cpu_regs *regs, const uint8_t *insn,
                          unsigned int rex)
{
    /* ModRM.mod is ignored: the CPU takes every MOV CR as the register form. */
    uint8_t modrm = insn[2];
    unsigned int cr = ((modrm >> 3) & 7) | ((rex & 4) ? 8 : 0);
    uint64_t *reg = gpr(regs, (modrm & 7) | ((rex & 1) ? 8 : 0));
    if (insn[1] == 0x20) { /* MOV from CRn */
        switch (cr) {
        case 0:
            *reg = (read_cr0() & ~CR0_TS) | (v->fpu_ts ? CR0_TS : 0);
            return 0;
        case 2:
            *reg = v->vcpu_info->arch.cr2;
            return 0;
        case 3:
            *reg = v->kernel_mode ? v->guest_table : v->guest_table_user;
            return 0;
        case 4:
            *reg = (read_cr4() & GUEST_CR4_VISIBLE) | (v->guest_cr4_osxsave ? CR4_OSXSAVE : 0) |
                   (v->guest_cr4_fsgsbase ? CR4_FSGSBASE : 0);
            return 0;
        default:
            return -1;
        }
    }
    switch (cr) { /* MOV to CRn */
    case 0:
        /* Only TS may change; the rest is ours. */
        if ((*reg ^ read_cr0()) & ~CR0_TS)
            return -1;
        v->fpu_ts = (*reg & CR0_TS) != 0;
        write_cr0(v->fpu_ts ? read_cr0() | CR0_TS : read_cr0() & ~CR0_TS);
        return 0;
    case 3:
        /* A new kernel page table, as MMUEXT_NEW_BASEPTR (Xen emulates it). */
        switch (pv_write_cr3(v, *reg)) {
        case 0:
            return 0;
        case -ERESTART:
            return 1;
        default:
            return -1;
        }
    case 4:
        /* Linux rewrites CR4 with bits toggled it believes it owns: accept and ignore, but
         * for OSXSAVE, which allows XSETBV when XSAVE is offered, and FSGSBASE, which lets
         * the guest use {RD,WR}{FS,GS}BASE when CPUID shows them (bits not offered are
         * ignored, as Xen does). */
        v->guest_cr4_osxsave = (*reg & CR4_OSXSAVE) && xsave_guest_mask();
        pv_set_guest_fsgsbase(v, (*reg & CR4_FSGSBASE) && pv_cpuid_has_fsgsbase(v));
        return 0;
    default:
        return -1;
    }
}

/* Port I/O with the virtual IOPL: a guest kernel with IOPL >= 1 may do it; what it
 * reaches is pv/ioport.c's business (dom0's devices; all-ones for the rest). */
static bool emulate_port_io(struct vcpu *v, struct cpu_regs *regs, const uint8_t *insn,
                            size_t avail, unsigned int len, bool opsize16)
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
    if (avail < ilen)
        return false;
    unsigned int port = ilen == 2 ? insn[1] : (uint16_t)regs->rdx;
    if (in) {
        uint64_t mask = size == 4 ? 0xffffffffull : size == 2 ? 0xffffull : 0xffull;
        uint64_t val = pv_io_read(v->domain, port, size) & mask;
        if (size == 4)
            regs->rax = val; /* 32-bit results zero-extend */
        else
            regs->rax = (regs->rax & ~mask) | val;
    } else {
        pv_io_write(v->domain, port, size, (uint32_t)regs->rax);
    }
    regs->rip += len + ilen;
    return true;
}

/*
 * XSETBV as Xen emulates it for a PV kernel: #UD behind a 66, F2 or F3 prefix (the CPU
 * raises that itself first) and unless the guest set CR4.OSXSAVE; #GP for any XCR but XCR0
 * and for an XCR0 without x87, with AVX but not SSE, or with bits not offered. Other
 * prefixes (segment overrides, 67, REX) change nothing: Xen's emulator runs it with them.
 * len: the prefix bytes before 0f 01 d1.
 */
static bool emulate_xsetbv(struct vcpu *v, struct cpu_regs *regs, unsigned int len,
                           bool simd_prefix)
{
    if (!v->guest_cr4_osxsave || simd_prefix) {
        pv_inject_exception(v, X86_EXC_UD, false, 0);
        return true;
    }
    uint64_t val = ((regs->rdx & 0xffffffffull) << 32) | (regs->rax & 0xffffffffull);
    if ((uint32_t)regs->rcx != 0 || !(val & XSTATE_FP) ||
        ((val & XSTATE_YMM) && !(val & XSTATE_SSE)) || (val & ~xsave_guest_mask()))
        return false;
    xsave_set_guest_xcr0(v, val);
    regs->rip += len + 3;
    return true;
}

/*
 * Prefixes the CPU takes in any number before the instructions emulated here (segment
 * overrides, operand and address size, REP/REPNE), up to the 15-byte limit, as Xen's
 * emulator does. LOCK is refused: LOCK MOV CR0 means MOV CR8 on AMD. A REX counts only
 * right before the opcode (after it, a legacy prefix makes the CPU drop it).
 */
static bool legacy_prefix(uint8_t b)
{
    switch (b) {
    case 0x26:
    case 0x2e:
    case 0x36:
    case 0x3e:
    case 0x64:
    case 0x65:
    case 0x66:
    case 0x67:
    case 0xf2:
    case 0xf3:
        return true;
    default:
        return false;
    }
}

/* CLTS: the guest's virtual CR0.TS goes, as fpu_taskswitch(0) (Xen emulates it). */
static void emulate_clts(struct vcpu *v)
{
    v->fpu_ts = false;
    write_cr0(read_cr0() & ~CR0_TS);
}

bool pv_emulate_privileged(struct cpu_regs *regs)
{
    struct vcpu *v = current;
    uint8_t buf[X86_MAX_INSN_LEN];
    size_t n = sizeof(buf);
    unsigned int len = 0, rex = 0;
    bool opsize16 = false, rep = false;

    if (!v->kernel_mode || regs->error_code != 0 || !pv_code_selector_usable((uint16_t)regs->cs))
        return false;
    /* The bytes are read once: another vCPU may rewrite them meanwhile, and what is decoded
     * is then one consistent instruction (that the guest kernel may run itself anyway). It
     * may end before a page the guest has not mapped: shrink until readable. */
    while (n && copy_from_guest(buf, regs->rip, n))
        n--;
    while (len < n && (legacy_prefix(buf[len]) || (buf[len] & 0xf0) == 0x40)) {
        if (legacy_prefix(buf[len])) {
            opsize16 |= buf[len] == 0x66;
            rep |= buf[len] == 0xf2 || buf[len] == 0xf3;
            rex = 0;
        } else {
            rex = buf[len];
        }
        len++;
    }
    const uint8_t *insn = buf + len;
    size_t avail = n - len; /* opcode bytes read, within the 15-byte limit */
    if (!avail)
        return false;
    if ((insn[0] == 0xfa || insn[0] == 0xfb) && v->iopl >= 1) {
        /* CLI/STI with the virtual IOPL: they switch the virtual interrupt flag, i.e.
         * the event mask, as on Xen. A later STI lets pending events in on exit. */
        v->vcpu_info->evtchn_upcall_mask = insn[0] == 0xfa;
        regs->rip += len + 1;
        return true;
    }
    if (insn[0] != 0x0f) {
        return emulate_port_io(v, regs, insn, avail, len, opsize16);
    }
    if (avail < 2)
        return false;
    if ((insn[1] == 0x20 || insn[1] == 0x22) && avail >= 3) {
        int rc = emulate_mov_cr(v, regs, insn, rex);
        if (rc < 0)
            return false;
        if (rc == 0) /* not done yet (MOV to CR3 preempted): run it again */
            regs->rip += len + 3;
        return true;
    }
    if (insn[1] == 0x01 && avail >= 3 && insn[2] == 0xd1) /* XSETBV */
        return emulate_xsetbv(v, regs, len, opsize16 || rep);
    if (insn[1] == 0x09) { /* WBINVD: the guest's own memory is coherent; nothing to do */
        regs->rip += len + 2;
        return true;
    }
    if (insn[1] == 0x06) {
        emulate_clts(v);
        regs->rip += len + 2;
        return true;
    }
    uint32_t msr = (uint32_t)regs->rcx;
    if (insn[1] == 0x32) { /* RDMSR (prefixes, REX.W too, are ignored by the CPU) */
        uint64_t val;
        if (!pv_rdmsr(v, msr, &val))
            return false;
        regs->rax = (uint32_t)val;
        regs->rdx = val >> 32;
        regs->rip += len + 2;
        return true;
    }
    if (insn[1] == 0x30) { /* WRMSR */
        uint64_t val = ((regs->rdx & 0xffffffffull) << 32) | (regs->rax & 0xffffffffull);
        if (!pv_wrmsr(v, msr, val))
            return false;
        regs->rip += len + 2;
        return true;
    }
    return false;
}
