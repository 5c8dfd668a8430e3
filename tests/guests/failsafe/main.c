/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The failsafe callback: FS holds a selector of our own GDT whose descriptor we
 * then mark not present (update_descriptor). The CPU keeps the loaded segment,
 * but when the hypervisor reloads our selectors after running another vCPU
 * (vCPU 1, which only yields) the load faults: it must load a null selector and
 * bounce to the failsafe callback with DS, ES, FS, GS in the frame, masking
 * events as registered. A reload that works (a present descriptor) must not
 * bounce. Runs on Xen 4.17 and Lamina (dom0_max_vcpus=2, failsafe_HV_ARGS).
 */
#include <lamina/callback.h>
#include <lamina/sched.h>

#include "vcpu_start.h"

const char lam_test_title[] = "a faulting selector reload bounces to the failsafe callback";

#define GDT_ENTRIES 16
#define TEST_INDEX  5
#define TEST_SEL    ((TEST_INDEX << 3) | 3)
/* Flat 4 GiB read/write data segment, DPL 3. */
#define DATA_DESC 0x00cff3000000ffffull

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
static volatile uint64_t failsafe_mask_in_handler, failsafe_frame_cs;

static void on_callback(struct lam_regs *regs)
{
    if (regs->vector != LAM_CB_VECTOR_FAILSAFE)
        lam_panic("unexpected callback %#lx", regs->vector);
    failsafe_seen++;
    failsafe_mask_in_handler = lam_shared_info->vcpu_info[0].evtchn_upcall_mask;
    failsafe_frame_cs = regs->cs;
}

static uint16_t read_fs(void)
{
    uint16_t s;
    __asm__ volatile("mov %%fs, %0" : "=r"(s));
    return s;
}

/* Run vCPU 1 so that coming back reloads our selectors. */
static void switch_away_and_back(void)
{
    uint64_t before = other_runs;
    for (int i = 0; i < 100000 && other_runs == before; i++)
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    LAM_CHECK(other_runs != before, "vCPU 1 ran");
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
    long rc = lam_vcpu_start(1, other_vcpu, other_stack + sizeof(other_stack));
    if (rc == -LAM_ENOENT) {
        lam_skip("dom0 has one vCPU (dom0_max_vcpus=2 not honoured)");
        return;
    }
    mm_expect_rc("start vCPU 1", rc, 0);

    /* Our own GDT: one page, a data descriptor at TEST_INDEX. */
    uint64_t *gdt = mm_alloc_page();
    gdt[TEST_INDEX] = DATA_DESC;
    mm_expect_rc("GDT page read-only", mm_page_set_ro(gdt), 0);
    uint64_t frame = mm_va_to_mfn(gdt);
    mm_expect_rc("set_gdt", hypercall_set_gdt(&frame, GDT_ENTRIES), 0);
    __asm__ volatile("mov %0, %%fs" : : "r"((uint32_t)TEST_SEL));
    mm_expect(read_fs() == TEST_SEL, "FS holds our selector");

    /* A reload that works does not bounce. */
    switch_away_and_back();
    mm_expect(failsafe_seen == 0, "a good selector reloads without the failsafe callback");
    mm_expect(read_fs() == TEST_SEL, "... and FS still holds it");

    /* Not present now: the loaded FS is untouched until the next reload, which may come
     * at any preemption from here on (vCPU 1 is runnable), so unmask first: the frame must
     * show the mask of the interrupted code. No port is bound, so no event can come. */
    lam_shared_info->vcpu_info[0].evtchn_upcall_mask = 0;
    mm_expect_rc("mark the descriptor not present",
                 hypercall_update_descriptor(mm_va_to_ma(&gdt[TEST_INDEX]), 0), 0);
    switch_away_and_back();
    lam_shared_info->vcpu_info[0].evtchn_upcall_mask = 1;
    mm_expect(failsafe_seen == 1, "the failed reload bounced to the failsafe callback once");
    lam_printf("failsafe frame: ds 0x%lx es 0x%lx fs 0x%lx gs 0x%lx, cs 0x%lx\n",
               (unsigned long)lam_failsafe_sel[0], (unsigned long)lam_failsafe_sel[1],
               (unsigned long)lam_failsafe_sel[2], (unsigned long)lam_failsafe_sel[3],
               (unsigned long)failsafe_frame_cs);
    mm_expect((lam_failsafe_sel[2] & 0xffff) == TEST_SEL, "the frame's FS is the bad selector");
    mm_expect((lam_failsafe_sel[3] & 0xffff) == 0, "the frame's GS is null");
    mm_expect(failsafe_mask_in_handler == 1, "events masked in the callback (mask_events)");
    mm_expect(((failsafe_frame_cs >> 32) & 0xff) == 0,
              "the frame's saved upcall mask is the interrupted one (0)");
    mm_expect(read_fs() == 0, "FS is null afterwards");

    mm_expect_rc("drop our GDT", hypercall_set_gdt(&frame, 0), 0);
    mm_expect_rc("GDT page writable again", mm_page_set_rw(gdt), 0);
    mm_expect_rc("down vCPU 1", hypercall_vcpu_op(LAM_VCPUOP_down, 1, NULL), 0);
}
