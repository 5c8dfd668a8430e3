/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The smaller PV CPU hypercalls: fpu_taskswitch (virtual CR0.TS), physdev_op for the
 * virtual IOPL (its hardware commands: pv/physdev.c), platform_op for dom0's clock and CPU queries
 * (debug registers: debugreg.c).
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errcodes.h>
#include <asm/guest_access.h>
#include <hv/lib.h>
#include <asm/time.h>
#include <asm/traps.h>
#include <asm/x86.h>
#include <lamina/physdev.h>
#include <lamina/platform.h>
#include <asm/pv/physdev.h>
#include <hypervisor/hypercall-handlers.h>

long hc_fpu_taskswitch(int set)
{
    struct vcpu *v = current;
    v->fpu_ts = set != 0;
    write_cr0(set ? read_cr0() | CR0_TS : read_cr0() & ~CR0_TS);
    return 0;
}

/* #NM: the guest touched the FPU with its virtual TS set. */
void pv_device_not_available(struct vcpu *v)
{
    write_cr0(read_cr0() & ~CR0_TS);
    if (v->fpu_ts) {
        v->fpu_ts = false;
        pv_inject_exception(v, X86_EXC_NM, false, 0);
    }
}

long hc_physdev_op(int cmd, guest_ptr_t arg)
{
    struct vcpu *v = current;

    switch (cmd) {
    case LAM_PHYSDEVOP_set_iopl: {
        struct lam_physdev_set_iopl op;
        if (copy_from_guest(&op, arg, sizeof(op)))
            return -EFAULT;
        if (op.iopl > 3)
            return -EINVAL;
        v->iopl = op.iopl;
        return 0;
    }
    case LAM_PHYSDEVOP_set_iobitmap: {
        struct lam_physdev_set_iobitmap op;
        if (copy_from_guest(&op, arg, sizeof(op)))
            return -EFAULT;
        if (op.nr_ports > 65536)
            return -EINVAL;
        v->iobmp = op.bitmap;
        v->iobmp_nr = op.nr_ports;
        return 0;
    }
    default:
        return pv_physdev_hw_op(cmd, arg); /* interrupts and PCI: pv/physdev.c */
    }
}

static void set_wallclock(uint64_t secs, uint32_t nsecs, uint64_t system_time)
{
    /* The wall-clock time at system time 0, kept in every domain's shared_info. */
    uint64_t at_zero_ns = secs * 1000000000ull + nsecs - system_time;
    for (unsigned int i = 0; i < MAX_DOMAINS; i++) {
        struct domain *d = domain_get(i); /* its shared_info is freed with it */
        if (!d)
            continue;
        struct lam_shared_info *si = d->shared_info;
        uint64_t sec = at_zero_ns / 1000000000ull + (uint64_t)d->time_offset; /* settimeoffset */
        __atomic_fetch_add(&si->wc_version, 1, __ATOMIC_SEQ_CST);
        si->wc_sec = (uint32_t)sec;
        si->wc_sec_hi = (uint32_t)(sec >> 32);
        si->wc_nsec = (uint32_t)(at_zero_ns % 1000000000ull);
        __atomic_fetch_add(&si->wc_version, 1, __ATOMIC_SEQ_CST);
        domain_put(d);
    }
}

long hc_platform_op(guest_ptr_t arg)
{
    struct lam_platform_op op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (op.interface_version != LAM_PLATFORM_INTERFACE_VERSION)
        return -EACCES;
    switch (op.cmd) {
    case LAM_XENPF_settime32:
        set_wallclock(op.u.settime32.secs, op.u.settime32.nsecs, op.u.settime32.system_time);
        return 0;
    case LAM_XENPF_settime64:
        /* Only mbz is checked, as on Xen 4.17: any nsecs is added in (the sum is taken
         * modulo 2^64 like Xen's, and only the wall-clock fields ever see it). */
        if (op.u.settime64.mbz)
            return -EINVAL;
        set_wallclock(op.u.settime64.secs, op.u.settime64.nsecs, op.u.settime64.system_time);
        return 0;
    case LAM_XENPF_get_cpuinfo: {
        struct lam_xenpf_pcpuinfo *ci = &op.u.pcpu_info;
        if (ci->xen_cpuid != 0) {
            ci->flags = LAM_XEN_PCPU_FLAGS_INVALID;
        } else {
            ci->flags = LAM_XEN_PCPU_FLAGS_ONLINE;
            ci->apic_id = get_cpu_info()->apic_id;
            ci->acpi_id = 0;
        }
        ci->max_present = 0;
        return copy_to_guest(arg, &op, sizeof(op)) ? -EFAULT : 0;
    }
    default:
        return -ENOSYS;
    }
}
