/* SPDX-License-Identifier: GPL-2.0-only */
/* The fake machine under pv_pagetype.c; see pagetype_shim.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "pagetype_shim.h"
#include <hv/continuation.h>
#include <asm/memlayout.h>
#include <asm/mm.h>
#include <asm/pv/mm.h>
#include <asm/tlbclock.h>

struct page_info *frame_table;
mfn_t max_mfn;
mfn_t shim_mfn_base;
struct domain shim_domu, shim_dom0;

unsigned int shim_flush_count;
uint64_t shim_flush_last_mask;
uint64_t tlbflush_clock;
struct tlbflush_cpu tlbflush_cpus[NR_CPUS];
unsigned int shim_l4_slots_count;
unsigned int shim_desc_validate_count;
int shim_desc_validate_rc;
pte_t shim_hv_slot_entry;
unsigned int shim_preempt_checks;
unsigned int shim_preempt_at;
struct preempt_stats preempt_stats;

static unsigned char *frame_mem;      /* SHIM_FRAMES host pages */
static struct page_info *frame_descs; /* SHIM_FRAMES descriptors */

static void shim_map(void)
{
    frame_mem = mmap(NULL, SHIM_FRAMES * PAGE_SIZE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    frame_descs = calloc(SHIM_FRAMES, sizeof(*frame_descs));
    if (frame_mem == MAP_FAILED || !frame_descs) {
        fprintf(stderr, "pagetype_shim: out of memory\n");
        abort();
    }
    /* __pa() of the host pages: the machine address the direct map puts there. */
    shim_mfn_base = ((uint64_t)(uintptr_t)frame_mem - DIRECTMAP_VIRT_BASE) >> PAGE_SHIFT;
    if (shim_mfn_base + SHIM_FRAMES + SHIM_MMIO_BEYOND > (PTE_ADDR_MASK >> PAGE_SHIFT) ||
        shim_mfn_base * sizeof(struct page_info) > (uintptr_t)frame_descs) {
        fprintf(stderr, "pagetype_shim: host address %p unusable\n", (void *)frame_mem);
        abort();
    }
    /* frame_table[SHIM_MFN(i)] == frame_descs[i], computed without out-of-bounds pointers. */
    frame_table =
        (struct page_info *)((uintptr_t)frame_descs - shim_mfn_base * sizeof(struct page_info));
    max_mfn = shim_mfn_base + SHIM_FRAMES;
}

static void shim_domain(struct domain *d, domid_t id, bool privileged)
{
    memset(d, 0, sizeof(*d));
    d->domain_id = id;
    d->is_privileged = privileged;
    d->max_pages = SHIM_FRAMES;
}

static void shim_give(unsigned int first, unsigned int n, struct domain *d, uint64_t state)
{
    for (unsigned int i = first; i < first + n; i++) {
        struct page_info *pg = &frame_descs[i];
        page_set_owner(pg, d);
        page_set_state(pg, state);
        if (d) {
            pg->count_info |= PGC_allocated | 1; /* the allocation reference */
            d->tot_pages++;
        }
    }
}

void shim_reset(void)
{
    if (!frame_mem)
        shim_map();
    memset(frame_mem, 0, SHIM_FRAMES * PAGE_SIZE);
    memset(frame_descs, 0, SHIM_FRAMES * sizeof(*frame_descs));
    shim_domain(&shim_domu, 1, false);
    shim_domain(&shim_dom0, 0, true);
    shim_domu.dirty_cpumask = cpumask_of(0);
    shim_give(SHIM_DOMU_0, SHIM_DOMU_N, &shim_domu, PGC_state_inuse);
    shim_give(SHIM_DOM0_0, SHIM_DOM0_N, &shim_dom0, PGC_state_inuse);
    shim_give(SHIM_HOLE_0, SHIM_HOLE_N, NULL, PGC_state_reserv);
    shim_give(SHIM_HV_0, SHIM_HV_N, NULL, PGC_state_reserv);
    shim_give(SHIM_FREE_0, SHIM_FREE_N, NULL, PGC_state_free);
    shim_flush_count = 0;
    shim_flush_last_mask = 0;
    tlbflush_clock = 1;
    memset(tlbflush_cpus, 0, sizeof(tlbflush_cpus));
    shim_l4_slots_count = 0;
    shim_desc_validate_count = 0;
    shim_desc_validate_rc = 0;
    shim_preempt_arm(0);
    shim_type_released_count = 0;
    shim_type_released_last = NULL;
    shim_released_count = 0;
    shim_released_last = NULL;
    memset(&preempt_stats, 0, sizeof(preempt_stats));
    /* Writable and present: were it ever treated as a guest entry, counts would break. */
    shim_hv_slot_entry = shim_pte(SHIM_HV_0, _PAGE_RW);
}

void shim_teardown(void)
{
    if (frame_mem)
        munmap(frame_mem, SHIM_FRAMES * PAGE_SIZE);
    free(frame_descs);
    frame_mem = NULL;
    frame_descs = NULL;
}

pte_t *shim_table(unsigned int i)
{
    return (pte_t *)(frame_mem + (size_t)i * PAGE_SIZE);
}

struct page_info *shim_page(unsigned int i)
{
    return &frame_descs[i];
}

pte_t shim_pte(unsigned int i, pte_t flags)
{
    return (SHIM_MFN(i) << PAGE_SHIFT) | _PAGE_PRESENT | flags;
}

/* ---- what pv_pagetype.c links against ---- */

void shim_preempt_arm(unsigned int at)
{
    shim_preempt_checks = 0;
    shim_preempt_at = at;
}

bool hypercall_preempt_check(void)
{
    return ++shim_preempt_checks == shim_preempt_at;
}

unsigned int shim_released_count;
struct page_info *shim_released_last;

void domain_page_released(struct page_info *pg)
{
    shim_released_count++;
    shim_released_last = pg;
}

unsigned int shim_type_released_count;
struct page_info *shim_type_released_last;

void logdirty_type_released(struct page_info *pg)
{
    shim_type_released_count++;
    shim_type_released_last = pg;
}

/* The tests play an operation under the global memory lock (foreign mappings need it). */
bool mm_locked_global(void)
{
    return true;
}

void flush_tlb_mask(cpumask_t mask)
{
    shim_flush_count++;
    shim_flush_last_mask = mask;
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
        if (mask & cpumask_of(cpu))
            tlbflush_cpus[cpu].time = ++tlbflush_clock;
}

void init_guest_l4_slots(pte_t *l4)
{
    shim_l4_slots_count++;
    for (unsigned int i = HV_SLOT_FIRST; i <= HV_SLOT_LAST; i++)
        l4[i] = shim_hv_slot_entry;
}

int validate_descriptor_page(struct page_info *pg);
int validate_descriptor_page(struct page_info *pg)
{
    (void)pg;
    shim_desc_validate_count++;
    return shim_desc_validate_rc;
}

bool mfn_is_ram(mfn_t mfn)
{
    if (mfn < shim_mfn_base || mfn >= max_mfn)
        return false;
    unsigned int i = (unsigned int)(mfn - shim_mfn_base);
    return i < SHIM_HOLE_0 || i >= SHIM_HOLE_0 + SHIM_HOLE_N;
}

mfn_t max_phys_mfn(void)
{
    return max_mfn + SHIM_MMIO_BEYOND;
}
