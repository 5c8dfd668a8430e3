/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Halting and restarting the machine.
 *
 * Under QEMU, a harness wants QEMU to exit instead of waiting for a timeout:
 * we write to the isa-debug-exit device (port 0xf4; QEMU exits with status
 * (value << 1) | 1) if it is there, then try ACPI S5 on the PIIX4 and ICH9
 * power-management ports QEMU uses, then halt for good.
 */
#include <asm/reboot.h>
#include <hv/console.h>
#include <hv/domain.h>
#include <asm/pv/mm.h>
#include <asm/x86.h>
#include <asm/irqflags.h>
#include <lamina/sched.h>

#define ISA_DEBUG_EXIT_PORT 0xf4

bool opt_noreboot;

_Noreturn void machine_halt(int code)
{
    local_irq_disable();
    outl(ISA_DEBUG_EXIT_PORT, (uint32_t)code);
    outw(0x604, 0x2000);  /* QEMU i440fx/PIIX4 PM1a_CNT: SLP_EN | S5 */
    outw(0xb004, 0x2000); /* older QEMU/Bochs */
    outw(0x4004, 0x3400); /* VirtualBox */
    for (;;)
        halt();
}

_Noreturn void machine_restart(void)
{
    local_irq_disable();
    /* Pulse the reset line through the keyboard controller, then the 0xcf9 reset register. */
    for (int i = 0; i < 1000 && (inb(0x64) & 2); i++)
        ;
    outb(0x64, 0xfe);
    outb(0xcf9, 0x06);
    for (;;)
        halt();
}

/*
 * The first domain stopped. Like Xen, the machine follows dom0: poweroff and
 * crash halt it, reboot restarts it unless noreboot was given.
 */
void domain_shutdown_report(struct domain *d)
{
    printk("Domain %u (%s) has shut down: %s%s", d->domain_id, d->name,
           shutdown_reason_name(d->shutdown_reason),
           d->shutdown_reason == LAM_SHUTDOWN_crash ? " -- the domain crashed" : "");
    /* Every test kernel ends here: check that its page references are balanced. We are on
     * the way out to a guest with interrupts off; the audit takes mm_lock, whose holder may
     * be waiting for this CPU to answer a TLB-flush IPI, so with them on, as a hypercall. */
    bool irqs_were_on = local_save_flags() & X86_EFLAGS_IF; /* on from domain_kill */
    local_irq_enable();
    audit_domain_frames(d, true);
    if (!irqs_were_on)
        local_irq_disable(); /* local_irq_restore() only ever turns them on */
    if (d->domain_id != 0)
        return;
    lock_debug_report(); /* the lock-debug image: what its checker saw (nothing otherwise) */
    if (d->shutdown_reason == LAM_SHUTDOWN_reboot && !opt_noreboot) {
        printk("Hardware domain rebooted: restarting the machine");
        machine_restart();
    }
    printk("Hardware domain shut down: %s", opt_noreboot ? "halting (noreboot)" : "powering off");
    int code = d->shutdown_reason == LAM_SHUTDOWN_poweroff ? HALT_POWEROFF
               : d->shutdown_reason == LAM_SHUTDOWN_crash  ? HALT_CRASH
               : d->shutdown_reason == LAM_SHUTDOWN_reboot ? HALT_REBOOT
                                                           : HALT_OTHER;
    machine_halt(code);
}
