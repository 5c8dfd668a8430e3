/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The domU half of mm-contend-2dom: its two vCPUs fight over one frame as in
 * smp-pin-types round 1 (vCPU 0 pins it as an L1 table, vCPU 1 as an L2, each
 * unpins what it got), for ever. Every successful pin retypes the frame, so it
 * flushes the other vCPU's CPU (which the hypervisor once did while holding its
 * one memory lock, making dom0 wait too). Each vCPU counts its calls in the
 * console ring page (granted to dom0 as reference 0): ring[0] and ring[1].
 */
#include "mm_util.h"
#include "smp.h"

const char lam_test_title[] = "mm-contend-2dom peer (domU)";

static volatile uint64_t *ring;
static uint64_t frame_mfn;

static void hammer(unsigned int id)
{
    unsigned int cmd = id ? LAM_MMUEXT_PIN_L2_TABLE : LAM_MMUEXT_PIN_L1_TABLE;
    for (;;) {
        if (!mm_ext(cmd, frame_mfn))
            mm_ext(LAM_MMUEXT_UNPIN_TABLE, frame_mfn);
        __atomic_add_fetch(&ring[id], 1, __ATOMIC_RELEASE);
    }
}

void test_main(void)
{
    mm_init();
    ring = mm_mfn_to_va(lam_start_info->console.domU.mfn);
    uint64_t *frame = mm_alloc_page();
    if (!ring || !frame || smp_test_vcpus() < 2 || mm_page_set_ro(frame)) {
        lam_error("setup failed");
        return;
    }
    frame_mfn = mm_va_to_mfn(frame);
    if (smp_start_vcpu(1, hammer)) {
        lam_error("vCPU 1 did not start");
        return;
    }
    hammer(0);
}
