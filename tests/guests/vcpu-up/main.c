/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Secondary vCPUs (dom0 booted with dom0_max_vcpus=2, vcpu-up_HV_ARGS): is_up of
 * each, the errors (no such vCPU, up before initialise, a bad page table in
 * the context, initialise twice, initialise while up), then vCPU 1 started at
 * a C function on its own stack, taken down by vCPU 0 (it stops; runstate
 * offline), brought up again (it carries on where it stopped), and taking
 * itself down (the hypercall returns when it is brought up again).
 */
#include <lamina/errno.h>
#include <lamina/sched.h>
#include <lamina/vcpu.h>

#include "vcpu_start.h"

const char lam_test_title[] = "VCPUOP initialise/up/down/is_up of a secondary vCPU";

enum { CMD_NONE, CMD_DOWN_SELF };

static volatile uint64_t sec_counter, sec_resumed;
static volatile int sec_command;
static volatile long sec_down_rc = 1;
static uint8_t sec_stack[16384] __attribute__((aligned(16)));
static struct lam_vcpu_guest_context ctx;

/* vCPU 1: counts, yields, and takes itself down when told to. */
__attribute__((noreturn)) static void secondary_main(void)
{
    for (;;) {
        sec_counter++;
        if (sec_command == CMD_DOWN_SELF) {
            sec_command = CMD_NONE;
            sec_down_rc = hypercall_vcpu_op(LAM_VCPUOP_down, 1, NULL);
            sec_resumed++;
        }
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    }
}

static void yield_n(int n)
{
    for (int i = 0; i < n; i++)
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
}

/* Yield until *p differs from old (vCPU 1 ran), at most ~max yields. */
static int wait_change(volatile uint64_t *p, uint64_t old, int max)
{
    for (int i = 0; i < max; i++) {
        if (*p != old)
            return 1;
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    }
    return *p != old;
}

static void fill_context(uint64_t l4_mfn)
{
    lam_vcpu_context(&ctx, secondary_main, sec_stack + sizeof(sec_stack));
    ctx.ctrlreg[3] = l4_mfn << 12;
}

static long vcpu_op(int cmd, unsigned int id, void *arg)
{
    return hypercall_vcpu_op(cmd, id, arg);
}

void test_main(void)
{
    mm_init();
    LAM_CHECK(vcpu_op(LAM_VCPUOP_is_up, 0, NULL) == 1, "vCPU 0 is up");
    long rc = vcpu_op(LAM_VCPUOP_is_up, 1, NULL);
    if (rc == -LAM_ENOENT) {
        lam_skip("dom0 has one vCPU (dom0_max_vcpus=2 not honoured)");
        return;
    }
    LAM_CHECK(rc == 0, "vCPU 1 starts down (%ld)", rc);
    LAM_CHECK(vcpu_op(LAM_VCPUOP_is_up, 2, NULL) == -LAM_ENOENT, "is_up of vCPU 2 is -ENOENT");
    LAM_CHECK(vcpu_op(LAM_VCPUOP_is_up, 100000, NULL) == -LAM_ENOENT,
              "is_up of vCPU 100000 is -ENOENT");
    LAM_CHECK(vcpu_op(LAM_VCPUOP_down, 2, NULL) == -LAM_ENOENT, "down of vCPU 2 is -ENOENT");
    rc = vcpu_op(LAM_VCPUOP_up, 1, NULL);
    LAM_CHECK(rc == -LAM_EINVAL, "up of an uninitialised vCPU is -EINVAL (%ld)", rc);

    /* A context whose "page table" is a data page of ours: refused, and no harm done. */
    fill_context(mm_va_to_mfn(sec_stack));
    rc = vcpu_op(LAM_VCPUOP_initialise, 1, &ctx);
    LAM_CHECK(rc < 0, "initialise with a data page as L4 is refused (%ld)", rc);
    fill_context(mm_cur_l4_mfn);
    LAM_CHECK(vcpu_op(LAM_VCPUOP_initialise, 2, &ctx) == -LAM_ENOENT,
              "initialise of vCPU 2 is -ENOENT");

    lam_shared_info->vcpu_info[1].evtchn_upcall_mask = 1; /* vCPU 1 takes no events */
    rc = vcpu_op(LAM_VCPUOP_initialise, 1, &ctx);
    LAM_CHECK(rc == 0, "initialise vCPU 1: %ld", rc);
    if (rc)
        return;
    LAM_CHECK(vcpu_op(LAM_VCPUOP_is_up, 1, NULL) == 0, "initialised is not up");
    yield_n(100);
    LAM_CHECK(sec_counter == 0, "vCPU 1 does not run before up (%lu)", (unsigned long)sec_counter);
    rc = vcpu_op(LAM_VCPUOP_initialise, 1, &ctx);
    LAM_CHECK(rc == -LAM_EEXIST, "initialise twice is -EEXIST (%ld)", rc);

    LAM_CHECK(vcpu_op(LAM_VCPUOP_up, 1, NULL) == 0, "up vCPU 1");
    LAM_CHECK(wait_change(&sec_counter, 0, 100000), "vCPU 1 runs after up");
    LAM_CHECK(vcpu_op(LAM_VCPUOP_is_up, 1, NULL) == 1, "is_up(1) after up");
    LAM_CHECK(vcpu_op(LAM_VCPUOP_up, 1, NULL) == 0, "up of a running vCPU is 0");
    rc = vcpu_op(LAM_VCPUOP_initialise, 1, &ctx);
    LAM_CHECK(rc == -LAM_EEXIST, "initialise while up is -EEXIST (%ld)", rc);

    /* Down by vCPU 0: it stops counting and is offline. */
    LAM_CHECK(vcpu_op(LAM_VCPUOP_down, 1, NULL) == 0, "down vCPU 1");
    LAM_CHECK(vcpu_op(LAM_VCPUOP_is_up, 1, NULL) == 0, "is_up(1) after down");
    yield_n(10);
    uint64_t frozen = sec_counter;
    yield_n(1000);
    LAM_CHECK(sec_counter == frozen, "a down vCPU does not run (%lu -> %lu)", (unsigned long)frozen,
              (unsigned long)sec_counter);
    struct lam_vcpu_runstate_info rs;
    memset(&rs, 0xff, sizeof(rs));
    rc = vcpu_op(LAM_VCPUOP_get_runstate_info, 1, &rs);
    LAM_CHECK(rc == 0 && rs.state == LAM_RUNSTATE_offline,
              "runstate of a down vCPU is offline (rc %ld, state %d)", rc, rs.state);
    LAM_CHECK(rs.time[LAM_RUNSTATE_running] > 0, "vCPU 1's running time was accounted");
    rc = vcpu_op(LAM_VCPUOP_initialise, 1, &ctx);
    LAM_CHECK(rc == -LAM_EEXIST, "initialise after down is still -EEXIST (%ld)", rc);

    /* Up again: it carries on with its own state. */
    LAM_CHECK(vcpu_op(LAM_VCPUOP_up, 1, NULL) == 0, "up vCPU 1 again");
    LAM_CHECK(wait_change(&sec_counter, frozen, 100000), "vCPU 1 carries on after up");

    /* Down by itself: the hypercall returns 0 once vCPU 0 brings it up again. */
    sec_command = CMD_DOWN_SELF;
    int went_down = 0;
    for (int i = 0; i < 100000 && !went_down; i++) {
        if (sec_command == CMD_NONE && vcpu_op(LAM_VCPUOP_is_up, 1, NULL) == 0)
            went_down = 1;
        else
            hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    }
    LAM_CHECK(went_down, "vCPU 1 took itself down");
    LAM_CHECK(sec_resumed == 0, "its down hypercall has not returned yet");
    LAM_CHECK(vcpu_op(LAM_VCPUOP_up, 1, NULL) == 0, "bring it up");
    LAM_CHECK(wait_change(&sec_resumed, 0, 100000), "its down hypercall returned");
    LAM_CHECK(sec_down_rc == 0, "... with 0 (%ld)", sec_down_rc);
    LAM_CHECK(vcpu_op(LAM_VCPUOP_down, 1, NULL) == 0, "down vCPU 1 for good");
}
