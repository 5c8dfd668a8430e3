/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grammar: xen_version, console_io, vm_assist, physdev_op (and compat),
 * platform_op, domctl, multicall, every other listed hypercall by the
 * argument kinds of hypercalls.list, and unlisted numbers.
 *
 * Left out for the control domain only, because it may legitimately do them:
 * physdev apic_write and real interrupt lines (they reprogram the machine),
 * kexec (it replaces the hypervisor), domctl caps below half a CPU (they
 * slow the guest to a crawl, which is not a hang of the host).
 */
#include <guests/hypercall-list.h>
#include <lamina/console.h>
#include <lamina/domctl.h>
#include <lamina/mmu.h>
#include <lamina/physdev.h>
#include <lamina/platform.h>
#include <lamina/version.h>
#include <lamina/vm_assist.h>

#include "env.h"

void hcf_gen_xen_version(struct hcf_worker *w, struct hcf_call *c)
{
    uint64_t cmd = hcf_chance(w, 90) ? hcf_below(w, 12) : hcf_int(w);
    uint8_t *buf = hcf_alloc(w, 1100, 8);
    if (cmd == LAM_XENVER_get_features)
        *(uint32_t *)buf = (uint32_t)(hcf_chance(w, 70) ? 0 : hcf_int(w));
    if (cmd == LAM_XENVER_build_id)
        *(uint32_t *)buf = (uint32_t)hcf_count(w, 64);
    c->nr = LAM_HYPERCALL_XEN_VERSION;
    c->a[0] = cmd;
    c->a[1] = hcf_chance(w, 10) ? 0 : hcf_ptr(w, buf, 1100, 1);
}

void hcf_gen_console_io(struct hcf_worker *w, struct hcf_call *c)
{
    static const char text[] = "hcfuzz: console_io write from the fuzzer\n";
    uint64_t cmd = hcf_chance(w, 90) ? hcf_below(w, 2) : hcf_int(w);
    char *buf = hcf_alloc(w, 64, 8);
    memcpy(buf, text, sizeof(text));
    uint64_t count = hcf_chance(w, 60) ? hcf_below(w, sizeof(text)) : hcf_count(w, 64);
    uint64_t ptr = hcf_ptr(w, buf, sizeof(text), cmd == LAM_CONSOLEIO_read);
    /* A long write from a readable buffer prints whatever follows it: keep the log
     * readable (the hypervisor's length limit is still tried with unreadable ones). */
    if (cmd == LAM_CONSOLEIO_write && count > sizeof(text) && ptr == (uint64_t)buf)
        count = sizeof(text) - 1;
    c->nr = LAM_HYPERCALL_CONSOLE_IO;
    c->a[0] = cmd;
    c->a[1] = count;
    c->a[2] = ptr;
}

void hcf_gen_vm_assist(struct hcf_worker *w, struct hcf_call *c)
{
    c->nr = LAM_HYPERCALL_VM_ASSIST;
    c->a[0] = hcf_chance(w, 90) ? hcf_below(w, 3) : hcf_int(w);
    c->a[1] = hcf_chance(w, 80) ? hcf_below(w, 34) : hcf_int(w);
}

static void physdev_arg(struct hcf_worker *w, uint32_t cmd, uint8_t *op)
{
    switch (cmd) {
    case LAM_PHYSDEVOP_set_iopl:
        *(uint32_t *)op = (uint32_t)(hcf_chance(w, 80) ? hcf_below(w, 5) : hcf_int(w));
        break;
    case LAM_PHYSDEVOP_set_iobitmap: {
        static const uint32_t nrs[] = {0, 1, 1024, 65535, 65536, 65537, 0xffffffff};
        struct lam_physdev_set_iobitmap *b = (void *)op;
        void *bitmap = hcf_alloc(w, 64, 8);
        memset(bitmap, 0xff, 64);
        b->bitmap = hcf_ptr(w, bitmap, 64, 0);
        b->nr_ports = HCF_PICK(w, nrs);
        break;
    }
    default: {
        /* irq, apic register, pirq, PCI ids: small numbers (real lines) and junk. */
        for (unsigned int i = 0; i < 8; i++)
            ((uint32_t *)op)[i] = (uint32_t)(hcf_chance(w, 60) ? hcf_below(w, 48) : hcf_int(w));
        ((uint16_t *)op)[0] = hcf_chance(w, 50) ? hcf_domid(w) : ((uint16_t *)op)[0];
        if (hcf_env.privileged)
            for (unsigned int i = 0; i < 8; i++)
                ((uint32_t *)op)[i] |= 0x40000000u; /* never a real line or register */
        break;
    }
    }
}

/*
 * The control domain's interrupt and PCI operations manage real hardware (it may
 * reprogram the IO-APIC, route interrupt lines, add devices), so for it only the ones that
 * do not are drawn. (Xen 4.17 itself crashes on PHYSDEVOP_prepare_msix for a device that
 * does not exist: a NULL pointer in pci_prepare_msix, seen with seed 2 -- a privileged-only
 * path, noted in docs/security-hcfuzz.md.) A domU gets every one: each must be refused.
 */
static uint32_t physdev_cmd(struct hcf_worker *w)
{
    static const uint32_t dom0_cmds[] = {LAM_PHYSDEVOP_irq_status_query,
                                         LAM_PHYSDEVOP_set_iopl,
                                         LAM_PHYSDEVOP_set_iopl,
                                         LAM_PHYSDEVOP_set_iobitmap,
                                         LAM_PHYSDEVOP_eoi,
                                         0,
                                         34,
                                         0x7fffffff};
    uint32_t cmd = (uint32_t)(hcf_chance(w, 90) ? hcf_below(w, 34) : hcf_int(w));
    uint32_t safe = HCF_PICK(w, dom0_cmds);
    if (hcf_env.privileged && cmd < 34)
        cmd = safe;
    hcf_note(w, " cmd %u", cmd);
    return cmd;
}

void hcf_gen_physdev_op(struct hcf_worker *w, struct hcf_call *c)
{
    uint32_t cmd = physdev_cmd(w);
    uint8_t *op = hcf_alloc(w, 40, 8);
    physdev_arg(w, cmd, op);
    c->nr = LAM_HYPERCALL_PHYSDEV_OP;
    c->a[0] = cmd;
    c->a[1] = hcf_ptr(w, op, 32, 1);
}

void hcf_gen_physdev_op_compat(struct hcf_worker *w, struct hcf_call *c)
{
    uint32_t cmd = physdev_cmd(w);
    uint8_t *op = hcf_alloc(w, 48, 8); /* struct physdev_op: cmd, then the union at 8 */
    *(uint32_t *)op = cmd;
    physdev_arg(w, cmd, op + 8);
    c->nr = LAM_HYPERCALL_PHYSDEV_OP_COMPAT;
    c->a[0] = hcf_ptr(w, op, 40, 1);
}

void hcf_gen_platform_op(struct hcf_worker *w, struct hcf_call *c)
{
    /* Not the ones that power the machine down or take CPUs away (enter_acpi_sleep 51,
     * cpu_offline 57), which the control domain may do, nor quirks (39). */
    static const uint32_t cmds[] = {LAM_XENPF_settime32,
                                    LAM_XENPF_settime64,
                                    LAM_XENPF_get_cpuinfo,
                                    LAM_XENPF_firmware_info,
                                    1,
                                    2,
                                    53,
                                    54,
                                    63,
                                    0xffffffff};
    struct lam_platform_op *op = hcf_alloc(w, sizeof(*op), 8);
    op->cmd = HCF_PICK(w, cmds);
    op->interface_version =
        hcf_chance(w, 85) ? LAM_PLATFORM_INTERFACE_VERSION : (uint32_t)hcf_int(w);
    for (unsigned int i = 0; i < 4; i++)
        ((uint64_t *)op->u.pad)[i] = hcf_int(w);
    if (op->cmd == LAM_XENPF_get_cpuinfo && hcf_chance(w, 60))
        op->u.pcpu_info.xen_cpuid = (uint32_t)hcf_below(w, 6);
    if (op->cmd == LAM_XENPF_settime64 && hcf_chance(w, 60)) {
        op->u.settime64.mbz = 0;
        op->u.settime64.nsecs = (uint32_t)hcf_below(w, 1000000000);
    }
    hcf_note(w, " cmd %u", op->cmd);
    c->nr = LAM_HYPERCALL_PLATFORM_OP;
    c->a[0] = hcf_ptr(w, op, sizeof(*op), HCF_OUT | HCF_EXACT);
}

void hcf_gen_domctl(struct hcf_worker *w, struct hcf_call *c)
{
    static const uint32_t cmds[] = {LAM_DOMCTL_destroydomain,
                                    LAM_DOMCTL_pausedomain,
                                    LAM_DOMCTL_unpausedomain,
                                    LAM_DOMCTL_getdomaininfo,
                                    LAM_DOMCTL_getdomaininfo,
                                    LAM_DOMCTL_setvcpuaffinity,
                                    LAM_DOMCTL_getvcpuaffinity,
                                    LAM_DOMCTL_getvcpuinfo,
                                    LAM_DOMCTL_max_mem,
                                    LAM_DOMCTL_scheduler_op,
                                    LAM_DOMCTL_scheduler_op,
                                    1,
                                    7,
                                    12,
                                    24,
                                    0x7fffffff};
    struct lam_domctl *op = hcf_alloc(w, sizeof(*op), 8);
    op->cmd = HCF_PICK(w, cmds);
    op->interface_version = hcf_chance(w, 90) ? LAM_DOMCTL_INTERFACE_VERSION : (uint32_t)hcf_int(w);
    op->domain = hcf_domid(w);
    hcf_note(w, " cmd %u dom %u", op->cmd, op->domain);
    switch (op->cmd) {
    case LAM_DOMCTL_setvcpuaffinity:
    case LAM_DOMCTL_getvcpuaffinity: {
        uint8_t *bits = hcf_alloc(w, 16, 8);
        bits[0] = (uint8_t)(hcf_chance(w, 80) ? 1 + hcf_below(w, 255) : 0);
        op->u.vcpuaffinity.vcpu = hcf_vcpu(w);
        op->u.vcpuaffinity.flags = (uint32_t)(hcf_chance(w, 80) ? 1 + hcf_below(w, 3) : hcf_int(w));
        op->u.vcpuaffinity.cpumap_hard.bitmap = hcf_ptr(w, bits, 16, 1);
        op->u.vcpuaffinity.cpumap_hard.nr_bits = (uint32_t)hcf_count(w, 128);
        op->u.vcpuaffinity.cpumap_soft.bitmap = hcf_ptr(w, bits, 16, 1);
        op->u.vcpuaffinity.cpumap_soft.nr_bits = (uint32_t)hcf_count(w, 128);
        break;
    }
    case LAM_DOMCTL_getvcpuinfo:
        op->u.getvcpuinfo.vcpu = hcf_vcpu(w);
        break;
    case LAM_DOMCTL_max_mem: {
        /* Lowering our own limit is allowed: later allocations fail, nothing more. */
        static const uint64_t kb[] = {0, 1, 4096, 65536, 1ULL << 40, ~0ULL, ~0ULL >> 10};
        op->u.max_mem.max_memkb = HCF_PICK(w, kb);
        break;
    }
    case LAM_DOMCTL_scheduler_op: {
        static const uint16_t caps[] = {0, 0, 50, 100, 101, 400, 0xffff};
        op->u.scheduler_op.sched_id =
            hcf_chance(w, 80) ? LAM_SCHEDULER_CREDIT : (uint32_t)hcf_int(w);
        op->u.scheduler_op.cmd = (uint32_t)(hcf_chance(w, 90) ? hcf_below(w, 2) : hcf_int(w));
        op->u.scheduler_op.u.credit.weight = (uint16_t)hcf_int(w);
        op->u.scheduler_op.u.credit.cap = HCF_PICK(w, caps);
        break;
    }
    default:
        for (unsigned int i = 0; i < 8; i++)
            ((uint64_t *)op->u.pad)[i] = hcf_chance(w, 70) ? 0 : hcf_int(w);
        break;
    }
    c->nr = LAM_HYPERCALL_DOMCTL;
    c->a[0] = hcf_ptr(w, op, sizeof(*op), HCF_OUT | HCF_EXACT);
}

/* --- multicall -------------------------------------------------------------------- */

void hcf_gen_multicall(struct hcf_worker *w, struct hcf_call *c)
{
    unsigned int n = 1 + (unsigned int)hcf_below(w, hcf_chance(w, 80) ? 4 : 16);
    struct hcf_call subs[16];
    unsigned int flags = 0;
    hcf_note(w, " [");
    /* The entries' own buffers first, none moved to the arena's end, and the entries after
     * them: a count past the entries then reads zeros up to the hole after the arena
     * (set_trap_table(NULL), repaired), never another buffer -- whose first word read as
     * an op could be 23, an iret from whatever is on our stack. */
    w->no_straddle = 1;
    for (unsigned int i = 0; i < n; i++) {
        subs[i] = (struct hcf_call){0};
        hcf_gen_simple(w, &subs[i]);
    }
    w->no_straddle = 0;
    struct lam_multicall_entry *e = hcf_alloc(w, n * sizeof(*e), 8);
    for (unsigned int i = 0; i < n; i++) {
        struct hcf_call sub = subs[i];
        if (sub.action) { /* not a hypercall: an unlisted number instead */
            sub.nr = 43 + hcf_below(w, 21);
            sub.action = NULL;
        }
        /* A nested multicall, or a number nothing answers. (Not another listed number
         * with these arguments: read as another call's, they could stop the guest.) */
        if (hcf_chance(w, 3))
            sub.nr = hcf_chance(w, 50) ? LAM_HYPERCALL_MULTICALL : 43 + hcf_below(w, 1000);
        e[i].op = sub.nr;
        e[i].result = hcf_chance(w, 90) ? 0 : hcf_u64(w);
        for (unsigned int k = 0; k < 5; k++)
            e[i].args[k] = sub.a[k];
        e[i].args[5] = hcf_chance(w, 90) ? 0 : hcf_u64(w);
        flags |= sub.flags;
        hcf_note(w, " %lu;", (unsigned long)sub.nr);
    }
    hcf_note(w, " ]");
    c->nr = LAM_HYPERCALL_MULTICALL;
    c->a[0] = hcf_ptr(w, e, n * sizeof(*e), HCF_OUT | HCF_EXACT);
    c->a[1] = hcf_chance(w, 90) ? n : hcf_count(w, n);
    /* Nothing that sleeps is in a multicall (hcf_gen_simple), but repairs may be due; a
     * count past the entries reads zeros: set_trap_table(NULL). */
    c->flags |=
        (flags & ~(HCF_GUARD_WAKE | HCF_REPAIR_WAKE)) | HCF_REPAIR_TRAPS | HCF_REPAIR_CALLBACKS;
}

/* --- Everything else, by the argument kinds hypercalls.list gives ------------------ */

static uint64_t by_kind(struct hcf_worker *w, unsigned int kind)
{
    switch (kind) {
    case LAM_HC_ARG_PTR: {
        uint8_t *buf = hcf_alloc(w, 128, 8);
        for (unsigned int i = 0; i < 16; i++)
            ((uint64_t *)buf)[i] = hcf_chance(w, 60) ? hcf_below(w, 32) : hcf_int(w);
        return hcf_ptr(w, buf, 128, 1);
    }
    case LAM_HC_ARG_DOMID:
        return hcf_domid(w);
    case LAM_HC_ARG_INT:
    case LAM_HC_ARG_UINT:
        return hcf_chance(w, 60) ? hcf_below(w, 32) : hcf_int(w);
    default:
        return hcf_int(w);
    }
}

/* Hypercalls the grammar has no production of its own for (xsm_op, nmi_op, xenoprof_op,
 * hvm_op, sysctl, kexec_op, tmem_op, argo_op, xenpmu_op, dm_op, hypfs_op, ...), chosen
 * from the list itself so a new entry there is fuzzed too, and unlisted numbers. */
void hcf_gen_generic(struct hcf_worker *w, struct hcf_call *c)
{
    const struct lam_hypercall_info *hc = &lam_hypercall_list[hcf_below(w, LAM_HYPERCALL_LIST_LEN)];
    unsigned int unlisted = hcf_chance(w, 15);
    c->nr = hc->nr;
    for (unsigned int i = 0; i < 5; i++)
        c->a[i] = i < hc->nargs && !unlisted ? by_kind(w, hc->kind[i]) : hcf_int(w);
    if (unlisted) {
        static const unsigned long nrs[] = {11, 43,  47,  48,  49,           55,  63,
                                            64, 127, 128, 255, 0x80000000UL, ~0UL};
        c->nr = HCF_PICK(w, nrs);
    }
    hcf_note(w, " %s", unlisted ? "unlisted" : hc->name);
    switch (c->nr) {
    case LAM_HYPERCALL_IRET: /* returns to a context on our stack: hcf_gen_iret builds one */
    case LAM_HYPERCALL_SCHED_OP:
    case LAM_HYPERCALL_SCHED_OP_COMPAT:
    case LAM_HYPERCALL_VCPU_OP:
    case LAM_HYPERCALL_SET_TRAP_TABLE:
    case LAM_HYPERCALL_CALLBACK_OP:
    case LAM_HYPERCALL_SET_CALLBACKS:
    case LAM_HYPERCALL_MMU_UPDATE:
    case LAM_HYPERCALL_MMUEXT_OP:
    case LAM_HYPERCALL_UPDATE_VA_MAPPING:
    case LAM_HYPERCALL_MULTICALL:
    case LAM_HYPERCALL_GRANT_TABLE_OP:
    case LAM_HYPERCALL_MEMORY_OP:
    case LAM_HYPERCALL_EVENT_CHANNEL_OP:
    case LAM_HYPERCALL_EVENT_CHANNEL_OP_COMPAT:
    case LAM_HYPERCALL_UPDATE_DESCRIPTOR:
    case LAM_HYPERCALL_SET_GDT:
    case LAM_HYPERCALL_SET_DEBUGREG:
    case LAM_HYPERCALL_SET_SEGMENT_BASE:
    case LAM_HYPERCALL_PHYSDEV_OP:
    case LAM_HYPERCALL_PHYSDEV_OP_COMPAT:
    case LAM_HYPERCALL_STACK_SWITCH:
    case LAM_HYPERCALL_UPDATE_VA_MAPPING_OTHERDOMAIN:
    case LAM_HYPERCALL_DOMCTL:
    case LAM_HYPERCALL_PLATFORM_OP:
        /* These have their own productions, which know what would stop the guest;
         * unstructured arguments here could too (a readable shutdown, a remap of our
         * code). Ask for the version instead. */
        c->nr = LAM_HYPERCALL_XEN_VERSION;
        c->a[0] = 0;
        break;
    case LAM_HYPERCALL_KEXEC_OP:
        if (hcf_env.privileged)
            c->a[0] |= 0x40000000; /* the control domain may kexec: never a real command */
        break;
    case LAM_HYPERCALL_NMI_OP: {
        /* XENNMI_register_callback: an NMI (VCPUOP_send_nmi from another worker) may
         * come before the repair, so the handler is ours or one that must be refused. */
        extern void lam_trap_entry_2(void);
        uint64_t *cb = hcf_alloc(w, 16, 8);
        cb[0] = hcf_code_va(w, (uint64_t)lam_trap_entry_2, 0);
        c->a[1] = hcf_ptr(w, cb, 16, HCF_EXACT);
        c->flags |= HCF_REPAIR_TRAPS | HCF_REPAIR_CALLBACKS;
        break;
    }
    case LAM_HYPERCALL_XENPMU_OP: /* a PMU interrupt handler */
        c->flags |= HCF_REPAIR_TRAPS | HCF_REPAIR_CALLBACKS;
        break;
    default:
        break;
    }
}
