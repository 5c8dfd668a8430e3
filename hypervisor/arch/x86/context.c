/*
 * Switching the CPU from one guest vCPU to another, and the per-vCPU time
 * record (pvclock) and runstate area the guest reads.
 *
 * The live register frame of the running vCPU is cpu_info.guest_regs; on a
 * switch it is saved into the outgoing vcpu and the incoming one's copied
 * in, so the exit path simply returns into whichever vCPU is current. FPU
 * state is saved with FXSAVE (no XSAVE for guests yet), segment bases are
 * the hypervisor's copies (guests cannot change them behind its back: no
 * FSGSBASE, no SWAPGS in ring 3), data selectors are read back from the CPU.
 */
#include "sched.h"
#include "console.h"
#include "cpu.h"
#include "guest_access.h"
#include "lib.h"
#include "time.h"
#include "x86.h"
#include "lamina/vcpu.h"
#include "lamina/vm_assist.h"

void pv_load_guest_gdt(const struct vcpu *v);

static void fpu_save(struct vcpu *v)
{
    write_cr0(read_cr0() & ~CR0_TS);
    __asm__ volatile("fxsave64 %0" : "=m"(v->fpu_state));
}

static void fpu_restore(struct vcpu *v)
{
    write_cr0(read_cr0() & ~CR0_TS);
    if (v->fpu_initialised) {
        __asm__ volatile("fxrstor64 %0" : : "m"(v->fpu_state));
    } else {
        __asm__ volatile("fninit");
        v->fpu_initialised = true;
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
        copy_to_guest(v->runstate_guest_va + 8, &marked, sizeof(marked));
        __atomic_thread_fence(__ATOMIC_RELEASE);
    }
    copy_to_guest(v->runstate_guest_va, &info, sizeof(info));
}

static uint16_t read_sel(int which)
{
    uint16_t s = 0;
    switch (which) {
    case 0:
        __asm__ volatile("mov %%ds, %0" : "=r"(s));
        break;
    case 1:
        __asm__ volatile("mov %%es, %0" : "=r"(s));
        break;
    case 2:
        __asm__ volatile("mov %%fs, %0" : "=r"(s));
        break;
    default:
        __asm__ volatile("mov %%gs, %0" : "=r"(s));
        break;
    }
    return s;
}

/* Load a data segment register; a fault (bad selector) resumes after it via the
 * exception table, leaving the register null. */
#define LOAD_SELECTOR(seg, val)                                                                    \
    __asm__ volatile("1: mov %0, %%" seg "\n2:\n"                                                  \
                     ".pushsection __ex_table, \"a\"\n.balign 8\n.quad 1b, 2b\n.popsection"        \
                     :                                                                             \
                     : "r"((uint64_t)(val)))

/* Save the state of the vCPU loaded on this CPU back into its struct vcpu. */
void arch_context_save(struct vcpu *prev)
{
    struct cpu_info *ci = get_cpu_info();

    prev->regs = ci->guest_regs;
    for (int i = 0; i < 4; i++)
        prev->sel[i] = read_sel(i);
    fpu_save(prev);
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
    write_cr3(next->kernel_mode || !next->guest_table_user ? next->guest_table
                                                           : next->guest_table_user);
    pv_load_guest_gdt(next);
    /* Selectors first: loading FS/GS clears their bases. A bad selector faults into
     * the exception table; the guest then runs with a null one. */
    LOAD_SELECTOR("ds", next->sel[0]);
    LOAD_SELECTOR("es", next->sel[1]);
    LOAD_SELECTOR("fs", next->sel[2]);
    LOAD_SELECTOR("gs", next->sel[3]);
    wrmsr(MSR_FS_BASE, next->fs_base);
    wrmsr(MSR_GS_BASE, next->kernel_mode ? next->gs_base_kernel : next->gs_base_user);
    fpu_restore(next);
    arch_vcpu_update_time(next);
    arch_vcpu_update_runstate_area(next);
}
