/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Log-dirty mode as a save/migrate toolstack uses it, from dom0 on Xen 4.17 and Lamina:
 * a small domain is built with domctls (as domctl-build does) whose vCPU 0 increments a
 * counter and one quadword in each of 64 pages, forever, while its vCPU 1 writes two
 * other pages: the writers run on both CPUs while dom0 enables, peeks and cleans.
 * Then shadow_op: refused on ourselves, a missing domain, a bad op, a domain without
 * vCPUs, and ignored (0) on a dying one, as Xen 4.17.7; ENABLE_LOGDIRTY (twice: -EINVAL),
 * GET/SET_ALLOCATION, PEEK and CLEAN with the bitmap checked frame by frame (the written frames are
 * in it, the code page, a read-only page and an unmapped one are not), the pages count and the
 * bytes written for an odd count, the stats, a bitmap buffer that faults; the red-team paths (a
 * mapping made before enable, a write through our foreign mapping, a grant copy into it, page
 * tables); OFF. Also getpageframeinfo3 on its frames and XENMEM_maximum_gpfn. Frames that are
 * mapped writable but not written are in Lamina's bitmap and not in Xen's (docs/differences.md):
 * those checks depend on the hypervisor. Prints the writer's speed with log-dirty off and on (CLEAN
 * every 20 ms): the slowdown figure.
 */
#include <lamina/domctl.h>
#include <lamina/errno.h>
#include <lamina/grant_table.h>
#include <lamina/memory.h>
#include <lamina/sched.h>
#include <lamina/vcpu.h>
#include <lamina/version.h>

#include "domctl_util.h"
#include "mm_util.h"

const char lam_test_title[] = "logdirty: shadow_op log-dirty, getpageframeinfo3, maximum_gpfn";

/* The new domain's frames: pfn p is mapped at CODE_BASE + p * 4096 unless said otherwise. */
#define PFN_L4    0
#define PFN_L3    1
#define PFN_L2    2
#define PFN_L1    3
#define PFN_CODE  4  /* read-only */
#define PFN_STACK 5  /* writable, never written */
#define PFN_W0    6  /* the loop counter */
#define PFN_W1    7  /* written each round */
#define PFN_U     8  /* writable, never written */
#define PFN_R     9  /* read-only, never written */
#define PFN_N     10 /* not mapped at all */
#define PFN_F     11 /* not mapped by it; we write it through a foreign mapping */
/* 12-15: not mapped */
#define PFN_BENCH   16 /* 64 pages, one quadword each written per round */
#define NR_BENCH    64
#define NR_PFNS     (PFN_BENCH + NR_BENCH)
#define SLOT_SHARED NR_PFNS       /* our mapping of its shared_info */
#define SLOT_GRANT  (NR_PFNS + 1) /* ... and of its grant table */
#define PFN_G       12            /* not mapped by it; it grants it to us and we copy into it */
#define GREF        8             /* the first grant reference a toolstack leaves to the guest */
#define PFN_V1      14            /* 14 and 15: written by its second vCPU */
#define BASE_VA     0x400000UL    /* L4 0, L3 0, L2 2: the L1's slot p is pfn p */
#define VA(pfn)     (BASE_VA + (pfn)*4096UL)
#define PT_FLAGS    0x67UL /* P RW U A D */
#define RO_FLAGS    0x25UL /* P U A */
#define BITS        128    /* bitmap bits asked for: more than the domain has */

static struct lam_domctl op;
static struct lam_vcpu_guest_context ctx;
static int on_lamina;
static uint16_t child;
static uint64_t mfn[NR_PFNS];
static struct mm_tree tree; /* our view of the child's frames: L1 slot p maps pfn p */
static uint8_t bitmap[BITS / 8 + 8];
/* Lamina has log-dirty mode; Xen 4.17 only when built with shadow paging, which Debian's
 * is not (docs/differences.md): there ENABLE_LOGDIRTY answers -EOPNOTSUPP. */
static int have_logdirty;

static uint64_t *child_page(unsigned int pfn)
{
    return (uint64_t *)(tree.base + pfn * 4096UL);
}

static long map_child(unsigned int slot, uint64_t frame, uint64_t flags)
{
    return mm_update_dom(mm_tab_ma(tree.l1, slot), frame ? (frame << 12) | flags : 0, child);
}

static long shadow(uint16_t dom, uint32_t sop, uint32_t mode, void *buf, uint64_t pages)
{
    memset(&op, 0, sizeof(op));
    op.cmd = LAM_DOMCTL_shadow_op;
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    op.domain = dom;
    op.u.shadow_op.op = sop;
    op.u.shadow_op.mode = mode;
    op.u.shadow_op.dirty_bitmap = (uint64_t)buf;
    op.u.shadow_op.pages = pages;
    return hypercall_domctl(&op);
}

static long domctl_u32(uint32_t cmd, uint16_t dom, uint32_t val)
{
    memset(&op, 0, sizeof(op));
    op.cmd = cmd;
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    op.domain = dom;
    op.u.max_vcpus.max = val;
    return hypercall_domctl(&op);
}

static long create(unsigned int vcpus)
{
    static struct lam_domctl_createdomain good = {
        .max_evtchn_port = 1023,
        .max_grant_frames = -1,
        .max_maptrack_frames = -1,
        .grant_opts = 1,
    };
    memset(&op, 0, sizeof(op));
    op.cmd = LAM_DOMCTL_createdomain;
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    good.max_vcpus = vcpus;
    op.u.createdomain = good;
    return hypercall_domctl(&op);
}

static long populate(uint16_t dom, uint64_t *frames, unsigned int n)
{
    struct lam_memory_reservation r = {
        .extent_start = (uint64_t)frames, .nr_extents = n, .extent_order = 0, .domid = dom};
    return hypercall_memory_op(LAM_XENMEM_populate_physmap, &r);
}

static long ext_for(unsigned int cmd, uint64_t arg1, unsigned int dom)
{
    struct lam_mmuext_op e = {.cmd = cmd};
    e.arg1.mfn = arg1;
    return hypercall_mmuext_op(&e, 1, NULL, dom);
}

/* The loop: rbx = the counter page; each round one quadword of every bench page, the
 * counter and one quadword of PFN_W1. No stack, no hypercalls, no events. */
static void write_code(uint8_t *p)
{
    static const uint8_t head[] = {0x48, 0xbb};     /* movabs $VA(W0), %rbx */
    static const uint8_t loop_rax[] = {0x48, 0xb8}; /* loop: movabs $VA(BENCH), %rax */
    static const uint8_t rest[] = {
        0xb9, NR_BENCH, 0,    0,    0,          /* mov $64, %ecx */
        0x48, 0xff,     0x00,                   /* inner: incq (%rax) */
        0x48, 0x05,     0,    0x10, 0,    0,    /* add $4096, %rax */
        0xff, 0xc9,                             /* dec %ecx */
        0x75, 0xf3,                             /* jnz inner */
        0x48, 0xff,     0x03,                   /* incq (%rbx) */
        0x48, 0xff,     0x83, 8,    0x10, 0, 0, /* incq 0x1008(%rbx): PFN_W1 */
        0xeb, 0xd8,                             /* jmp loop */
    };
    uint64_t w0 = VA(PFN_W0), bench = VA(PFN_BENCH);
    memcpy(p, head, 2);
    memcpy(p + 2, &w0, 8);
    memcpy(p + 10, loop_rax, 2);
    memcpy(p + 12, &bench, 8);
    memcpy(p + 20, rest, sizeof(rest));
    /* vCPU 1, at +0x100: two quadwords, PFN_V1 and the next, forever. */
    static const uint8_t v1[] = {
        0x48, 0xff, 0x03,                /* loop: incq (%rbx) */
        0x48, 0xff, 0x83, 0, 0x10, 0, 0, /* incq 0x1000(%rbx) */
        0xeb, 0xf4,                      /* jmp loop */
    };
    uint64_t w2 = VA(PFN_V1);
    memcpy(p + 0x100, head, 2);
    memcpy(p + 0x102, &w2, 8);
    memcpy(p + 0x10a, v1, sizeof(v1));
}

static void set_context(uint32_t vcpu, uint64_t rip)
{
    memset(&ctx, 0, sizeof(ctx));
    ctx.flags = LAM_VGCF_in_kernel | LAM_VGCF_online;
    ctx.user_regs.rip = rip;
    ctx.user_regs.rsp = VA(PFN_STACK) + 4096 - vcpu * 2048;
    ctx.user_regs.rflags = 0x200;
    ctx.user_regs.cs = 0xe033;
    ctx.user_regs.ss = 0xe02b;
    ctx.kernel_ss = 0xe02b;
    ctx.kernel_sp = ctx.user_regs.rsp;
    ctx.ctrlreg[3] = mfn[PFN_L4] << 12;
    ctx.debugreg[6] = 0xffff0ff0;
    ctx.debugreg[7] = 0x400;
    memset(&op, 0, sizeof(op));
    op.cmd = LAM_DOMCTL_setvcpucontext;
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    op.domain = child;
    op.u.vcpucontext.vcpu = vcpu;
    op.u.vcpucontext.ctxt = (uint64_t)&ctx;
    mm_expect_rc("setvcpucontext", hypercall_domctl(&op), 0);
}

static void build_child(void)
{
    mm_expect_rc("createdomain", create(2), 0);
    child = op.domain;
    lam_printf("new domain: d%u\n", child);
    mm_expect_rc("max_vcpus(2)", domctl_u32(LAM_DOMCTL_max_vcpus, child, 2), 0);
    memset(&op, 0, sizeof(op));
    op.cmd = LAM_DOMCTL_max_mem;
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    op.domain = child;
    op.u.max_mem.max_memkb = NR_PFNS * 4;
    mm_expect_rc("max_mem", hypercall_domctl(&op), 0);
    for (unsigned int i = 0; i < NR_PFNS; i++)
        mfn[i] = i;
    mm_expect_rc("populate_physmap", populate(child, mfn, NR_PFNS), NR_PFNS);
    for (unsigned int i = 0; i < NR_PFNS; i++)
        mm_expect_rc("map a frame of it", map_child(i, mfn[i], MM_PTE_FLAGS), 0);
    child_page(PFN_L4)[0] = mfn[PFN_L3] << 12 | PT_FLAGS;
    child_page(PFN_L3)[0] = mfn[PFN_L2] << 12 | PT_FLAGS;
    child_page(PFN_L2)[2] = mfn[PFN_L1] << 12 | PT_FLAGS;
    for (unsigned int p = 0; p < NR_PFNS; p++) {
        uint64_t flags = p == PFN_CODE || p == PFN_R ? RO_FLAGS : PT_FLAGS;
        if (p <= PFN_L1)
            flags = RO_FLAGS; /* its own tables: read-only, as PV requires */
        if (p != PFN_N && !(p >= PFN_F && p < PFN_V1))
            child_page(PFN_L1)[p] = mfn[p] << 12 | flags;
    }
    write_code((uint8_t *)child_page(PFN_CODE));
    for (unsigned int i = 0; i < NR_PFNS; i++)
        mm_expect_rc("unmap it again", map_child(i, 0, 0), 0);
    mm_expect_rc("pin its L4", ext_for(LAM_MMUEXT_PIN_L4_TABLE, mfn[PFN_L4], child), 0);
    set_context(0, VA(PFN_CODE));
    set_context(1, VA(PFN_CODE) + 0x100);
}

/* The counter page, read through a read-only mapping of ours. */
static volatile uint64_t *counter;

static void wait_rounds(uint64_t n)
{
    uint64_t start = *counter;
    for (unsigned int i = 0; i < 2000000 && *counter - start < n; i++)
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
}

static void run_child(void)
{
    mm_expect_rc("map its counter read-only", map_child(PFN_W0, mfn[PFN_W0], MM_PTE_RO), 0);
    counter = (volatile uint64_t *)child_page(PFN_W0);
    mm_expect_rc("unpausedomain", domctl_u32(LAM_DOMCTL_unpausedomain, child, 0), 0);
    wait_rounds(3);
    lam_printf("its loop ran %lu rounds\n", (unsigned long)*counter);
    mm_expect(*counter >= 3, "the new domain runs its loop");
}

static int bit(unsigned int pfn)
{
    return (bitmap[pfn / 8] >> (pfn % 8)) & 1;
}

static void print_bitmap(const char *what)
{
    lam_printf("%s:", what);
    for (unsigned int p = 0; p < NR_PFNS; p++)
        if (bit(p))
            lam_printf(" %u", p);
    lam_printf(" (faults %u, dirty %u)\n", op.u.shadow_op.stats.fault_count,
               op.u.shadow_op.stats.dirty_count);
}

static long peek_or_clean(uint32_t sop, uint64_t pages)
{
    memset(bitmap, 0xee, sizeof(bitmap));
    return shadow(child, sop, 0, bitmap, pages);
}

/* A frame mapped writable but never written: in Lamina's bitmap, not in Xen's. */
static void expect_written_only(const char *when, int writable_too)
{
    int ok = 1;
    for (unsigned int p = PFN_BENCH; p < NR_PFNS; p++)
        ok &= bit(p);
    mm_expect(ok && bit(PFN_W0) && bit(PFN_W1), "every frame its vCPU 0 writes is dirty");
    mm_expect(bit(PFN_V1) && bit(PFN_V1 + 1), "both frames its vCPU 1 writes are dirty");
    int clean = !bit(PFN_CODE) && !bit(PFN_R) && !bit(PFN_N);
    for (unsigned int p = PFN_G; p < PFN_V1; p++)
        clean &= !bit(p);
    mm_expect(clean, "its code, a read-only and the unmapped frames are not");
    for (unsigned int p = NR_PFNS; p < BITS; p++)
        ok &= !bit(p);
    mm_expect(ok, "no frame beyond its memory is");
    int extra = bit(PFN_U) + bit(PFN_STACK);
    lam_printf("%s: writable-but-unwritten frames marked: %d of 2\n", when, extra);
    mm_expect(extra == (writable_too ? 2 : 0),
              on_lamina ? "Lamina marks every frame mapped writable (docs/differences.md)"
                        : "Xen marks only frames written");
}

static void check_refusals(void)
{
    mm_expect_rc("shadow_op on ourselves", shadow(0, LAM_DOMCTL_SHADOW_OP_PEEK, 0, NULL, 0),
                 -LAM_EINVAL);
    mm_expect_rc("shadow_op on a missing domain",
                 shadow(0x7fe0, LAM_DOMCTL_SHADOW_OP_PEEK, 0, NULL, 0), -LAM_ESRCH);
    mm_expect_rc("a bad shadow op", shadow(child, 99, 0, NULL, 0), -LAM_EINVAL);
    long rc = peek_or_clean(LAM_DOMCTL_SHADOW_OP_PEEK, BITS);
    lam_printf("PEEK before enabling: %ld, pages %lu, byte 0 0x%x\n", rc,
               (unsigned long)op.u.shadow_op.pages, bitmap[0]);
    mm_expect(rc == 0 && bitmap[0] == 0 && bitmap[BITS / 8 - 1] == 0,
              "PEEK before enabling: an empty bitmap");
    rc = shadow(child, LAM_DOMCTL_SHADOW_OP_GET_ALLOCATION, 0, NULL, 0);
    lam_printf("GET_ALLOCATION before enabling: %ld, %u MiB\n", rc, op.u.shadow_op.mb);
    if (on_lamina)
        mm_expect(rc == 0 && op.u.shadow_op.mb == 0, "  no shadow pool (a Xen with shadows)");
    rc = shadow(child, LAM_DOMCTL_SHADOW_OP_OFF, 0, NULL, 0);
    lam_printf("OFF before enabling: %ld\n", rc);
    if (on_lamina)
        mm_expect(rc == 0, "  nothing to turn off (a Xen with shadows)");
}

/* Whether this hypervisor has log-dirty mode for PV domains (see have_logdirty). */
static void probe_enable(void)
{
    long rc = shadow(child, LAM_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, 0, NULL, 0);
    lam_printf("ENABLE_LOGDIRTY: %ld\n", rc);
    have_logdirty = rc == 0;
    if (on_lamina)
        mm_expect(rc == 0, "ENABLE_LOGDIRTY");
    else if (rc == -LAM_EOPNOTSUPP)
        lam_printf("this Xen has no shadow paging: no PV log-dirty mode (docs/differences.md)\n");
    else
        mm_expect(rc == 0, "ENABLE_LOGDIRTY: 0, or -EOPNOTSUPP without shadow paging");
}

static void check_enable(void)
{
    mm_expect_rc("ENABLE_LOGDIRTY again",
                 shadow(child, LAM_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, 0, NULL, 0), -LAM_EINVAL);
    mm_expect_rc(
        "ENABLE with LOG_DIRTY while on",
        shadow(child, LAM_DOMCTL_SHADOW_OP_ENABLE, LAM_DOMCTL_SHADOW_ENABLE_LOG_DIRTY, NULL, 0),
        -LAM_EINVAL);
    mm_expect_rc("GET_ALLOCATION", shadow(child, LAM_DOMCTL_SHADOW_OP_GET_ALLOCATION, 0, NULL, 0),
                 0);
    lam_printf("shadow pool after enabling: %u MiB\n", op.u.shadow_op.mb);
    mm_expect(op.u.shadow_op.mb == 1, "  Xen's minimum: 128 pages a vCPU, rounded up to 1 MiB");
    mm_expect_rc("SET_ALLOCATION 0 while on",
                 shadow(child, LAM_DOMCTL_SHADOW_OP_SET_ALLOCATION, 0, NULL, 0), -LAM_EINVAL);
    mm_expect_rc("CLEAN with stats only", shadow(child, LAM_DOMCTL_SHADOW_OP_CLEAN, 0, NULL, BITS),
                 0);
    lam_printf("first CLEAN: pages %lu, faults %u, dirty %u\n", (unsigned long)op.u.shadow_op.pages,
               op.u.shadow_op.stats.fault_count, op.u.shadow_op.stats.dirty_count);
    mm_expect(op.u.shadow_op.pages == BITS, "  pages unchanged");
}

static void check_running_rounds(void)
{
    wait_rounds(3);
    mm_expect_rc("PEEK", peek_or_clean(LAM_DOMCTL_SHADOW_OP_PEEK, BITS), 0);
    print_bitmap("PEEK while it runs");
    mm_expect(op.u.shadow_op.pages == BITS, "  pages unchanged");
    mm_expect(bitmap[BITS / 8] == 0xee, "  nothing written past the bits asked for");
    mm_expect(op.u.shadow_op.stats.dirty_count >= NR_BENCH + 2, "  dirty_count counts them");
    expect_written_only("PEEK", on_lamina);
    mm_expect_rc("PEEK again", peek_or_clean(LAM_DOMCTL_SHADOW_OP_PEEK, BITS), 0);
    mm_expect(bit(PFN_W0) && bit(PFN_BENCH + NR_BENCH - 1), "  PEEK cleared nothing");
    mm_expect_rc("CLEAN", peek_or_clean(LAM_DOMCTL_SHADOW_OP_CLEAN, BITS), 0);
    print_bitmap("CLEAN while it runs");
    expect_written_only("CLEAN", on_lamina);
    mm_expect_rc(
        "CLEAN with LOGDIRTY_FINAL",
        shadow(child, LAM_DOMCTL_SHADOW_OP_CLEAN, LAM_DOMCTL_SHADOW_LOGDIRTY_FINAL, NULL, BITS), 0);
    mm_expect_rc("CLEAN with an unknown mode bit",
                 shadow(child, LAM_DOMCTL_SHADOW_OP_CLEAN, 2, NULL, BITS), -LAM_EINVAL);
    long rc = shadow(child, LAM_DOMCTL_SHADOW_OP_PEEK, 0, (void *)0x1000, BITS);
    lam_printf("PEEK into an unmapped buffer: %ld, stats back: dirty %u\n", rc,
               op.u.shadow_op.stats.dirty_count);
    mm_expect(rc == -LAM_EFAULT, "PEEK into an unmapped buffer: -EFAULT");
    memset(bitmap, 0xee, sizeof(bitmap));
    mm_expect_rc("PEEK of 13 bits", shadow(child, LAM_DOMCTL_SHADOW_OP_PEEK, 0, bitmap, 13), 0);
    mm_expect(op.u.shadow_op.pages == 13 && bitmap[2] == 0xee && bitmap[1] != 0xee,
              "  13 bits: 2 bytes written, pages stays 13");
}

/* Paused: nothing it runs writes. What is dirty now came from elsewhere. */
/* Red team: a grant copy into one of its frames (the grant written into its table by us,
 * as a toolstack seeds one): the hypervisor writes the frame, which must be marked. */
static void grant_copy_into_it(void)
{
    uint64_t frames[1] = {0};
    struct lam_gnttab_setup_table st = {
        .dom = child, .nr_frames = 1, .frame_list = (uint64_t)frames, .status = 99};
    mm_expect_rc("setup_table for it", hypercall_grant_table_op(LAM_GNTTABOP_setup_table, &st, 1),
                 0);
    mm_expect_rc("  status", st.status, LAM_GNTST_okay);
    mm_expect_rc("map its grant table", map_child(SLOT_GRANT, frames[0], MM_PTE_FLAGS), 0);
    volatile struct lam_grant_entry_v1 *e =
        (volatile struct lam_grant_entry_v1 *)child_page(SLOT_GRANT) + GREF;
    e->domid = 0;
    e->frame = (uint32_t)mfn[PFN_G];
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    e->flags = LAM_GTF_permit_access;
    uint64_t *ours = mm_alloc_page();
    mm_expect(ours != NULL, "a page of our own");
    if (ours) {
        ours[0] = 0x5a5a;
        struct lam_gnttab_copy c = {
            .source = {.u.gmfn = mm_va_to_mfn(ours), .domid = LAM_DOMID_SELF},
            .dest = {.u.ref = GREF, .domid = child, .offset = 64},
            .len = 8,
            .flags = LAM_GNTCOPY_dest_gref,
        };
        mm_expect_rc("grant copy into it", hypercall_grant_table_op(LAM_GNTTABOP_copy, &c, 1), 0);
        mm_expect_rc("  status", c.status, LAM_GNTST_okay);
    }
    e->flags = 0;
    mm_expect_rc("unmap its grant table", map_child(SLOT_GRANT, 0, 0), 0);
}

static void check_paused_paths(void)
{
    mm_expect_rc("pausedomain", domctl_u32(LAM_DOMCTL_pausedomain, child, 0), 0);
    for (unsigned int i = 0; i < 200; i++)
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    uint64_t c0 = *counter;
    for (unsigned int i = 0; i < 2000; i++)
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    mm_expect(*counter == c0, "paused: its loop stopped");
    mm_expect_rc("CLEAN", peek_or_clean(LAM_DOMCTL_SHADOW_OP_CLEAN, BITS), 0);
    mm_expect_rc("PEEK right after", peek_or_clean(LAM_DOMCTL_SHADOW_OP_PEEK, BITS), 0);
    print_bitmap("paused, after CLEAN");
    int written = bit(PFN_W0) + bit(PFN_W1) + bit(PFN_V1);
    mm_expect(on_lamina ? written == 3 : written == 0,
              on_lamina ? "Lamina: its writable frames start the round dirty"
                        : "Xen: a paused domain dirties nothing");
    mm_expect(!bit(PFN_F) && !bit(PFN_G) && !bit(PFN_CODE) && !bit(PFN_R),
              "  not the frames nobody wrote");

    /* Red team: a frame written through our (dom0's) foreign writable mapping. */
    mm_expect_rc("map its frame F writable", map_child(PFN_F, mfn[PFN_F], MM_PTE_FLAGS), 0);
    child_page(PFN_F)[5] = 0x1234;
    mm_expect_rc("unmap it", map_child(PFN_F, 0, 0), 0);
    grant_copy_into_it();
    mm_expect_rc("PEEK", peek_or_clean(LAM_DOMCTL_SHADOW_OP_PEEK, BITS), 0);
    print_bitmap("after our foreign write and grant copy");
    mm_expect(bit(PFN_G), "the frame a grant copy wrote is dirty");
    lam_printf("frame written through our foreign mapping: %d; its tables: %d %d %d %d\n",
               bit(PFN_F), bit(PFN_L4), bit(PFN_L3), bit(PFN_L2), bit(PFN_L1));
    if (on_lamina)
        mm_expect(bit(PFN_F) && bit(PFN_L4) && bit(PFN_L1),
                  "Lamina: a foreign write marks, tables are marked every round");
    mm_expect_rc("unpausedomain", domctl_u32(LAM_DOMCTL_unpausedomain, child, 0), 0);
}

static void check_pageframeinfo(void)
{
    mm_expect_rc("getdomaininfo", domctl_u32(LAM_DOMCTL_getdomaininfo, child, 0), 0);
    uint64_t si = op.u.getdomaininfo.shared_info_frame;
    static uint64_t a[9];
    const uint64_t want[9] = {
        LAM_DOMCTL_PFINFO_L4TAB | LAM_DOMCTL_PFINFO_LPINTAB,
        LAM_DOMCTL_PFINFO_L3TAB,
        LAM_DOMCTL_PFINFO_L2TAB,
        LAM_DOMCTL_PFINFO_L1TAB,
        LAM_DOMCTL_PFINFO_NOTAB,
        LAM_DOMCTL_PFINFO_NOTAB,
        LAM_DOMCTL_PFINFO_XTAB, /* our own frame */
        LAM_DOMCTL_PFINFO_XTAB, /* its shared_info: the hypervisor's */
        LAM_DOMCTL_PFINFO_XTAB, /* no such frame */
    };
    const uint64_t in[9] = {mfn[PFN_L4], mfn[PFN_L3],   mfn[PFN_L2], mfn[PFN_L1], mfn[PFN_CODE],
                            mfn[PFN_W0], mm_cur_l4_mfn, si,          1ull << 40};
    memcpy(a, in, sizeof(a));
    memset(&op, 0, sizeof(op));
    op.cmd = LAM_DOMCTL_getpageframeinfo3;
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    op.domain = child;
    op.u.getpageframeinfo3.num = 9;
    op.u.getpageframeinfo3.array = (uint64_t)a;
    mm_expect_rc("getpageframeinfo3", hypercall_domctl(&op), 0);
    for (unsigned int i = 0; i < 9; i++) {
        lam_printf("  frame 0x%lx: type 0x%lx\n", (unsigned long)in[i], (unsigned long)a[i]);
        mm_expect(a[i] == want[i], "  its type as Xen reports it");
    }
    op.u.getpageframeinfo3.num = 1025;
    mm_expect_rc("getpageframeinfo3 of 1025 frames", hypercall_domctl(&op), -LAM_E2BIG);
    op.u.getpageframeinfo3.num = 1ull << 32;
    mm_expect_rc("getpageframeinfo3 of 2^32 frames", hypercall_domctl(&op), -LAM_E2BIG);
    op.u.getpageframeinfo3.num = 2;
    op.u.getpageframeinfo3.array = 0x1000;
    mm_expect_rc("getpageframeinfo3 from an unmapped array", hypercall_domctl(&op), -LAM_EFAULT);
    op.u.getpageframeinfo3.num = 0;
    mm_expect_rc("getpageframeinfo3 of no frames", hypercall_domctl(&op), 0);
}

static long max_gpfn(uint16_t dom)
{
    return hypercall_memory_op(LAM_XENMEM_maximum_gpfn, &dom);
}

static void check_maximum_gpfn(void)
{
    mm_expect_rc("getdomaininfo", domctl_u32(LAM_DOMCTL_getdomaininfo, child, 0), 0);
    uint64_t si = op.u.getdomaininfo.shared_info_frame;
    mm_expect_rc("maximum_gpfn before it says", max_gpfn(child), 0);
    mm_expect_rc("map its shared_info writable", map_child(SLOT_SHARED, si, MM_PTE_FLAGS), 0);
    struct lam_shared_info *theirs = (struct lam_shared_info *)child_page(SLOT_SHARED);
    theirs->arch.max_pfn = NR_PFNS; /* as Linux publishes its p2m size */
    mm_expect_rc("maximum_gpfn: its max_pfn - 1", max_gpfn(child), NR_PFNS - 1);
    theirs->arch.max_pfn = 0;
    mm_expect_rc("unmap it", map_child(SLOT_SHARED, 0, 0), 0);
    mm_expect_rc("maximum_gpfn of a missing domain", max_gpfn(0x7fe0), -LAM_ESRCH);
    mm_expect_rc("maximum_gpfn from an unmapped argument",
                 hypercall_memory_op(LAM_XENMEM_maximum_gpfn, (void *)0x1000), -LAM_EFAULT);
    lam_printf("maximum_gpfn of ourselves: %ld\n", max_gpfn(LAM_DOMID_SELF));
}

/* Rounds of its loop per second over 300 ms, optionally with a CLEAN every 20 ms. */
static uint64_t rounds_per_sec(int cleaning)
{
    uint64_t t0 = lam_pvclock_ns(), c0 = *counter, next = t0;
    while (lam_pvclock_ns() - t0 < 300000000ull) {
        if (cleaning && lam_pvclock_ns() >= next) {
            shadow(child, LAM_DOMCTL_SHADOW_OP_CLEAN, 0, bitmap, BITS);
            next += 20000000ull;
        }
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    }
    uint64_t ns = lam_pvclock_ns() - t0;
    return (*counter - c0) * 1000000000ull / (ns ? ns : 1);
}

static long logdirty_op(uint32_t sop)
{
    return shadow(child, sop, 0, NULL, 0);
}

/* Two rounds of each, alternating, as the host's load drifts. */
static void measure(void)
{
    uint64_t on1 = rounds_per_sec(1);
    mm_expect_rc("OFF", logdirty_op(LAM_DOMCTL_SHADOW_OP_OFF), 0);
    uint64_t off1 = rounds_per_sec(0);
    mm_expect_rc("ENABLE_LOGDIRTY again", logdirty_op(LAM_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY), 0);
    uint64_t on2 = rounds_per_sec(1);
    mm_expect_rc("OFF", logdirty_op(LAM_DOMCTL_SHADOW_OP_OFF), 0);
    uint64_t off2 = rounds_per_sec(0);
    uint64_t on = on1 + on2, off = off1 + off2;
    lam_printf("bench: writer rounds/s (64 pages each): log-dirty on with CLEAN every 20 ms %lu, "
               "%lu; off %lu, %lu; on/off %lu%%\n",
               (unsigned long)on1, (unsigned long)on2, (unsigned long)off1, (unsigned long)off2,
               (unsigned long)(off ? on * 100 / off : 0));
    /* A loaded host may leave one vCPU without a CPU for a whole 300 ms phase: the
     * figures are information, only the writer's running at all is checked. */
    mm_expect(on + off > 0, "the writer ran while measured");
}

static void check_off(void)
{
    mm_expect_rc("OFF again", shadow(child, LAM_DOMCTL_SHADOW_OP_OFF, 0, NULL, 0), 0);
    mm_expect_rc("GET_ALLOCATION after OFF",
                 shadow(child, LAM_DOMCTL_SHADOW_OP_GET_ALLOCATION, 0, NULL, 0), 0);
    mm_expect(op.u.shadow_op.mb == 0, "  the pool went with it");
    long rc = peek_or_clean(LAM_DOMCTL_SHADOW_OP_PEEK, BITS);
    lam_printf("PEEK after OFF: %ld, byte 0 0x%x\n", rc, bitmap[0]);
    mm_expect(rc == 0 && bitmap[0] == 0 && bitmap[PFN_BENCH / 8] == 0,
              "PEEK after OFF: an empty bitmap");
}

static void check_set_allocation(void)
{
    memset(&op, 0, sizeof(op));
    op.cmd = LAM_DOMCTL_shadow_op;
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    op.domain = child;
    op.u.shadow_op.op = LAM_DOMCTL_SHADOW_OP_SET_ALLOCATION;
    op.u.shadow_op.mb = 2;
    mm_expect_rc("SET_ALLOCATION 2 MiB while off", hypercall_domctl(&op), 0);
    mm_expect(op.u.shadow_op.mb == 2, "  2 MiB back");
    op.u.shadow_op.op = LAM_DOMCTL_SHADOW_OP_SET_ALLOCATION;
    op.u.shadow_op.mb = 0;
    mm_expect_rc("SET_ALLOCATION 0 while off", hypercall_domctl(&op), 0);
    mm_expect(op.u.shadow_op.mb == 0, "  none");
}

/* A domain with no vCPUs yet, and one being destroyed: -EINVAL. */
static void check_domain_states(void)
{
    mm_expect_rc("createdomain (no vCPUs)", create(1), 0);
    uint16_t bare = op.domain;
    mm_expect_rc("ENABLE_LOGDIRTY without vCPUs",
                 shadow(bare, LAM_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, 0, NULL, 0), -LAM_EINVAL);
    mm_expect_rc("destroy it", domctl_u32(LAM_DOMCTL_destroydomain, bare, 0), 0);

    /* Our mapping of its counter keeps the destroyed child listed (dying). */
    mm_expect_rc("destroydomain", domctl_u32(LAM_DOMCTL_destroydomain, child, 0), 0);
    mm_expect_rc("getdomaininfo", domctl_u32(LAM_DOMCTL_getdomaininfo, child, 0), 0);
    mm_expect(op.domain == child && (op.u.getdomaininfo.flags & LAM_DOMINF_dying),
              "it is dying while we map a frame of it");
    /* Xen 4.17 ignores a paging op on a dying domain: 0, nothing filled in. */
    memset(&op, 0, sizeof(op));
    op.cmd = LAM_DOMCTL_shadow_op;
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    op.domain = child;
    op.u.shadow_op.op = LAM_DOMCTL_SHADOW_OP_GET_ALLOCATION;
    op.u.shadow_op.mb = 77;
    mm_expect_rc("GET_ALLOCATION of a dying domain", hypercall_domctl(&op), 0);
    mm_expect(op.u.shadow_op.mb == 77, "  ignored: mb as we passed it");
    mm_expect_rc("ENABLE_LOGDIRTY of a dying domain",
                 shadow(child, LAM_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, 0, NULL, 0), 0);
    mm_expect_rc("unmap its counter", map_child(PFN_W0, 0, 0), 0);
    int gone = 0;
    for (unsigned int i = 0; i < 200000 && !gone; i++) {
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
        long rc = domctl_u32(LAM_DOMCTL_getdomaininfo, child, 0);
        gone = rc == -LAM_ESRCH || (rc == 0 && op.domain != child);
    }
    mm_expect(gone, "then it is gone");
}

void test_main(void)
{
    mm_init();
    char extra[16] = {0};
    hypercall_xen_version(LAM_XENVER_extraversion, extra);
    on_lamina = strstr(extra, "lamina") != NULL;
    mm_expect_rc("a tree for foreign mappings", mm_tree_build(&tree, 3), 0);
    build_child();
    run_child();
    check_refusals();
    probe_enable();
    if (have_logdirty) {
        check_enable();
        check_running_rounds();
        check_paused_paths();
    }
    check_pageframeinfo();
    check_maximum_gpfn();
    if (have_logdirty) {
        measure();
        check_off();
        check_set_allocation();
    }
    check_domain_states();
    mm_expect_rc("tree gone", mm_tree_destroy(&tree), 0);
}
