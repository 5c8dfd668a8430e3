/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mmu-update-badcmd: the command of an mmu_update entry is the low three bits of its ptr
 * (Xen 4.17 reads sizeof(pte) - 1 of them); 4-7 are no command, refused with -ENOSYS,
 * and the batch stops there. Lamina read two bits, so ptr | 5 was a MACHPHYS update that
 * succeeded and the entries after it were applied (and ptr | 4 and | 6 were -EINVAL). 3,
 * NO_TRANSLATE, is a NORMAL update for a PV guest on Xen 4.17 (Lamina refused it), and a
 * real command at a machine address beyond any frame is -EINVAL (Lamina: -ENOSYS).
 *
 * The hypercall fuzzer's seed 35 (docs/security/hcfuzz.md, finding 8) hung on that: it had
 * moved its vcpu_info to a frame it could not follow (register_vcpu_info sets the upcall
 * flag there and every selector bit), a batch holding a ptr | 5 entry and, after it, a
 * plain write of 0 over that upcall flag went through on Lamina only, and its next
 * SCHEDOP_block slept for good: the wake-up IPI it sent found its selector bit already set,
 * so nothing set the flag again. Here the same few calls, with the vcpu_info on a page we
 * can read.
 */
#include <lamina/callback.h>
#include <lamina/sched.h>
#include <lamina/vcpu.h>

#include "mm_util.h"

const char lam_test_title[] = "an mmu_update entry whose ptr names no command ends the batch";

#define VI_OFFSET 0x80

static struct lam_vcpu_info *vi;
static volatile int upcalls;

static void on_callback(struct lam_regs *regs)
{
    if (regs->vector != LAM_CB_VECTOR_EVENT)
        lam_panic("unexpected callback 0x%lx", regs->vector);
    upcalls++;
    vi->evtchn_upcall_pending = 0;
    vi->evtchn_pending_sel = 0;
    regs->rflags &= ~0x200ULL; /* return with events masked */
}

static long mmu_batch(struct lam_mmu_update *reqs, unsigned int n, unsigned int *done)
{
    *done = 0;
    return hypercall_mmu_update(reqs, n, done, LAM_DOMID_SELF);
}

/* Each ptr command that is none, alone, on a frame of ours: -ENOSYS, the M2P and the frame
 * unchanged. */
static void each_unknown_command(uint64_t *frame, uint64_t m2p)
{
    uint64_t ma = mm_va_to_ma(frame);
    for (uint64_t cmd = 4; cmd <= 7; cmd++) {
        struct lam_mmu_update req = {.ptr = ma | cmd, .val = 0x1234};
        unsigned int done;
        long rc = mmu_batch(&req, 1, &done);
        lam_printf("mmu_update ptr | %lu: rc %ld, done %u\n", (unsigned long)cmd, rc, done);
        char what[48];
        lam_snprintf(what, sizeof(what), "ptr | %lu is no command", (unsigned long)cmd);
        mm_expect_rc(what, rc, -LAM_ENOSYS);
        mm_expect(done == 0 && frame[0] == 0, "no entry done, the frame unchanged");
        mm_expect(mm_m2p(ma >> LAM_PAGE_SHIFT) == m2p, "the frame's M2P entry unchanged");
    }
}

/* A real command at a machine address beyond any frame: -EINVAL (Lamina said -ENOSYS,
 * having taken the answer to ptr ~0 -- command 4 or 5 -- for one about the address). */
static void beyond_any_frame(void)
{
    static const uint64_t mas[] = {0xfffffffffffff000ull, 0x000ffffffffff000ull,
                                   0x0000100000000000ull};
    static const uint64_t cmds[] = {LAM_MMU_NORMAL_PT_UPDATE, LAM_MMU_MACHPHYS_UPDATE,
                                    LAM_MMU_PT_UPDATE_PRESERVE_AD};
    for (unsigned int i = 0; i < sizeof(mas) / sizeof(mas[0]); i++)
        for (unsigned int c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
            long rc = mm_update(mas[i] | cmds[c], 5);
            char what[64];
            lam_snprintf(what, sizeof(what), "command %lu at MA 0x%lx", (unsigned long)cmds[c],
                         (unsigned long)mas[i]);
            mm_expect_rc(what, rc, -LAM_EINVAL);
        }
}

/* NO_TRANSLATE on a page that is no page table: a plain write, as NORMAL. */
static void no_translate(uint64_t *frame)
{
    struct lam_mmu_update req = {.ptr = mm_va_to_ma(&frame[1]) | LAM_MMU_PT_UPDATE_NO_TRANSLATE,
                                 .val = 0x5678};
    unsigned int done;
    long rc = mmu_batch(&req, 1, &done);
    lam_printf("mmu_update NO_TRANSLATE: rc %ld, done %u, word 0x%lx\n", rc, done,
               (unsigned long)frame[1]);
    mm_expect_rc("NO_TRANSLATE of a plain page", rc, 0);
    mm_expect(done == 1 && frame[1] == 0x5678, "NO_TRANSLATE wrote the word");
}

void test_main(void)
{
    mm_init();
    struct lam_callback_register cb = {.type = LAM_CALLBACKTYPE_event,
                                       .address = (uint64_t)(uintptr_t)lam_event_entry};
    lam_callback_handler = on_callback;
    mm_expect_rc("register the event callback", hypercall_callback_op(LAM_CALLBACKOP_register, &cb),
                 0);

    /* 1. vcpu_info moved to a page of ours: the hypervisor sets the upcall flag there. */
    uint8_t *page = mm_alloc_page();
    struct lam_vcpu_register_vcpu_info reg = {.mfn = mm_va_to_mfn(page), .offset = VI_OFFSET};
    mm_expect_rc("register_vcpu_info", hypercall_vcpu_op(LAM_VCPUOP_register_vcpu_info, 0, &reg),
                 0);
    vi = (struct lam_vcpu_info *)(page + VI_OFFSET);
    vi->evtchn_upcall_mask = 1;
    lam_printf("after register_vcpu_info: upcall pending %u, sel 0x%lx\n",
               vi->evtchn_upcall_pending, (unsigned long)vi->evtchn_pending_sel);
    mm_expect(vi->evtchn_upcall_pending == 1, "register_vcpu_info set the upcall flag");

    /* 2. A batch: an entry with command 5 (MACHPHYS | 4) on another frame of ours, then a
     * plain write of 0 over the upcall flag (the page is no page table). */
    uint8_t *other = mm_alloc_page();
    uint64_t other_ma = mm_va_to_ma(other);
    uint64_t m2p = mm_m2p(other_ma >> LAM_PAGE_SHIFT);
    struct lam_mmu_update reqs[2] = {
        {.ptr = other_ma | 5, .val = 0x1234},
        {.ptr = (mm_va_to_ma(page) + VI_OFFSET) | LAM_MMU_NORMAL_PT_UPDATE, .val = 0},
    };
    unsigned int done;
    long rc = mmu_batch(reqs, 2, &done);
    lam_printf("batch [ptr | 5, write over the upcall flag]: rc %ld, done %u, upcall pending "
               "%u, M2P 0x%lx (was 0x%lx)\n",
               rc, done, vi->evtchn_upcall_pending,
               (unsigned long)mm_m2p(other_ma >> LAM_PAGE_SHIFT), (unsigned long)m2p);
    mm_expect_rc("the batch stops at ptr | 5", rc, -LAM_ENOSYS);
    mm_expect(done == 0, "no entry done");
    mm_expect(mm_m2p(other_ma >> LAM_PAGE_SHIFT) == m2p, "ptr | 5 changed no M2P entry");
    int flag_kept = vi->evtchn_upcall_pending == 1;
    mm_expect(flag_kept, "the entry after it was not applied: the upcall flag is still set");

    /* 3. The block the fuzzer hung in returns at once with the flag set, the upcall comes.
     * (Not tried when the flag is gone: it would sleep for good.) */
    if (flag_kept) {
        rc = hypercall_sched_op(LAM_SCHEDOP_block, NULL);
        vi->evtchn_upcall_mask = 1;
        lam_printf("SCHEDOP_block: rc %ld, upcalls %d\n", rc, upcalls);
        mm_expect_rc("SCHEDOP_block", rc, 0);
        mm_expect(upcalls == 1, "the pending upcall was delivered");
    }

    /* 4. Every command that is none, one at a time; and NO_TRANSLATE, which is one. */
    each_unknown_command((uint64_t *)other, m2p);
    no_translate((uint64_t *)other);
    beyond_any_frame();

    /* 5. MACHPHYS itself still works (the frame's own PFN, so nothing changes). */
    rc = mm_update(other_ma | LAM_MMU_MACHPHYS_UPDATE, m2p);
    mm_expect_rc("MACHPHYS_UPDATE of our frame to its own PFN", rc, 0);
}
