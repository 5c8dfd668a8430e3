/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Secondary CPU bring-up.
 *
 * The boot CPU finds the others in the ACPI MADT and starts them one at a
 * time with INIT, then STARTUP (twice if needed: the classic sequence), into
 * the real-mode trampoline (boot/trampoline.S) copied to low memory. Each new
 * CPU arrives in start_secondary() on its own stack, whose top already holds
 * its struct cpu_info, loads its descriptor tables, SYSCALL MSRs and local
 * APIC, says it is alive and enters the scheduler's idle loop. A CPU that
 * does not answer in time is logged and left out.
 */
#include <asm/acpi.h>
#include <hv/console.h>
#include <asm/cpu.h>
#include <hv/lib.h>
#include <asm/mm.h>
#include <hv/sched.h>
#include <asm/smp.h>
#include <asm/time.h>
#include <asm/traps.h>
#include <asm/x86.h>
#include <asm/entry.h>
#include <hv/timer.h>

#define TRAMPOLINE_PHYS 0x8000      /* as in boot/trampoline.S; the low 1 MiB is never allocated */
#define AP_ANSWER_US    2000000     /* emulated CPUs (QEMU TCG) can be slow to start */
#define ICR_INIT        0x00004500u /* INIT, level assert */
#define ICR_STARTUP     0x00004600u /* STARTUP; low byte = start page */

struct trampoline_params {
    uint64_t cr3, efer, rsp, entry;
};

volatile cpumask_t cpu_online_mask;
unsigned int nr_cpus_online = 1;
struct cpu_info *cpu_info_of[NR_CPUS];
unsigned int opt_maxcpus;

static volatile bool ap_alive;

static _Noreturn void start_secondary(void)
{
    struct cpu_info *ci = get_cpu_info();

    cpu_init_secondary();
    cpu_load_tables(ci);
    debug_ist_selftest();
    apic_init_secondary();
    timers_init_cpu(false);
    __atomic_or_fetch(&cpu_online_mask, cpumask_of(ci->cpu_id), __ATOMIC_SEQ_CST);
    __atomic_store_n(&ap_alive, true, __ATOMIC_RELEASE);
    sched_idle_loop();
}

static bool start_one(unsigned int cpu, uint32_t apic_id)
{
    char *stack = pages_zalloc(STACK_ORDER);
    if (!stack) {
        log_printf(LOG_ERR, "smp: no memory for CPU %u's stack", cpu);
        return false;
    }
    struct cpu_info *ci = (struct cpu_info *)(stack + STACK_SIZE - sizeof(struct cpu_info));
    ci->cpu_id = cpu;
    ci->apic_id = apic_id;
    cpu_info_of[cpu] = ci;

    struct trampoline_params *tp =
        __va(TRAMPOLINE_PHYS + ((uintptr_t)trampoline_params - (uintptr_t)trampoline_start));
    tp->cr3 = sym_phys(boot_l4);
    tp->efer = rdmsr(MSR_EFER);
    tp->rsp = (uint64_t)ci;
    tp->entry = (uint64_t)start_secondary;
    __atomic_store_n(&ap_alive, false, __ATOMIC_SEQ_CST);

    apic_send_ipi(apic_id, ICR_INIT);
    udelay(10000);
    for (int attempt = 0; attempt < 2 && !ap_alive; attempt++) {
        apic_send_ipi(apic_id, ICR_STARTUP | (TRAMPOLINE_PHYS >> 12));
        for (unsigned int us = 0; us < AP_ANSWER_US / 2 && !ap_alive; us += 100)
            udelay(100);
    }
    if (!__atomic_load_n(&ap_alive, __ATOMIC_ACQUIRE)) {
        log_printf(LOG_WARN, "smp: CPU %u (APIC id %u) did not answer; skipped", cpu, apic_id);
        cpu_info_of[cpu] = NULL; /* its stack stays allocated: it might still wake up */
        return false;
    }
    printk("smp: CPU %u up (APIC id %u)", cpu, apic_id);
    return true;
}

void smp_boot_secondaries(void)
{
    struct cpu_info *bsp = get_cpu_info();
    uint32_t ids[NR_CPUS];

    bsp->apic_id = apic_id_read();
    cpu_info_of[0] = bsp;
    cpu_online_mask = cpumask_of(0);

    unsigned int found = acpi_find_cpus(ids, NR_CPUS);
    unsigned int want = opt_maxcpus ? opt_maxcpus : NR_CPUS;
    if (found > 1 && want > 1)
        memcpy(__va(TRAMPOLINE_PHYS), trampoline_start,
               (uintptr_t)trampoline_end - (uintptr_t)trampoline_start);
    unsigned int next = 1;
    for (unsigned int i = 0; i < found && next < want && next < NR_CPUS; i++) {
        if (ids[i] == bsp->apic_id)
            continue;
        if (start_one(next, ids[i]))
            next++;
    }
    nr_cpus_online = next;
    printk("smp: %u CPU(s) online (%u listed by ACPI%s)", next, found ? found : 1,
           opt_maxcpus ? ", maxcpus set" : "");
}
