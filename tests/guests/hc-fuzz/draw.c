/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Drawing argument values: the PRNG and the pools of integers, ids, times,
 * addresses, frames and page-table entries the grammar builds calls from.
 * Every draw consumes the same number of PRNG outputs whatever the options
 * (avoid=, replay=), so the calls after a changed one stay the same.
 */
#include <lamina/memory_layout.h>
#include <lamina/mmu.h>
#include <lamina/traps.h>
#include <lamina/types.h>

#include "env.h"

/* --- PRNG --------------------------------------------------------------------- */

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void hcf_rng_seed(struct hcf_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t hcf_rng_next(struct hcf_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t hcf_u64(struct hcf_worker *w)
{
    return hcf_rng_next(&w->rng);
}

uint64_t hcf_below(struct hcf_worker *w, uint64_t n)
{
    return n ? hcf_u64(w) % n : 0;
}

int hcf_chance(struct hcf_worker *w, unsigned int percent)
{
    return hcf_below(w, 100) < percent;
}

/* --- Integers ----------------------------------------------------------------- */

uint64_t hcf_int(struct hcf_worker *w)
{
    static const uint64_t edges[] = {0,
                                     1,
                                     2,
                                     3,
                                     7,
                                     8,
                                     15,
                                     16,
                                     31,
                                     32,
                                     63,
                                     64,
                                     127,
                                     128,
                                     255,
                                     256,
                                     511,
                                     512,
                                     1023,
                                     1024,
                                     4095,
                                     4096,
                                     4097,
                                     8191,
                                     8192,
                                     0x7fff,
                                     0x8000,
                                     0xffff,
                                     0x10000,
                                     0x7fffffff,
                                     0x80000000,
                                     0xffffffff,
                                     0x100000000ULL,
                                     ~0ULL,
                                     ~0ULL - 1,
                                     0x7fffffffffffffffULL,
                                     0x8000000000000000ULL,
                                     0xfffffffffffff000ULL,
                                     0x00007ffffffff000ULL,
                                     0x0000800000000000ULL};
    switch (hcf_below(w, 4)) {
    case 0:
        return HCF_PICK(w, edges);
    case 1:
        return hcf_below(w, 16);
    case 2: {
        uint64_t p = 1ULL << hcf_below(w, 64);
        uint64_t d = hcf_below(w, 3);
        return p + d - 1;
    }
    default:
        return hcf_u64(w);
    }
}

uint64_t hcf_count(struct hcf_worker *w, uint64_t max)
{
    uint64_t r = hcf_below(w, 100);
    uint64_t n = 1 + hcf_below(w, max ? max : 1);
    if (r < 80)
        return n;
    if (r < 85)
        return 0;
    if (r < 90)
        return max + 1;
    if (r < 95)
        return hcf_int(w);
    return 0x80000000u - hcf_below(w, 2); /* INT_MAX, and the first negative int */
}

uint16_t hcf_domid(struct hcf_worker *w)
{
    static const uint16_t ids[] = {LAM_DOMID_SELF,
                                   LAM_DOMID_SELF,
                                   LAM_DOMID_SELF,
                                   0,
                                   1,
                                   2,
                                   3,
                                   LAM_DOMID_IO,
                                   LAM_DOMID_XEN,
                                   LAM_DOMID_COW,
                                   LAM_DOMID_INVALID,
                                   LAM_DOMID_IDLE,
                                   0x7ffd,
                                   0x7fef,
                                   0xffff,
                                   0x8000};
    uint16_t d = HCF_PICK(w, ids);
    return d == 3 ? hcf_env.domid : d;
}

uint32_t hcf_vcpu(struct hcf_worker *w)
{
    switch (hcf_below(w, 6)) {
    case 0:
    case 1:
        return w->id;
    case 2:
        return (uint32_t)hcf_below(w, hcf_env.nr_vcpus);
    case 3:
        return hcf_env.nr_vcpus + (uint32_t)hcf_below(w, 2);
    case 4:
        return (uint32_t)hcf_below(w, 64);
    default:
        return (uint32_t)hcf_int(w);
    }
}

uint32_t hcf_port(struct hcf_worker *w, int may_be_infra)
{
    uint32_t p;
    switch (hcf_below(w, 5)) {
    case 0:
    case 1:
        p = (uint32_t)hcf_below(w, 48);
        break;
    case 2: {
        static const uint32_t edges[] = {0,    1,    63,   64,      1023,       1024,
                                         4095, 4096, 4097, 0x20000, 0x7fffffff, 0xffffffff};
        p = HCF_PICK(w, edges);
        break;
    }
    case 3:
        p = (uint32_t)hcf_env.ipi_ports[hcf_below(w, hcf_env.workers)];
        break;
    default:
        p = (uint32_t)hcf_int(w);
        break;
    }
    if (!may_be_infra)
        for (unsigned int i = 0; i < hcf_env.workers; i++)
            if (p == hcf_env.ipi_ports[i])
                p = 4096; /* ours: out of range instead */
    return p;
}

uint64_t hcf_time(struct hcf_worker *w, int bounded)
{
    uint64_t now = hcf_system_ns();
    uint64_t r = hcf_below(w, 10);
    uint64_t small = 1000 + hcf_below(w, 1000000); /* 1 us .. 1 ms */
    if (bounded || r < 4)
        return hcf_chance(w, 70) ? now + small : now - small;
    static const uint64_t edges[] = {0,
                                     1,
                                     0x7fffffffffffffffULL,
                                     0x8000000000000000ULL,
                                     ~0ULL,
                                     ~0ULL - 1000,
                                     1000000000ULL * 3600 * 24 * 365};
    uint64_t v = r < 7 ? HCF_PICK(w, edges) : now + (hcf_u64(w) >> hcf_below(w, 64));
    if (hcf_avoid(HCF_AVOID_TIMER_WRAP) && v > now + 1000000000ULL * 3600)
        v = now + small;
    return v;
}

/* --- Addresses ----------------------------------------------------------------- */

static uint64_t linear_va(struct hcf_worker *w)
{
    unsigned int l = HCF_LIN_SLOT;
    unsigned int i = (unsigned int)hcf_below(w, 512);
    switch (hcf_below(w, 4)) {
    case 0:
        return mm_make_va(l, l, l, l) + 8 * hcf_below(w, 512); /* the L4 itself */
    case 1:
        return mm_make_va(l, l, l, i); /* an L3 */
    case 2:
        return mm_make_va(l, l, HCF_PLAY_SLOT, (unsigned int)hcf_below(w, 4)); /* play L2 */
    default:
        return mm_make_va(l, HCF_PLAY_SLOT, (unsigned int)hcf_below(w, 2), i); /* play L1 */
    }
}

uint64_t hcf_va(struct hcf_worker *w)
{
    uint64_t r = hcf_below(w, 100);
    if (r < 50)
        return hcf_play_va((unsigned int)hcf_below(w, 512));
    if (r < 58)
        return hcf_env.sacrificial_va[hcf_below(w, HCF_SACRIFICIAL)];
    if (r < 68) {
        uint64_t va = linear_va(w);
        if (hcf_avoid(HCF_AVOID_UVA_NONL1))
            va = hcf_play_va((unsigned int)(va >> 12) & 511);
        return va;
    }
    if (r < 74) /* below the playground: no L2 there */
        return mm_make_va(HCF_PLAY_SLOT, 1 + (unsigned int)hcf_below(w, 511),
                          (unsigned int)hcf_below(w, 512), 0);
    if (r < 80) /* a fuzzable live L4 slot: mapped only if the grammar put a table there */
        return mm_make_va(hcf_fuzz_slots[hcf_below(w, hcf_nfuzz_slots)], 0, 0,
                          (unsigned int)hcf_below(w, 4));
    static const uint64_t bad[] = {0,
                                   0x1000,
                                   LAM_MACH2PHYS_VIRT_START,
                                   LAM_MACH2PHYS_VIRT_END - 0x1000,
                                   0xffff830000000000ULL,
                                   0xffff82d080000000ULL,
                                   LAM_HYPERVISOR_VIRT_END - 0x1000,
                                   0x0000800000000000ULL,
                                   0x8000000000000000ULL,
                                   0xfffe800000000000ULL,
                                   0x00007ffffffff000ULL,
                                   0xfffffffffffff000ULL};
    uint64_t va = HCF_PICK(w, bad);
    if (hcf_chance(w, 20))
        va += hcf_below(w, 4096);
    return va;
}

uint64_t hcf_code_va(struct hcf_worker *w, uint64_t good, int garbage_ok)
{
    static const uint64_t bad[] = {0,
                                   0x0000800000000000ULL,
                                   0x8000000000000000ULL,
                                   0xffff800000000000ULL,
                                   0xffff830000000000ULL,
                                   0xffff82d080000000ULL,
                                   LAM_HYPERVISOR_VIRT_END - 1,
                                   0xffff87ffffffffffULL};
    uint64_t r = hcf_below(w, 100);
    uint64_t bad_va = HCF_PICK(w, bad);
    uint64_t junk = hcf_u64(w);
    if (r < 55)
        return good;
    if (r < 90 || !garbage_ok)
        return bad_va;
    return junk;
}

uint16_t hcf_selector(struct hcf_worker *w)
{
    static const uint16_t sels[] = {LAM_FLAT_KERNEL_CS & ~3,
                                    LAM_FLAT_KERNEL_SS & ~3,
                                    LAM_FLAT_KERNEL_CS,
                                    LAM_FLAT_KERNEL_SS,
                                    LAM_FLAT_RING3_CS32,
                                    0,
                                    1,
                                    2,
                                    3,
                                    0x8,
                                    0x10,
                                    0x18,
                                    0x20,
                                    0x28,
                                    0x30,
                                    0x38,
                                    0x40,
                                    0xe008,
                                    0xe010,
                                    0xe018,
                                    0xe038,
                                    0xe040,
                                    0xfff8,
                                    0xffff,
                                    0x7,
                                    0xf,
                                    0x1000,
                                    0xdff8};
    if (hcf_chance(w, 85))
        return HCF_PICK(w, sels);
    return (uint16_t)hcf_u64(w);
}

/* --- Frames and page-table entries --------------------------------------------- */

uint64_t hcf_frame(struct hcf_worker *w, unsigned int classes, int *class_out)
{
    unsigned int c = (unsigned int)hcf_below(w, FR_NCLASSES);
    uint64_t i = hcf_u64(w);
    /* The next allowed, non-empty class from c on (the draw count stays fixed). */
    for (unsigned int k = 0; k < FR_NCLASSES; k++, c = (c + 1) % FR_NCLASSES)
        if ((classes & FRM(c)) && hcf_env.nframes[c])
            break;
    if (!(classes & FRM(c)) || !hcf_env.nframes[c])
        c = FR_NONE;
    if (class_out)
        *class_out = (int)c;
    return hcf_env.frames[c][i % hcf_env.nframes[c]];
}

static const char *const class_names[FR_NCLASSES] = {
    "scratch", "sacr", "free", "table",   "livept", "l4",   "prot", "grant",
    "shinfo",  "ring", "m2p",  "foreign", "low",    "none", "mmio"};

uint64_t hcf_pte(struct hcf_worker *w, unsigned int classes)
{
    int c;
    uint64_t mfn = hcf_frame(w, classes, &c);
    uint64_t flags;
    switch (hcf_below(w, 6)) {
    case 0:
        flags = MM_PTE_RO;
        break;
    case 1:
    case 2:
        flags = MM_PTE_FLAGS;
        break;
    case 3:
        flags = MM_PTE_FLAGS | LAM_PTE_USER |
                (hcf_u64(w) & (LAM_PTE_PWT | LAM_PTE_PCD | LAM_PTE_PSE | LAM_PTE_GLOBAL |
                               LAM_PTE_NX | (7ULL << 9)));
        break;
    case 4:
        flags = hcf_u64(w) & 0xfff;
        break;
    default: /* reserved and software bits above the frame number too */
        flags = (hcf_u64(w) & 0xfff) | (hcf_u64(w) & 0xfff0000000000000ULL);
        break;
    }
    /* The guest's own live frames only read-only: writing them would hurt the guest,
     * not the host (docs/security-hcfuzz.md). So is device memory for the control
     * domain, which may legitimately map it writable. */
    if (c == FR_PROT || c == FR_SHINFO || (c == FR_MMIO && hcf_env.privileged))
        flags &= ~LAM_PTE_RW;
    if (hcf_avoid(HCF_AVOID_SHARED_TYPES) && (c == FR_SHINFO || c == FR_GRANT || c == FR_RING))
        flags &= ~LAM_PTE_PRESENT; /* typed as tables when referenced from L2+ entries */
    hcf_note(w, " %s:%lx", class_names[c], (unsigned long)mfn);
    return (mfn << LAM_PAGE_SHIFT) | flags;
}

uint64_t hcf_entry_ma(struct hcf_worker *w)
{
    const struct hcf_env *e = &hcf_env;
    uint64_t r = hcf_below(w, 100);
    unsigned int i = (unsigned int)hcf_below(w, 512);
    uint64_t junk = hcf_u64(w);
    if (r < 30)
        return mm_tab_ma(e->play.l1, i);
    if (r < 40)
        return mm_tab_ma(e->play.l2, i);
    if (r < 45)
        return mm_tab_ma(e->play.l3, i);
    if (r < 60)
        return mm_va_to_ma(e->table_va[i % HCF_TABLES]) + 8 * (junk % 512);
    if (r < 68)
        return e->sacrificial_l1e_ma[i % HCF_SACRIFICIAL];
    if (r < 76) {
        uint64_t l4 = (junk & 1) ? e->live_l4_mfn : e->clone_l4_mfn;
        return (l4 << LAM_PAGE_SHIFT) + 8 * hcf_fuzz_slots[i % hcf_nfuzz_slots];
    }
    /* Not page tables: scratch and free frames take a plain write (Xen's
     * "writable" mmu_update); the rest must be refused. (Not the live tables: a write
     * there is an ordinary page-table update of the guest's own mappings.) */
    int c;
    uint64_t mfn = hcf_frame(w, FRM_WRITABLE_OK & ~(FRM(FR_GRANT) | FRM(FR_LIVEPT)), &c);
    uint64_t off = r < 92 ? 8 * (junk % 512) : junk % 4096;
    return (mfn << LAM_PAGE_SHIFT) + (off & ~3ULL);
}

/* --- Buffers ----------------------------------------------------------------------- */

void hcf_arena_reset(struct hcf_worker *w)
{
    /* Zeroed every time: a count beyond the batch then reads zeros, not an earlier call's
     * structures (whose fields in other places could be anything). */
    memset(w->arena, 0, HCF_ARENA_BYTES);
    w->arena_used = 0;
}

void *hcf_alloc(struct hcf_worker *w, size_t n, size_t align)
{
    size_t at = (w->arena_used + align - 1) & ~(align - 1);
    if (at + n > HCF_ARENA_BUILD) /* a generator bug: the arena is sized for the biggest call */
        lam_panic("hcf: arena overflow (%lu bytes at %lu)", (unsigned long)n, (unsigned long)at);
    w->arena_used = at + n;
    void *p = w->arena + at;
    memset(p, 0, n);
    return p;
}

uint64_t hcf_ptr(struct hcf_worker *w, void *buf, size_t n, int flags)
{
    uint64_t r = hcf_below(w, 100);
    uint64_t junk = hcf_u64(w);
    uint64_t p = (uint64_t)buf;
    int exact = flags & HCF_EXACT, out = flags & HCF_OUT;
    if (r < 82)
        return p;
    if (r < 85 && !exact && !w->no_straddle) {
        /* Straddle the end of the arena: the first part is readable, then a hole. The
         * contents move with it: copy what fits (the generator built them at buf). */
        uint64_t end = (uint64_t)w->arena + HCF_ARENA_BYTES;
        uint64_t at = end - (n > 1 ? 1 + junk % (n - 1) : 0);
        if (at > p && at >= (uint64_t)w->arena + HCF_ARENA_BUILD)
            memmove((void *)at, buf, end - at);
        else
            at = p;
        hcf_note(w, " straddle");
        return at;
    }
    if (r < 87 && !exact)
        return p + 1 + junk % 7; /* unaligned: the structure read shifted */
    if (r < 89) {                /* readable, not writable */
        hcf_note(w, " ro");
        /* The whole buffer on that page (past its end is another page of ours). */
        uint64_t off = n < LAM_PAGE_SIZE ? (junk % (LAM_PAGE_SIZE - n + 1)) & ~7ULL : 0;
        if (out && !exact)
            return hcf_env.ro_va + off; /* a live page table: writes must fail */
        return hcf_env.poison_va + off; /* all ones */
    }
    if (r < 91 && out && !exact) {
        /* A page the grammar may remap. (Not the playground: tables the grammar links
         * there may alias the guest's own frames writable, e.g. a bootstrap L1.) */
        hcf_note(w, " sacrificial");
        return hcf_env.sacrificial_va[junk % HCF_SACRIFICIAL] + (junk >> 32) % 4096;
    }
    static const uint64_t bad[] = {0,
                                   0x1000,
                                   0xdead0000,
                                   LAM_MACH2PHYS_VIRT_START,
                                   0xffff830000000000ULL,
                                   0xffff82d080000000ULL,
                                   LAM_HYPERVISOR_VIRT_END - 0x10,
                                   0x0000800000000000ULL - 8,
                                   0x8000000000000000ULL,
                                   0xfffffffffffffff8ULL};
    uint64_t v = bad[junk % (sizeof(bad) / sizeof(bad[0]))];
    hcf_note(w, " badptr");
    return v;
}

/* --- Descriptions --------------------------------------------------------------------- */

void hcf_note(struct hcf_worker *w, const char *fmt, ...)
{
    if (!w->describe || w->desc_len + 1 >= sizeof(w->desc))
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = lam_vsnprintf(w->desc + w->desc_len, sizeof(w->desc) - w->desc_len, fmt, ap);
    va_end(ap);
    if (n > 0)
        w->desc_len += (size_t)n;
    if (w->desc_len >= sizeof(w->desc))
        w->desc_len = sizeof(w->desc) - 1;
}
