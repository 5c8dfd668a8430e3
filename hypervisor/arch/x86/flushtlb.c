/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The TLB-flush clock: no CPU keeps a translation of a frame past the point
 * where the frame changes type or is handed out again (Xen's flushtlb.c design).
 *
 * The problem. A PV guest edits its own page tables through the hypervisor,
 * which never flushes for an L1 change: the guest asks for the flushes it wants
 * (UVMF_*, MMUEXT_*FLUSH*, INVLPG), as on Xen. A guest that removes the last
 * writable PTE of a page and does not flush keeps a working, writable
 * translation of it in the TLB of every CPU that used it. That is harmless
 * while the frame is plain memory of the guest, and fatal once the hypervisor
 * relies on the frame's contents: after the frame became a GDT page (the guest
 * writes a call gate to ring 0), a page table (it writes entries mapping any
 * machine frame), or after it went back to the heap and was handed to another
 * domain or to the hypervisor itself. The same holds for translations *through*
 * a table frame (paging-structure caches) once the table takes another type.
 *
 * The rule. Before a frame takes a new type, and before a frame taken from the
 * heap is used, every CPU that may still hold a translation of it is flushed.
 * Flushing every CPU each time would be correct and slow; the clock tells which
 * CPUs have flushed since the translation could last have existed:
 *
 *  - tlbflush_clock, a global 64-bit counter, ticks before every full flush on
 *    any CPU (switch_cr3(): context switches, going idle, NEW_BASEPTR,
 *    flush_tlb_local(); CR4.PGE is off, so a CR3 write drops every
 *    translation); the CPU records the new value as its flush time
 *    (tlbflush_cpus[cpu].time) once the flush is done. The guest's own
 *    kernel/user switch, the hottest CR3 write of a PV guest (two per system
 *    call), records the clock's current value instead of ticking it
 *    (switch_cr3_guest_mode(): a plain read, not a locked add on a line every
 *    CPU writes): a flush that took its time T before it began, with no tick,
 *    is still known to come after every stamp below T;
 *  - a frame's tlbflush_timestamp is the clock value read when its last
 *    mapping may have gone: when its type count drops to 0 (pv/pagetype.c:
 *    the last writable mapping or table use ended) and when it is freed to the
 *    heap (frames_free: the last reference of any kind, read-only mappings
 *    included, ended);
 *  - a CPU needs flushing for the frame only if its flush time <= the stamp
 *    (tlbflush_needed): a larger time was taken after the stamp was read, so
 *    that flush began after the mapping was removed. 0 is "never flushed" for a
 *    CPU and "never mapped since the last flush everywhere" for a frame.
 *
 * Where it is applied:
 *
 *  - type change (pv/pagetype.c take_type_ref, any old type to any other): the
 *    CPUs that may cache the owner's translations (d->dirty_cpumask: every
 *    switch away writes CR3) filtered by the stamp, as Xen's _get_page_type.
 *    Writable mappings of the frame by other domains: grant mappings are
 *    flushed when they are unmapped, before their references go; a privileged
 *    domain's foreign mappings are its own to flush, as on Xen;
 *  - reuse (frames_alloc and frames_alloc_split, arch/x86/mm.c): every online
 *    CPU filtered by the newest stamp of the block, as Xen's alloc_heap_pages,
 *    whoever gets the frames (a domain, the hypervisor's own allocators); the
 *    stamps are then cleared, since no CPU holds a translation any more.
 *    Freeing never flushes: most freed frames are reused long after every CPU
 *    flushed anyway.
 *
 * Ordering: the clock ticks (a locked add) or is read before the CR3 write and
 * the CPU's time is stored after it; a stamp is read after the entry was
 * removed with a locked instruction or a CR3 write, which x86 orders before the
 * read. A flush whose time is above the stamp read the clock after a tick that
 * came after the stamp's read, hence after the removal was visible, so it
 * cannot have cached the removed entry again; with equal values the order is
 * unknown and the CPU is flushed. A flush interrupted by a
 * flush IPI may store an older time than the IPI's flush did: that only makes
 * the CPU look staler than it is (a needless flush later), never fresher.
 *
 * Xen's clock is 32 bits with a global flush when it wraps; this one is 64
 * bits, which never wrap (the stamp costs page_info 8 bytes either way).
 *
 * Not covered here: L2-L4 updates through mmu_update flush every CPU of the
 * domain at the end of the batch (pv/mm.c, as Xen since XSA-286), which is
 * about the guest's view of its linear page tables, not about frame reuse.
 */
#include <asm/mm.h>
#include <asm/flushtlb.h>
#include <asm/x86.h>

uint64_t tlbflush_clock = 1;
struct tlbflush_cpu tlbflush_cpus[NR_CPUS];

void switch_cr3(uint64_t cr3)
{
    uint64_t t = __atomic_add_fetch(&tlbflush_clock, 1, __ATOMIC_SEQ_CST);
    write_cr3(cr3);
    __atomic_store_n(&tlbflush_cpus[smp_processor_id()].time, t, __ATOMIC_RELEASE);
}

void switch_cr3_guest_mode(uint64_t cr3)
{
    uint64_t t = tlbflush_current_time();
    write_cr3(cr3);
    __atomic_store_n(&tlbflush_cpus[smp_processor_id()].time, t, __ATOMIC_RELEASE);
}

void flush_tlb_local(void)
{
    switch_cr3(read_cr3());
}

void tlbflush_frames_reused(mfn_t mfn, unsigned int order)
{
    uint64_t newest = 0;
    for (mfn_t i = 0; i < (1ull << order); i++) {
        struct page_info *pg = mfn_to_page(mfn + i);
        if (pg->tlbflush_timestamp > newest)
            newest = pg->tlbflush_timestamp;
        pg->tlbflush_timestamp = 0;
    }
    if (newest)
        flush_tlb_mask_filtered(cpu_online_mask | cpumask_of(smp_processor_id()), newest);
}
