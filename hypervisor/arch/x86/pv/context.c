/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Switching the CPU from one guest vCPU to another, and the per-vCPU time
 * record (pvclock) and runstate area the guest reads.
 *
 * The live register frame of the running vCPU is cpu_info.guest_regs; on a
 * switch it is saved into the outgoing vcpu and the incoming one's copied
 * in, so the exit path simply returns into whichever vCPU is current. FPU
 * state is saved with FXSAVE, or XSAVE once a guest asked for it, segment bases are
 * the hypervisor's copies, read back from the CPU first if the guest turned on
 * CR4.FSGSBASE (it may then change them itself; SWAPGS stays privileged), data
 * selectors are read back from the CPU. TSC_AUX is per vCPU.
 */
#include <hv/sched.h>
#include <hv/console.h>
#include <asm/cpu.h>
#include <asm/cpu_ident.h>
#include <asm/pv/cpuid.h>
#include <asm/debugreg.h>
#include <asm/guest_access.h>
#include <hv/lib.h>
#include <asm/time.h>
#include <asm/flushtlb.h>
#include <asm/x86.h>
#include <lamina/vcpu.h>
#include <lamina/vm_assist.h>
#include <asm/pv/descriptor.h>
#include <asm/pv/traps.h>
#include <asm/xsave.h>

/*
 * XSAVE for guests: offered when the CPU has it, for x87, SSE and AVX only (a fixed
 * 832-byte area). The CPU's CR4.OSXSAVE is switched on when a guest first asks CPUID
 * (pv/emulate.c), and from then on every switch saves and restores with XSAVE/XRSTOR
 * under each vCPU's own XCR0.
 */

static void xsetbv0(uint64_t val)
{
    __asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
    get_cpu_info()->xcr0 = val;
}

bool xsave_host_available(void)
{
    uint32_t a, b, c, d;
    cpuid(CPUID_LEAF_FEATURES, &a, &b, &c, &d);
    return (c & CPUID1_ECX_XSAVE) != 0;
}

/* XCR0 bits a guest may set. */
uint64_t xsave_guest_mask(void)
{
    if (!xsave_host_available())
        return 0;
    uint32_t a, b, c, d;
    cpuid_count(CPUID_LEAF_XSTATE, 0, &a, &b, &c, &d);
    uint64_t mask = a & XSTATE_OFFERED;
    cpuid(CPUID_LEAF_FEATURES, &a, &b, &c, &d);
    /* AVX state only with AVX itself, and not where Gather Data Sampling forbids it. */
    if (!(c & CPUID1_ECX_AVX) || host_cpu.gds_hide_avx)
        mask &= ~XSTATE_YMM;
    return mask;
}

static bool xsave_on(void)
{
    return (read_cr4() & CR4_OSXSAVE) != 0;
}

/*
 * XSAVE is switched on lazily, when a guest first asks about it (CPUID, XSETBV): under
 * QEMU TCG every CPU runs slower with CR4.OSXSAVE set (the dom0 kernel's decompression
 * 2.6 times, a null hypercall by about 60 cycles). Once one CPU has it, every CPU turns
 * it on before it next restores a vCPU's FPU state, so a state saved with XSAVE on one
 * CPU is always restored with XRSTOR on another.
 */
static bool xsave_wanted;

/* This CPU catches up with the others (XCR0 follows at the next FPU restore: the cached
 * value is 0, unknown, until then). */
static void xsave_follow(void)
{
    if (__atomic_load_n(&xsave_wanted, __ATOMIC_ACQUIRE) && !xsave_on())
        write_cr4(read_cr4() | CR4_OSXSAVE);
}

void xsave_host_enable(void)
{
    if (xsave_on() || !xsave_host_available())
        return;
    __atomic_store_n(&xsave_wanted, true, __ATOMIC_RELEASE);
    write_cr4(read_cr4() | CR4_OSXSAVE);
    xsetbv0(current->xcr0 ? current->xcr0 : XSTATE_FP_SSE);
}

static uint64_t vcpu_xcr0(const struct vcpu *v)
{
    return v->xcr0 ? v->xcr0 : XSTATE_FP_SSE;
}

/*
 * A vCPU's state is saved and restored under every component it ever had in XCR0, not
 * under its XCR0 of the moment (Xen's xcr0_accum): lowering XCR0 keeps the state of what
 * it turned off (XSAVE under the lower XCR0 would leave that component's XSTATE_BV bit
 * set in the image, and XRSTOR refuses -- #GP -- a bit outside XCR0), and a component the
 * vCPU enables for the first time starts in its initial state, not with what the previous
 * vCPU on this CPU left in the registers.
 */
static uint64_t vcpu_xcr0_accum(const struct vcpu *v)
{
    return v->xcr0_accum | vcpu_xcr0(v);
}

static void xcr0_load(uint64_t val)
{
    if (get_cpu_info()->xcr0 != val)
        xsetbv0(val);
}

/*
 * The running guest's CR0.TS is the CPU's (fpu_taskswitch, MOV to CR0): an FPU instruction
 * the hypervisor executes for it would raise #NM in ring 0, a host panic. Such code runs
 * between these two, which clear TS and put it back (as Xen's handle_xsetbv does around
 * its XRSTOR). Returns CR0 as it was.
 */
static uint64_t hv_fpu_begin(void)
{
    uint64_t cr0 = read_cr0();
    if (cr0 & CR0_TS)
        write_cr0(cr0 & ~CR0_TS);
    return cr0;
}

static void hv_fpu_end(uint64_t cr0)
{
    if (cr0 & CR0_TS)
        write_cr0(cr0);
}

/* An XSAVE image whose header says every component is in its initial state. */
static const uint8_t xsave_init_image[1024] __attribute__((aligned(64)));

/* XSETBV for the running vCPU (validated by the caller). */
void xsave_set_guest_xcr0(struct vcpu *v, uint64_t val)
{
    xsave_host_enable();
    uint64_t had = vcpu_xcr0_accum(v), fresh = val & ~had;
    if (fresh) { /* never had them: initialise them in the registers, which are its own */
        xsetbv0(had | fresh);
        uint64_t cr0 = hv_fpu_begin();
        __asm__ volatile("xrstor64 %0"
                         :
                         : "m"(xsave_init_image), "a"((uint32_t)fresh),
                           "d"((uint32_t)(fresh >> 32)));
        hv_fpu_end(cr0);
    }
    v->xcr0_accum = had | val;
    v->xcr0 = val;
    xsetbv0(val);
}

static void fpu_save(struct vcpu *v)
{
    write_cr0(read_cr0() & ~CR0_TS);
    if (xsave_on()) {
        xcr0_load(vcpu_xcr0_accum(v));
        __asm__ volatile("xsave64 %0" : "=m"(v->xsave_area) : "a"(~0u), "d"(~0u) : "memory");
        v->xsave_valid = true;
    } else {
        __asm__ volatile("fxsave64 %0" : "=m"(v->fpu_state));
        v->xsave_valid = false; /* the legacy image is the current one */
    }
    /* What it holds now is its own (a vCPU that first ran without a switch in, such as
     * dom0's vCPU 0, must get it back, not a fresh state). */
    v->fpu_initialised = true;
}

/* A vCPU's first FPU state: FNINIT's x87 defaults and MXCSR's reset value, every register
 * zero (FNINIT alone would leave the previous vCPU's XMM registers and MXCSR behind). */
static const uint8_t fpu_initial_state[512] __attribute__((aligned(16))) = {
    [0] = 0x7f,  [1] = 0x03,                            /* FCW 0x037f */
    [24] = 0x80, [25] = 0x1f,                           /* MXCSR 0x1f80 */
    [28] = 0xff, [29] = 0xff, [30] = 0x00, [31] = 0x00, /* MXCSR_MASK (ignored by FXRSTOR) */
};

#define FXSAVE_MXCSR      24 /* offsets in the FXSAVE image */
#define FXSAVE_MXCSR_MASK 28
#define MXCSR_MASK_LEGACY 0xffbfu /* what a zero MXCSR_MASK field means (no DAZ) */

/* The MXCSR bits this CPU accepts, from its own FXSAVE (read once). */
static uint32_t host_mxcsr_mask(void)
{
    static uint32_t mask;
    /* Static: the hypervisor's stack frames are only 8-byte aligned, FXSAVE needs 16. */
    static uint8_t img[512] __attribute__((aligned(16)));
    if (!mask) {
        uint64_t cr0 = hv_fpu_begin(); /* the caller's guest may have TS set */
        __asm__ volatile("fxsave64 %0" : "=m"(img));
        hv_fpu_end(cr0);
        uint32_t m;
        memcpy(&m, img + FXSAVE_MXCSR_MASK, sizeof(m));
        __atomic_store_n(&mask, m ? m : MXCSR_MASK_LEGACY, __ATOMIC_RELAXED);
    }
    return __atomic_load_n(&mask, __ATOMIC_RELAXED);
}

/*
 * Only MXCSR can make FXRSTOR fault: every other field of the 512-byte image is loaded as it
 * is or ignored, and the XSAVE header around it is built here (fpu_restore), not taken from
 * the guest. Xen masks MXCSR with the same mask when its restore faults.
 */
void fpu_sanitise_image(uint8_t image[512])
{
    uint32_t mxcsr;
    memcpy(&mxcsr, image + FXSAVE_MXCSR, sizeof(mxcsr));
    mxcsr &= host_mxcsr_mask();
    memcpy(image + FXSAVE_MXCSR, &mxcsr, sizeof(mxcsr));
}

static void fpu_restore(struct vcpu *v)
{
    write_cr0(read_cr0() & ~CR0_TS);
    xsave_follow();
    if (!v->fpu_initialised) {
        memcpy(v->fpu_state, fpu_initial_state, sizeof(v->fpu_state));
        v->fpu_initialised = true;
        v->xsave_valid = false;
    }
    if (xsave_on()) {
        xcr0_load(vcpu_xcr0_accum(v));
        if (!v->xsave_valid) { /* legacy image: x87 and SSE from it, the rest initial */
            memset(v->xsave_area, 0, sizeof(v->xsave_area));
            memcpy(v->xsave_area, v->fpu_state, sizeof(v->fpu_state));
            *(uint64_t *)(v->xsave_area + XSAVE_HDR) = XSTATE_FP_SSE;
            v->xsave_valid = true;
        }
        __asm__ volatile("xrstor64 %0" : : "m"(v->xsave_area), "a"(~0u), "d"(~0u));
        xcr0_load(vcpu_xcr0(v));
    } else {
        __asm__ volatile("fxrstor64 %0" : : "m"(v->fpu_state));
    }
    if (v->fpu_ts)
        write_cr0(read_cr0() | CR0_TS);
}

void arch_vcpu_update_time(struct vcpu *v)
{
    struct lam_vcpu_time_info *t = &v->vcpu_info->time;
    uint32_t mul;
    int8_t shift;

    time_pvclock_params(&mul, &shift);
    uint32_t version = t->version + 1; /* odd: update in progress */
    __atomic_store_n(&t->version, version | 1, __ATOMIC_RELEASE);
    uint64_t tsc = rdtsc();
    uint64_t base = time_tsc_base();
    /* system_time at tsc, computed with the very factors the guest will use. */
    uint64_t delta = tsc - base;
    delta = shift >= 0 ? delta << shift : delta >> -shift;
    t->tsc_timestamp = tsc;
    t->system_time = (uint64_t)(((unsigned __int128)delta * mul) >> 32);
    t->tsc_to_system_mul = mul;
    t->tsc_shift = shift;
    t->flags = 0;
    __atomic_store_n(&t->version, (version | 1) + 1, __ATOMIC_RELEASE);
}

void arch_vcpu_update_runstate_area(struct vcpu *v)
{
    if (!v->runstate_guest_va)
        return;
    struct lam_vcpu_runstate_info info = {
        .state = v->runstate,
        .state_entry_time = v->runstate_entry,
    };
    memcpy(info.time, v->runstate_time, sizeof(info.time));
    /* With runstate_update_flag the guest sees bit 63 set while the record changes. */
    bool flag = v->domain->vm_assist & (1ul << LAM_VMASST_TYPE_runstate_update_flag);
    if (flag) {
        uint64_t marked = info.state_entry_time | LAM_RUNSTATE_UPDATE;
        copy_to_guest(v->runstate_guest_va +
                          offsetof(struct lam_vcpu_runstate_info, state_entry_time),
                      &marked, sizeof(marked));
        __atomic_thread_fence(__ATOMIC_RELEASE);
    }
    copy_to_guest(v->runstate_guest_va, &info, sizeof(info));
}

static uint16_t read_sel(enum data_sel which)
{
    uint16_t s = 0;
    switch (which) {
    case SEL_DS:
        __asm__ volatile("mov %%ds, %0" : "=r"(s));
        break;
    case SEL_ES:
        __asm__ volatile("mov %%es, %0" : "=r"(s));
        break;
    case SEL_FS:
        __asm__ volatile("mov %%fs, %0" : "=r"(s));
        break;
    default:
        __asm__ volatile("mov %%gs, %0" : "=r"(s));
        break;
    }
    return s;
}

/* Load a data segment register; a fault (bad selector) goes through the exception table to
 * code that loads a null selector instead and sets failed. */
#define LOAD_SELECTOR(seg, val, failed)                                                            \
    do {                                                                                           \
        uint64_t sel_ = (val);                                                                     \
        __asm__ volatile("1: mov %k1, %%" seg "\n"                                                 \
                         "   jmp 3f\n"                                                             \
                         "2: xor %k1, %k1\n"                                                       \
                         "   mov %k1, %%" seg "\n"                                                 \
                         "   or $1, %0\n"                                                          \
                         "3:\n"                                                                    \
                         ".pushsection __ex_table, \"a\"\n.balign 8\n.quad 1b, 2b\n.popsection"    \
                         : "+r"(failed), "+r"(sel_));                                              \
    } while (0)

/* Save the state of the vCPU loaded on this CPU back into its struct vcpu. */
void pv_sync_segment_bases(struct vcpu *v)
{
    if (!v->guest_cr4_fsgsbase)
        return;
    v->fs_base = rdmsr(MSR_FS_BASE);
    if (v->kernel_mode)
        v->gs_base_kernel = rdmsr(MSR_GS_BASE);
    else
        v->gs_base_user = rdmsr(MSR_GS_BASE);
}

static void set_cpu_fsgsbase(bool on)
{
    uint64_t cr4 = read_cr4();
    if (((cr4 & CR4_FSGSBASE) != 0) != on)
        write_cr4(on ? cr4 | CR4_FSGSBASE : cr4 & ~CR4_FSGSBASE);
}

void pv_set_guest_fsgsbase(struct vcpu *v, bool on)
{
    pv_sync_segment_bases(v); /* before the instructions stop working */
    v->guest_cr4_fsgsbase = on && host_cpu.fsgsbase;
    set_cpu_fsgsbase(v->guest_cr4_fsgsbase);
}

void pv_load_cpu_features(const struct vcpu *v)
{
    if (host_cpu.fsgsbase)
        set_cpu_fsgsbase(v->guest_cr4_fsgsbase);
    if (host_cpu.tsc_aux)
        wrmsr(MSR_TSC_AUX, v->tsc_aux);
}

void arch_context_save(struct vcpu *prev)
{
    struct cpu_info *ci = get_cpu_info();

    pv_sync_segment_bases(prev);
    prev->regs = ci->guest_regs;
    for (enum data_sel i = SEL_DS; i < NR_DATA_SELS; i++)
        prev->sel[i] = read_sel(i);
    fpu_save(prev);
    pv_debugreg_switch_from(prev);
    arch_vcpu_update_runstate_area(prev);
}

void arch_context_switch(struct vcpu *prev, struct vcpu *next)
{
    arch_context_save(prev);
    arch_context_load(next);
}

/* Load next's saved state on this CPU; the exit path then returns into it. */
void arch_context_load(struct vcpu *next)
{
    struct cpu_info *ci = get_cpu_info();

    ci->curr_vcpu = next;
    ci->guest_regs = next->regs;
    xsave_follow(); /* the vCPU may have seen XSAVE on another CPU (XGETBV works here too) */
    switch_cr3(next->kernel_mode || !next->guest_table_user ? next->guest_table
                                                            : next->guest_table_user);
    pv_load_guest_gdt(next);
    pv_load_cpu_features(next);
    /* Selectors first: loading FS/GS clears their bases. A bad selector (say, its LDT
     * went away) faults into the exception table and is loaded null. */
    unsigned int bad_sel = 0;
    LOAD_SELECTOR("ds", next->sel[SEL_DS], bad_sel);
    LOAD_SELECTOR("es", next->sel[SEL_ES], bad_sel);
    LOAD_SELECTOR("fs", next->sel[SEL_FS], bad_sel);
    LOAD_SELECTOR("gs", next->sel[SEL_GS], bad_sel);
    wrmsr(MSR_FS_BASE, next->fs_base);
    wrmsr(MSR_GS_BASE, next->kernel_mode ? next->gs_base_kernel : next->gs_base_user);
    fpu_restore(next);
    pv_debugreg_switch_to(next);
    arch_vcpu_update_time(next);
    arch_vcpu_update_runstate_area(next);
    if (bad_sel)
        pv_failsafe_bounce(next, &ci->guest_regs, next->sel);
}
