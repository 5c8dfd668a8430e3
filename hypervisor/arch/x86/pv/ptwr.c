/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * "Writable page tables": emulating a guest kernel's direct writes to its own
 * L1 page-table pages.
 *
 * Those pages are mapped read-only, so a plain store, XCHG, CMPXCHG or locked
 * bit operation on a PTE faults. We decode the instruction
 * (arch/x86/x86_emulate/x86_decode.c), compute the 8-byte entry it would produce
 * (x86_emulate_word_write), validate that entry exactly as mmu_update would,
 * and install it with a compare-and-exchange against the value the
 * computation started from; if the entry changed in between (the CPU sets
 * A/D bits behind our back) we start over. The guest's registers and flags
 * are updated as the instruction would have, and it resumes after it.
 * Writes to L2-L4 pages are not emulated: the fault goes to the guest.
 *
 * The same fault path also takes dom0's stores to I/O memory it may only read
 * (pv/iomem.c): plain aligned stores there are discarded, as on Xen.
 */
#include <asm/pv/mm.h>
#include <asm/pv/iomem.h>
#include <hv/console.h>
#include <hv/errcodes.h>
#include <asm/guest_access.h>
#include <hv/lib.h>
#include <asm/mm.h>
#include <asm/traps.h>
#include <asm/x86_emulate.h>
#include <asm/x86.h>

/* The L1 entry that maps va in the running page tables (read through the direct map). */
static pte_t walk_l1e(uint64_t va)
{
    pte_t *t = mfn_to_virt(read_cr3() >> PAGE_SHIFT);
    for (unsigned int level = 4; level > 1; level--) {
        pte_t e = t[pt_index(va, level)];
        if (!(e & _PAGE_PRESENT) || (level < 4 && (e & _PAGE_PSE)) || pte_mfn(e) >= max_mfn)
            return 0;
        t = mfn_to_virt(pte_mfn(e));
    }
    return t[pt_index(va, 1)];
}

static size_t fetch_insn(uint64_t rip, uint8_t *buf)
{
    size_t n = X86_MAX_INSN_LEN;
    /* The instruction may end before a page the guest has not mapped: shrink until readable. */
    while (n && copy_from_guest(buf, rip, n))
        n--;
    return n;
}

/*
 * A store to I/O memory dom0 may only read (the HPET, an I/O APIC: pv/iomem.c):
 * as Xen 4.17 (mmio_ro_emulated_write), a plain naturally aligned store at the faulting
 * address is discarded and the guest goes on after it; anything else gets its #PF.
 * Plain stores here: MOV and STOS of 1, 4 or 8 bytes (the decoder's forms).
 */
static bool discard_io_store(struct cpu_regs *regs, uint64_t cr2)
{
    uint8_t bytes[X86_MAX_INSN_LEN];
    size_t n = fetch_insn(regs->rip, bytes);
    struct x86_insn insn;
    if (!n || x86_decode(bytes, n, &insn) || (insn.op != X86_OP_MOV && insn.op != X86_OP_STOS))
        return false;
    uint64_t ea = x86_insn_ea(&insn, regs), unused;
    if (ea != cr2 || (ea & (insn.opsize - 1)))
        return false;
    /* Only for its effects on the registers (RIP, and RDI for STOS): the word is dropped. */
    return x86_emulate_word_write(&insn, ea & ~7ull, 0, &unused, regs) == 0;
}

/* Install new in place of old at slot if nothing changed it meanwhile. 1 = retry. */
static int l1e_cmpxchg(pte_t *slot, pte_t old, pte_t new, struct domain *d)
{
    if (!((old ^ new) & ~(_PAGE_ACCESSED | _PAGE_DIRTY)) || old == new) {
        /* Only A/D changed (or nothing): no references move. */
        return __atomic_compare_exchange_n(slot, &old, new, false, __ATOMIC_ACQ_REL,
                                           __ATOMIC_ACQUIRE)
                   ? 0
                   : 1;
    }
    return mod_pt_entry_cmpxchg(slot, 1, old, new, d);
}

bool pv_emulate_ptwr(struct cpu_regs *regs, uint64_t cr2, uint32_t error_code)
{
    struct vcpu *v = current;
    struct domain *d = v->domain;

    if (!v->kernel_mode ||
        (error_code & (PFEC_PRESENT | PFEC_WRITE)) != (PFEC_PRESENT | PFEC_WRITE) ||
        !guest_range_ok(cr2, 1))
        return false;
    pte_t map = walk_l1e(cr2);
    if (!(map & _PAGE_PRESENT) || (map & _PAGE_RW))
        return false;
    mfn_t mfn = pte_mfn(map);
    if ((mfn >= max_mfn || !page_get_owner(mfn_to_page(mfn))) && iomem_is_read_only(mfn))
        return discard_io_store(regs, cr2);
    if (mfn >= max_mfn)
        return false; /* I/O memory dom0 mapped read-only: no frame, no page table */
    struct page_info *pg = mfn_to_page(mfn);
    if (page_get_owner(pg) != d || page_type(pg) != PGT_l1_page_table)
        return false;

    uint8_t bytes[X86_MAX_INSN_LEN];
    size_t n = fetch_insn(regs->rip, bytes);
    struct x86_insn insn;
    if (!n || x86_decode(bytes, n, &insn))
        return false;
    uint64_t ea = x86_insn_ea(&insn, regs);
    if ((ea & ~7ull) != (cr2 & ~7ull) || (ea & 7) + insn.opsize > 8)
        return false; /* straddles two entries, or not the faulting address */

    pte_t *slot = (pte_t *)((char *)mfn_to_virt(mfn) + (cr2 & (PAGE_SIZE - 1) & ~7ull));
    for (int attempt = 0; attempt < 64; attempt++) {
        struct cpu_regs r = *regs;
        pte_t old = __atomic_load_n(slot, __ATOMIC_ACQUIRE), new;
        if (x86_emulate_word_write(&insn, ea & ~7ull, old, &new, &r))
            return false;
        struct mm_hold h = MM_HOLD_DOMAIN(d);
        int rc;
        do {
            mm_hold_begin(&h);
            /* Checked again under the lock: meanwhile another vCPU may have unpinned the
             * table, given the frame back and someone else taken it (as an L1 of theirs). */
            if (page_get_owner(pg) != d || page_type(pg) != PGT_l1_page_table ||
                !page_type_count(pg))
                rc = -EINVAL;
            else if (!pt_change_is_local(old, 1, d, d) && !mm_locked_global())
                rc = -EMMGLOBAL; /* it drops a reference on another domain's frame */
            else
                rc = l1e_cmpxchg(slot, old, new, d);
        } while (mm_hold_end(&h, rc));
        if (rc == 1)
            continue;
        if (rc) {
            log_printf(LOG_DEBUG, "d%u: emulated PTE write %#lx -> %#lx refused (%d)", d->domain_id,
                       (unsigned long)old, (unsigned long)new, rc);
            return false; /* the guest gets its page fault */
        }
        *regs = r;
        return true;
    }
    return false;
}
