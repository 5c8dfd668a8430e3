/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Machine memory at boot: the frame table and the page heap.
 *
 * From the boot loader's memory map we take every RAM range, carve the frame
 * table (one struct page_info per frame up to the highest RAM frame) out of
 * the first range large enough above the image and the modules, and hand the
 * rest of RAM to the buddy allocator, minus what must not be reused: the
 * first megabyte (firmware, real-mode structures), the hypervisor image and
 * the boot modules (the domain builder still reads them).
 *
 * The boot page tables map the first 4 GiB in the direct map; RAM above that
 * is left out of the heap for now (the machines we boot under QEMU have less).
 *
 * Reuse and the TLB: a frame freed here may still be translated by some CPU (a
 * guest that removed its last PTE without flushing). frames_free stamps each
 * frame with the TLB-flush clock; frames_alloc flushes the CPUs that have not
 * flushed since, before anyone writes into the frames (arch/x86/flushtlb.c).
 * That flush may send IPIs and wait for them: allocate with no lock held that
 * another CPU spins on with interrupts off (mm_lock is fine, nobody does).
 */
#include <asm/mm.h>
#include <hv/bootinfo.h>
#include <hv/buddy.h>
#include <hv/console.h>
#include <hv/lib.h>
#include <hv/panic.h>
#include <hv/xmalloc.h>
#include <asm/flushtlb.h>
#include <asm/x86.h>
#include <asm/sections.h>

#define DIRECTMAP_BOOT_LIMIT (4ull << 30)

struct page_info *frame_table;
mfn_t max_mfn;
static struct buddy heap;
static mfn_t heap_total;

struct range {
    uint64_t start, end;
};

#define MAX_RESERVED 24
static struct range reserved[MAX_RESERVED];
static unsigned int nr_reserved;

static void reserve(uint64_t start, uint64_t end)
{
    if (nr_reserved < MAX_RESERVED && end > start)
        reserved[nr_reserved++] =
            (struct range){ALIGN_DOWN(start, PAGE_SIZE), ALIGN_UP(end, PAGE_SIZE)};
}

/* Lowest address >= start such that [addr, addr+len) avoids every reserved range. */
static uint64_t skip_reserved(uint64_t start, uint64_t len)
{
    bool moved = true;
    while (moved) {
        moved = false;
        for (unsigned int i = 0; i < nr_reserved; i++)
            if (start < reserved[i].end && start + len > reserved[i].start) {
                start = reserved[i].end;
                moved = true;
            }
    }
    return start;
}

/* Add [start, end) minus the reserved ranges to the heap. */
static void heap_add(uint64_t start, uint64_t end)
{
    while (start < end) {
        uint64_t next_res = end;
        bool inside = false;
        for (unsigned int i = 0; i < nr_reserved; i++) {
            if (start >= reserved[i].start && start < reserved[i].end) {
                start = reserved[i].end;
                inside = true;
                break;
            }
            if (reserved[i].start > start && reserved[i].start < next_res)
                next_res = reserved[i].start;
        }
        if (inside)
            continue;
        if (next_res > start) {
            buddy_add_free_range(&heap, start >> PAGE_SHIFT, (next_res - start) >> PAGE_SHIFT);
            heap_total += (next_res - start) >> PAGE_SHIFT;
        }
        start = next_res;
    }
}

static void *xmalloc_page_alloc(unsigned int order)
{
    return pages_alloc(order);
}

static void xmalloc_page_free(void *p, unsigned int order)
{
    pages_free(p, order);
}

void mm_init(void)
{
    uint64_t top = 0;

    reserve(0, 1 << 20);
    reserve(hv_virt_to_phys(__image_start), hv_virt_to_phys(__image_end));
    for (unsigned int i = 0; i < boot_info.nr_modules; i++)
        reserve(boot_info.modules[i].start, boot_info.modules[i].end);

    for (unsigned int i = 0; i < boot_info.nr_ranges; i++) {
        const struct boot_mem_range *r = &boot_info.ranges[i];
        if (r->type == LAM_E820_RAM && r->addr + r->len > top)
            top = r->addr + r->len;
    }
    if (top > DIRECTMAP_BOOT_LIMIT) {
        log_printf(LOG_WARN, "mm: only the first 4 GiB of RAM are used (of %lu MiB)",
                   (unsigned long)(top >> 20));
        top = DIRECTMAP_BOOT_LIMIT;
    }
    max_mfn = top >> PAGE_SHIFT;

    /* Place the frame table. */
    uint64_t ft_bytes = ALIGN_UP(max_mfn * sizeof(struct page_info), PAGE_SIZE);
    uint64_t ft_pa = 0;
    for (unsigned int i = 0; i < boot_info.nr_ranges && !ft_pa; i++) {
        const struct boot_mem_range *r = &boot_info.ranges[i];
        if (r->type != LAM_E820_RAM)
            continue;
        uint64_t s = skip_reserved(ALIGN_UP(r->addr, PAGE_SIZE), ft_bytes);
        if (s + ft_bytes <= MIN(r->addr + r->len, top))
            ft_pa = s;
    }
    if (!ft_pa)
        panic("mm: no room for a %lu KiB frame table", (unsigned long)(ft_bytes >> 10));
    reserve(ft_pa, ft_pa + ft_bytes);
    frame_table = __va(ft_pa);
    memset(frame_table, 0, ft_bytes);

    buddy_init(&heap, frame_table, max_mfn);
    for (unsigned int i = 0; i < boot_info.nr_ranges; i++) {
        const struct boot_mem_range *r = &boot_info.ranges[i];
        if (r->type == LAM_E820_RAM)
            heap_add(ALIGN_UP(r->addr, PAGE_SIZE),
                     ALIGN_DOWN(MIN(r->addr + r->len, top), PAGE_SIZE));
    }
    xmalloc_init(xmalloc_page_alloc, xmalloc_page_free);
    printk("mm: %lu MiB RAM, %lu frames in the heap, frame table %lu KiB at %#lx",
           (unsigned long)(top >> 20), (unsigned long)heap_total, (unsigned long)(ft_bytes >> 10),
           (unsigned long)ft_pa);
}

mfn_t frames_alloc(unsigned int order)
{
    mfn_t mfn = buddy_alloc(&heap, order);
    if (mfn != INVALID_MFN)
        tlbflush_frames_reused(mfn, order);
    return mfn;
}

/*
 * A block whose frames will be freed one by one (domain memory: the guest
 * balloons single pages back): mark every frame an allocated order-0 block so
 * the allocator accepts each free on its own and coalesces them again.
 */
mfn_t frames_alloc_split(unsigned int order)
{
    mfn_t mfn = buddy_alloc(&heap, order);
    if (mfn != INVALID_MFN) {
        tlbflush_frames_reused(mfn, order);
        buddy_split(&heap, mfn, order);
    }
    return mfn;
}

mfn_t frames_alloc_split_below(unsigned int order, mfn_t limit)
{
    mfn_t mfn = buddy_alloc_below(&heap, order, limit);
    if (mfn != INVALID_MFN) {
        tlbflush_frames_reused(mfn, order);
        buddy_split(&heap, mfn, order);
    }
    return mfn;
}

void frames_free(mfn_t mfn, unsigned int order)
{
    for (mfn_t i = 0; i < (1ull << order); i++)
        page_set_tlbflush_timestamp(mfn_to_page(mfn + i));
    buddy_free(&heap, mfn, order);
}

static void zero_frame(mfn_t mfn)
{
    memset(mfn_to_virt(mfn), 0, PAGE_SIZE);
}

void frames_scrub_idle(void)
{
    /* 4096 frame descriptors looked at, 8 frames (32 KiB) cleared at most under the heap
     * lock: allocations on other CPUs wait little. */
    buddy_scrub(&heap, 4096, 8, zero_frame);
}

bool frames_scrub_pending(void)
{
    return buddy_dirty_frames(&heap) != 0;
}

bool frame_take_zeroed(mfn_t mfn)
{
    return page_take_zeroed(mfn_to_page(mfn));
}

void *pages_alloc(unsigned int order)
{
    mfn_t mfn = frames_alloc(order);
    return mfn == INVALID_MFN ? NULL : mfn_to_virt(mfn);
}

void *pages_zalloc(unsigned int order)
{
    void *p = pages_alloc(order);
    if (p)
        memset(p, 0, PAGE_SIZE << order);
    return p;
}

void pages_free(void *va, unsigned int order)
{
    if (va)
        frames_free(virt_to_mfn(va), order);
}

mfn_t heap_free_frames(void)
{
    return buddy_free_frames(&heap);
}

mfn_t heap_total_frames(void)
{
    return heap_total;
}

uint64_t hv_virt_to_phys(const void *va)
{
    uint64_t v = (uint64_t)(uintptr_t)va;
    if (v >= HV_VIRT_BASE && v < HV_VIRT_BASE + HV_VIRT_SIZE)
        return v - HV_VIRT_OFFSET;
    return __pa(va);
}

int mfn_valid(mfn_t mfn)
{
    return mfn < max_mfn && page_state(&frame_table[mfn]) != PGC_state_reserv;
}

/* Is the frame inside a RAM range of the boot memory map? */
bool mfn_is_ram(mfn_t mfn)
{
    uint64_t pa = mfn << PAGE_SHIFT;
    for (unsigned int i = 0; i < boot_info.nr_ranges; i++) {
        const struct boot_mem_range *r = &boot_info.ranges[i];
        if (r->type == LAM_E820_RAM && pa >= r->addr && pa + PAGE_SIZE <= r->addr + r->len)
            return true;
    }
    return false;
}

/* One past the highest frame number the CPU's physical address width allows. */
mfn_t max_phys_mfn(void)
{
    static mfn_t cached;
    if (!cached) {
        uint32_t a, b, c, d;
        unsigned int bits = 36;
        cpuid(CPUID_EXT_BASE, &a, &b, &c, &d);
        if (a >= CPUID_LEAF_ADDR_SIZES) {
            cpuid(CPUID_LEAF_ADDR_SIZES, &a, &b, &c, &d);
            bits = a & 0xff;
        }
        cached = 1ull << (bits - PAGE_SHIFT);
    }
    return cached;
}
