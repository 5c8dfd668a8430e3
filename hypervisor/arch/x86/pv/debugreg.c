/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Debug registers of PV guests: set_debugreg and get_debugreg with Xen 4.17's checks and
 * answers, the lazy switch of DR0-DR3 and DR7 between vCPUs, and the guest's view of DR6.
 *
 * A guest's DR7 may enable breakpoints on its own addresses only: DR0-DR3 below the canonical
 * hole or above the hypervisor's range (else -EPERM), no general detect (-EPERM; it would trap
 * the hypervisor's own DR accesses) and no I/O breakpoints (-EPERM: PV guests have no
 * CR4.DE); reserved bits are forced to their fixed values, upper-half bits are -EINVAL. DR4
 * and DR5 are DR6 and DR7, as without CR4.DE; other numbers -ENODEV.
 *
 * The CPU's DR6 is kept at its default: the #DB handler reads it, records what fired into
 * the running vCPU's virtual DR6 (pv_debugreg_record) and resets it, so no vCPU ever finds
 * another's conditions there. DR0-DR3 and DR7 are switched only for vCPUs that enable a
 * breakpoint, as Xen does: the outgoing one's DR7 is cleared, the incoming one's registers
 * loaded.
 */
#include <hv/domain.h>
#include <hv/errcodes.h>
#include <asm/cpu.h>
#include <asm/debugreg.h>
#include <asm/memlayout.h>
#include <hypervisor/hypercall-handlers.h>

#define DR6_ZEROS 0x1000ull /* bit 12 reads as 0 */
#define DR7_ZEROS 0xd800ull /* bits 11, 12, 14, 15 read as 0 (no RTM for PV guests) */

uint64_t read_debugreg(unsigned int reg)
{
    uint64_t v = 0;
    switch (reg) {
    case 0:
        __asm__ volatile("mov %%db0, %0" : "=r"(v));
        break;
    case 1:
        __asm__ volatile("mov %%db1, %0" : "=r"(v));
        break;
    case 2:
        __asm__ volatile("mov %%db2, %0" : "=r"(v));
        break;
    case 3:
        __asm__ volatile("mov %%db3, %0" : "=r"(v));
        break;
    case 6:
        __asm__ volatile("mov %%db6, %0" : "=r"(v));
        break;
    case 7:
        __asm__ volatile("mov %%db7, %0" : "=r"(v));
        break;
    default:
        break;
    }
    return v;
}

void write_debugreg(unsigned int reg, uint64_t v)
{
    switch (reg) {
    case 0:
        __asm__ volatile("mov %0, %%db0" : : "r"(v));
        break;
    case 1:
        __asm__ volatile("mov %0, %%db1" : : "r"(v));
        break;
    case 2:
        __asm__ volatile("mov %0, %%db2" : : "r"(v));
        break;
    case 3:
        __asm__ volatile("mov %0, %%db3" : : "r"(v));
        break;
    case 6:
        __asm__ volatile("mov %0, %%db6" : : "r"(v));
        break;
    case 7:
        __asm__ volatile("mov %0, %%db7" : : "r"(v));
        break;
    default:
        break;
    }
}

void pv_debugreg_init(struct vcpu *v)
{
    v->debugreg[6] = DR6_DEFAULT;
    v->debugreg[7] = DR7_DEFAULT;
}

/* Xen's __addr_ok: a guest address, below the canonical hole or above the hypervisor. */
static bool breakpoint_address_ok(uint64_t va)
{
    return va < LOWER_HALF_END || va >= DIRECTMAP_VIRT_END;
}

/* Put v's breakpoints on this CPU (v is about to run here, or runs here). */
static void load_breakpoints(const struct vcpu *v)
{
    for (unsigned int i = 0; i < 4; i++)
        write_debugreg(i, v->debugreg[i]);
    write_debugreg(7, v->debugreg[7]);
}

static long set_dr7(struct vcpu *v, uint64_t value)
{
    if (value != (uint32_t)value)
        return -EINVAL;
    value = (value & ~DR7_ZEROS) | DR7_DEFAULT;
    if (value & DR7_GD)
        return -EPERM;
    if (value & DR7_ACTIVE)
        for (unsigned int i = 0; i < 4; i++)
            if (((value >> (DR7_RW_SHIFT + 4 * i)) & 3) == DR7_RW_IO)
                return -EPERM;
    v->debugreg[7] = value;
    if (v == current) /* DR0-DR3 on this CPU may be another vCPU's: load them all */
        load_breakpoints(v);
    return 0;
}

long pv_set_debugreg(struct vcpu *v, int reg, uint64_t value)
{
    switch (reg) {
    case 0:
    case 1:
    case 2:
    case 3:
        if (!breakpoint_address_ok(value))
            return -EPERM;
        v->debugreg[reg] = value;
        if (v == current)
            write_debugreg((unsigned int)reg, value);
        return 0;
    case 4:
    case 6:
        if (value != (uint32_t)value)
            return -EINVAL;
        v->debugreg[6] = (value | DR6_DEFAULT) & ~DR6_ZEROS;
        return 0;
    case 5:
    case 7:
        return set_dr7(v, value);
    default:
        return -ENODEV;
    }
}

long hc_set_debugreg(int reg, unsigned long value)
{
    return pv_set_debugreg(current, reg, value);
}

long hc_get_debugreg(int reg)
{
    const struct vcpu *v = current;

    switch (reg) {
    case 0:
    case 1:
    case 2:
    case 3:
        return (long)v->debugreg[reg];
    case 4:
    case 6:
        return (long)v->debugreg[6];
    case 5:
    case 7:
        return (long)v->debugreg[7];
    default:
        return -ENODEV;
    }
}

void pv_debugreg_switch_from(const struct vcpu *prev)
{
    if (prev->debugreg[7] & DR7_ACTIVE)
        write_debugreg(7, 0);
}

void pv_debugreg_switch_to(const struct vcpu *next)
{
    if (next->debugreg[7] & DR7_ACTIVE)
        load_breakpoints(next);
}

/* As Xen's do_debug: conditions the CPU set are added, the ones it reports clear (an
 * inverted-polarity bit such as RTM's) are cleared; the rest stays until the guest resets
 * DR6 with set_debugreg. */
void pv_debugreg_record(struct vcpu *v, uint64_t dr6)
{
    v->debugreg[6] |= dr6 & ~DR6_DEFAULT;
    v->debugreg[6] &= dr6 | ~DR6_DEFAULT;
}
