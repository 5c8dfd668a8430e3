/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * segsel-notpresent: the hypervisor loads selectors of the guest's own GDT whose
 * descriptor is a valid data segment marked not present. Loading such a selector raises
 * #NP, not #GP; found by the hypercall fuzzer (docs/security/hcfuzz.md), Lamina fixed up
 * only #GP and #PF in its own code, so both loads below panicked the host:
 *  1. set_segment_base(SEGBASE_GS_USER_SEL, sel): the GS load in the hypercall. As Xen:
 *     returns 0, the selector is loaded null instead.
 *  2. FS holds a present selector; the descriptor is then marked not present; the reload
 *     when the vCPU comes back from another vCPU (dom0_max_vcpus=2) faults: as Xen, FS is
 *     loaded null and the guest's failsafe callback gets the frame.
 */
#include <lamina/callback.h>
#include <lamina/sched.h>
#include <lamina/traps.h>

#include "vcpu_start.h"

const char lam_test_title[] = "loading a not-present segment selector in the hypervisor";

#define GDT_ENTRIES 16
#define GS_INDEX    8
#define FS_INDEX    9
#define SEL(index)  (((index) << 3) | 3)
/* Flat 4 GiB read/write data segment, DPL 3, present; and the same not present. */
#define DATA_DESC    0x00cff3000000ffffull
#define DATA_DESC_NP (DATA_DESC & ~(1ull << 47))

static volatile uint64_t other_runs;
static uint8_t other_stack[8192] __attribute__((aligned(16)));

__attribute__((noreturn)) static void other_vcpu(void)
{
    for (;;) {
        other_runs++;
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    }
}

static volatile int failsafe_seen;
static volatile uint64_t failsafe_fs;

static void on_callback(struct lam_regs *regs)
{
    if (regs->vector != LAM_CB_VECTOR_FAILSAFE)
        lam_panic("unexpected callback 0x%lx", regs->vector);
    failsafe_seen++;
    failsafe_fs = lam_failsafe_sel[2];
}

static uint16_t read_fs(void)
{
    uint16_t s;
    __asm__ volatile("mov %%fs, %0" : "=r"(s));
    return s;
}

static uint16_t read_gs(void)
{
    uint16_t s;
    __asm__ volatile("mov %%gs, %0" : "=r"(s));
    return s;
}

void test_main(void)
{
    mm_init();
    struct lam_callback_register cb = {.type = LAM_CALLBACKTYPE_failsafe,
                                       .flags = LAM_CALLBACKF_mask_events,
                                       .address = (uint64_t)(uintptr_t)lam_failsafe_entry};
    lam_callback_handler = on_callback;
    mm_expect_rc("register the failsafe callback",
                 hypercall_callback_op(LAM_CALLBACKOP_register, &cb), 0);

    /* Our own GDT: one page, read-only; GS_INDEX not present, FS_INDEX present. */
    uint64_t *gdt = mm_alloc_page();
    gdt[GS_INDEX] = DATA_DESC_NP;
    gdt[FS_INDEX] = DATA_DESC;
    mm_expect_rc("GDT page read-only", mm_page_set_ro(gdt), 0);
    uint64_t frame = mm_va_to_mfn(gdt);
    mm_expect_rc("set_gdt", hypercall_set_gdt(&frame, GDT_ENTRIES), 0);

    /* 1. The hypercall loads a not-present selector into GS. */
    long rc = hypercall_set_segment_base(LAM_SEGBASE_GS_USER_SEL, SEL(GS_INDEX));
    lam_printf("set_segment_base(GS_USER_SEL, 0x%x (not present)): rc %ld, GS now 0x%x\n",
               SEL(GS_INDEX), rc, read_gs());
    mm_expect_rc("GS_USER_SEL with a not-present selector", rc, 0);

    /* 2. A reload at a context switch. */
    rc = lam_vcpu_start(1, other_vcpu, other_stack + sizeof(other_stack));
    if (rc == -LAM_ENOENT) {
        lam_skip("dom0 has one vCPU (dom0_max_vcpus=2 not honoured)");
        return;
    }
    mm_expect_rc("start vCPU 1", rc, 0);
    __asm__ volatile("mov %0, %%fs" : : "r"((uint32_t)SEL(FS_INDEX)));
    mm_expect(read_fs() == SEL(FS_INDEX), "FS holds our present selector");
    /* From here any preemption may reload FS: unmask, as failsafe does (no port is bound). */
    lam_shared_info->vcpu_info[0].evtchn_upcall_mask = 0;
    mm_expect_rc("mark its descriptor not present",
                 hypercall_update_descriptor(mm_va_to_ma(&gdt[FS_INDEX]), DATA_DESC_NP), 0);
    uint64_t before = other_runs;
    for (int i = 0; i < 100000 && (other_runs == before || !failsafe_seen); i++)
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    lam_shared_info->vcpu_info[0].evtchn_upcall_mask = 1;
    lam_printf("after vCPU 1 ran: failsafe callbacks %d, frame FS 0x%lx, FS now 0x%x\n",
               failsafe_seen, (unsigned long)failsafe_fs, read_fs());
    LAM_CHECK(other_runs != before, "vCPU 1 ran");
    mm_expect(failsafe_seen == 1, "the reload bounced to the failsafe callback once");
    mm_expect(failsafe_fs == SEL(FS_INDEX), "the failsafe frame holds the FS selector");
    mm_expect(read_fs() == 0, "FS is null after the failed reload");
}
