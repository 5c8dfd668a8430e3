/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A toolstack's domain build, by hand, from dom0 (Xen 4.17 and Lamina alike): createdomain
 * (with bad configurations first), max_vcpus, max_mem, populate_physmap on the new
 * domain's behalf, set/get_address_size, settimeoffset (seen in its shared_info), page
 * tables written through foreign mappings, the L4 pinned on the new domain's behalf
 * (mmuext_op with foreigndom, bad forms first), setvcpucontext (bad contexts first) and
 * getvcpucontext, unpause -- the domain's one page of code asks to shut down with reason
 * reboot, which proves it ran -- then destroydomain until it is gone, and the host's free
 * memory back where it was.
 */
#include <lamina/domctl.h>
#include <lamina/errno.h>
#include <lamina/memory.h>
#include <lamina/sched.h>
#include <lamina/sysctl.h>
#include <lamina/vcpu.h>
#include <lamina/version.h>

#include "domctl_util.h"
#include "mm_util.h"

const char lam_test_title[] = "domctl-build: create, populate, build, run and destroy a domain";

#define NR_PFNS  8
#define CODE_VA  0x400000UL /* L4 0, L3 0, L2 2, L1 0 */
#define STACK_VA 0x401000UL
#define PT_FLAGS 0x67UL /* P RW U A D */
#define RO_FLAGS 0x25UL /* P U A */
#define REASON   1      /* SHUTDOWN_reboot: not what a crash would give */

static struct lam_domctl op;
static struct lam_vcpu_guest_context ctx;
static int on_lamina;
static uint16_t child;
static uint64_t mfn[NR_PFNS];
static struct mm_tree tree; /* our view of the child's frames: L1 slot i maps pfn i */

static long domctl(uint32_t cmd, uint16_t dom)
{
    return lam_domctl(&op, cmd, dom);
}

static uint64_t free_pages(void)
{
    struct lam_sysctl s = {.cmd = LAM_SYSCTL_physinfo,
                           .interface_version = LAM_SYSCTL_INTERFACE_VERSION};
    return hypercall_sysctl(&s) ? 0 : s.u.physinfo.free_pages;
}

static long create(const struct lam_domctl_createdomain *cfg, uint16_t dom)
{
    memset(&op, 0, sizeof(op));
    op.cmd = LAM_DOMCTL_createdomain;
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    op.domain = dom;
    op.u.createdomain = *cfg;
    return hypercall_domctl(&op);
}

static const struct lam_domctl_createdomain good = {
    .handle = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
    .max_vcpus = 1,
    .max_evtchn_port = 1023,
    .max_grant_frames = -1,
    .max_maptrack_frames = -1,
    .grant_opts = 1,
};

static void check_bad_configs(void)
{
    struct lam_domctl_createdomain c = good;
    /* Both hypervisors under QEMU TCG have no HVM, IOMMU, vPMU or TBOOT. */
    static const struct {
        uint32_t flags;
        long rc;
    } refused[] = {
        {LAM_DOMCTL_CDF_hvm, -LAM_EOPNOTSUPP},
        {LAM_DOMCTL_CDF_hvm | LAM_DOMCTL_CDF_hap, -LAM_EOPNOTSUPP},
        {LAM_DOMCTL_CDF_hap, -LAM_EINVAL},
        {LAM_DOMCTL_CDF_iommu, -LAM_EINVAL},
        {LAM_DOMCTL_CDF_vpmu, -LAM_EINVAL},
        {LAM_DOMCTL_CDF_nested_virt, -LAM_EINVAL},
        {LAM_DOMCTL_CDF_s3_integrity, -LAM_EINVAL},
    };
    for (unsigned int i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        c.flags = refused[i].flags;
        long rc = create(&c, 0);
        lam_printf("createdomain flags 0x%x: %ld\n", refused[i].flags, rc);
        mm_expect(rc == refused[i].rc, "createdomain: a flag for what the host lacks");
    }
    c = good;
    c.flags = 1u << 12;
    mm_expect_rc("createdomain: an unknown flag", create(&c, 0), -LAM_EINVAL);
    c = good;
    c.max_vcpus = 0;
    mm_expect_rc("createdomain: no vCPUs", create(&c, 0), -LAM_EINVAL);
    c = good;
    c.grant_opts = 0;
    mm_expect_rc("createdomain: grant version 0", create(&c, 0), -LAM_EINVAL);
    c = good;
    c.grant_opts = 0x10;
    mm_expect_rc("createdomain: unknown grant options", create(&c, 0), -LAM_EINVAL);
    c = good;
    c.max_grant_frames = 0;
    mm_expect_rc("createdomain: no grant frames", create(&c, 0), -LAM_EINVAL);
    c = good;
    c.max_grant_frames = 65;
    mm_expect_rc("createdomain: more grant frames than gnttab_max_frames", create(&c, 0),
                 -LAM_EINVAL);
    c = good;
    c.arch_emulation_flags = 1; /* an emulated LAPIC */
    mm_expect_rc("createdomain: emulated devices for PV", create(&c, 0), -LAM_EOPNOTSUPP);
    c = good;
    c.iommu_opts = 1;
    mm_expect_rc("createdomain: IOMMU options without an IOMMU", create(&c, 0), -LAM_EINVAL);
    memset(&op, 0, sizeof(op));
    op.cmd = LAM_DOMCTL_createdomain;
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION - 1;
    op.u.createdomain = good;
    mm_expect_rc("createdomain: old interface version", hypercall_domctl(&op), -LAM_EACCES);
}

static void check_created(void)
{
    mm_expect_rc("createdomain", create(&good, 0), 0);
    child = op.domain;
    lam_printf("new domain: d%u\n", child);
    mm_expect(child > 0 && child < LAM_DOMID_FIRST_RESERVED, "a real domain id came back");
    mm_expect_rc("createdomain of a taken id", create(&good, child), -LAM_EEXIST);
    mm_expect_rc("getdomaininfo(new)", domctl(LAM_DOMCTL_getdomaininfo, child), 0);
    const struct lam_domctl_getdomaininfo *i = &op.u.getdomaininfo;
    mm_expect(op.domain == child, "getdomaininfo answers for it");
    mm_expect((i->flags & LAM_DOMINF_paused) != 0, "it starts paused");
    mm_expect(!(i->flags & (LAM_DOMINF_dying | LAM_DOMINF_shutdown)), "not dying or shut down");
    mm_expect(i->tot_pages == 0 && i->max_pages == 0, "no memory and a limit of 0");
    mm_expect(i->nr_online_vcpus == 0 && i->max_vcpu_id == 0xffffffffu, "no vCPUs yet");
    mm_expect(!memcmp(i->handle, good.handle, 16), "the handle is the one given");
}

static long max_vcpus(uint32_t n)
{
    memset(&op, 0, sizeof(op));
    op.cmd = LAM_DOMCTL_max_vcpus;
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    op.domain = child;
    op.u.max_vcpus.max = n;
    return hypercall_domctl(&op);
}

static long vcpucontext(uint32_t cmd, uint16_t dom, uint32_t vcpu, void *c)
{
    memset(&op, 0, sizeof(op));
    op.cmd = cmd;
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    op.domain = dom;
    op.u.vcpucontext.vcpu = vcpu;
    op.u.vcpucontext.ctxt = (uint64_t)c;
    return hypercall_domctl(&op);
}

static long populate(uint16_t dom, uint64_t *frames, unsigned int n)
{
    struct lam_memory_reservation r = {
        .extent_start = (uint64_t)frames, .nr_extents = n, .extent_order = 0, .domid = dom};
    return hypercall_memory_op(LAM_XENMEM_populate_physmap, &r);
}

static void check_vcpus_and_memory(void)
{
    mm_expect_rc("max_vcpus(2), not createdomain's 1", max_vcpus(2), -LAM_EINVAL);
    mm_expect_rc("getvcpucontext before max_vcpus",
                 vcpucontext(LAM_DOMCTL_getvcpucontext, child, 0, &ctx), -LAM_EINVAL);
    mm_expect_rc("max_vcpus(1)", max_vcpus(1), 0);
    mm_expect_rc("max_vcpus(1) again", max_vcpus(1), 0);
    mm_expect_rc("getvcpucontext of a vCPU never set",
                 vcpucontext(LAM_DOMCTL_getvcpucontext, child, 0, &ctx), -LAM_ENODATA);
    mm_expect_rc("getvcpucontext of vCPU 1", vcpucontext(LAM_DOMCTL_getvcpucontext, child, 1, &ctx),
                 -LAM_EINVAL);

    for (unsigned int i = 0; i < NR_PFNS; i++)
        mfn[i] = i;
    mm_expect_rc("populate_physmap before max_mem: no extent", populate(child, mfn, 1), 0);
    mm_expect_rc("populate_physmap for a domain that does not exist", populate(0x7fe0, mfn, 1), 0);
    memset(&op, 0, sizeof(op));
    op.cmd = LAM_DOMCTL_max_mem;
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    op.domain = child;
    op.u.max_mem.max_memkb = NR_PFNS * 4;
    mm_expect_rc("max_mem(32 KiB)", hypercall_domctl(&op), 0);
    mm_expect_rc("populate_physmap of 8 pfns", populate(child, mfn, NR_PFNS), NR_PFNS);
    uint64_t extra = NR_PFNS;
    mm_expect_rc("populate_physmap beyond max_mem", populate(child, &extra, 1), 0);
    mm_expect_rc("getdomaininfo", domctl(LAM_DOMCTL_getdomaininfo, child), 0);
    mm_expect(op.u.getdomaininfo.tot_pages == NR_PFNS, "tot_pages is what was populated");
    mm_expect(op.u.getdomaininfo.max_vcpu_id == 0 && op.u.getdomaininfo.nr_online_vcpus == 0,
              "vCPU 0 exists, down");
}

static long address_size(uint32_t cmd, uint32_t size)
{
    memset(&op, 0, sizeof(op));
    op.cmd = cmd;
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    op.domain = child;
    op.u.address_size.size = size;
    return hypercall_domctl(&op);
}

static void check_address_size(void)
{
    mm_expect_rc("set_address_size(64)", address_size(LAM_DOMCTL_set_address_size, 64), 0);
    mm_expect_rc("set_address_size(48)", address_size(LAM_DOMCTL_set_address_size, 48),
                 -LAM_EINVAL);
    long rc = address_size(LAM_DOMCTL_set_address_size, 32);
    /* Xen with PV32 refuses a domain that already has memory (-EACCES); without PV32, as
     * Lamina, -EOPNOTSUPP. */
    lam_printf("set_address_size(32) with memory: %ld\n", rc);
    mm_expect(on_lamina ? rc == -LAM_EOPNOTSUPP : rc == -LAM_EACCES || rc == -LAM_EOPNOTSUPP,
              "set_address_size(32) refused");
    mm_expect_rc("get_address_size", address_size(LAM_DOMCTL_get_address_size, 0), 0);
    mm_expect(op.u.address_size.size == 64, "the domain is 64-bit");
}

static uint64_t *child_page(unsigned int pfn)
{
    return (uint64_t *)(tree.base + pfn * 4096UL);
}

static long map_child(unsigned int slot, uint64_t frame, uint64_t flags)
{
    return mm_update_dom(mm_tab_ma(tree.l1, slot), frame ? (frame << 12) | flags : 0, child);
}

static void check_time_offset(void)
{
    memset(&op, 0, sizeof(op));
    op.cmd = LAM_DOMCTL_settimeoffset;
    op.interface_version = LAM_DOMCTL_INTERFACE_VERSION;
    op.domain = child;
    op.u.settimeoffset.time_offset_seconds = 3600;
    mm_expect_rc("settimeoffset(+1 h)", hypercall_domctl(&op), 0);
    mm_expect_rc("getdomaininfo", domctl(LAM_DOMCTL_getdomaininfo, child), 0);
    uint64_t si = op.u.getdomaininfo.shared_info_frame;
    mm_expect_rc("map its shared_info", map_child(NR_PFNS, si, MM_PTE_RO), 0);
    const struct lam_shared_info *theirs = (const void *)child_page(NR_PFNS);
    uint64_t their_sec = theirs->wc_sec | (uint64_t)theirs->wc_sec_hi << 32;
    uint64_t our_sec = lam_shared_info->wc_sec | (uint64_t)lam_shared_info->wc_sec_hi << 32;
    lam_printf("wall clock at boot: ours %lu, the new domain's %lu\n", (unsigned long)our_sec,
               (unsigned long)their_sec);
    mm_expect(their_sec == our_sec + 3600, "its wall clock is ours plus the offset");
    mm_expect(!(theirs->wc_version & 1), "its wall clock is not mid-update");
    mm_expect_rc("unmap its shared_info", map_child(NR_PFNS, 0, 0), 0);
}

/* Page tables (pfns 0-3), code (4) and stack (5), written through our mappings. */
static void build_memory(void)
{
    for (unsigned int i = 0; i < NR_PFNS; i++)
        mm_expect_rc("map a frame of the new domain", map_child(i, mfn[i], MM_PTE_FLAGS), 0);
    child_page(0)[0] = mfn[1] << 12 | PT_FLAGS; /* L4[0] -> L3 */
    child_page(1)[0] = mfn[2] << 12 | PT_FLAGS; /* L3[0] -> L2 */
    child_page(2)[2] = mfn[3] << 12 | PT_FLAGS; /* L2[2] -> L1 (VA 4 MiB) */
    child_page(3)[0] = mfn[4] << 12 | RO_FLAGS; /* code */
    child_page(3)[1] = mfn[5] << 12 | PT_FLAGS; /* stack */
    static const uint8_t code[] = {
        0xb8, 29,   0,    0,    0, /* mov $__HYPERVISOR_sched_op, %eax */
        0xbf, 2,    0,    0,    0, /* mov $SCHEDOP_shutdown, %edi */
        0xbe, 0x00, 0x01, 0x40, 0, /* mov $CODE_VA + 0x100, %esi */
        0x0f, 0x05,                /* syscall: a hypercall from a PV kernel */
        0xeb, 0xfe,                /* jmp . */
    };
    memcpy(child_page(4), code, sizeof(code));
    child_page(4)[0x100 / 8] = REASON;
    /* No writable mapping of a table may stay for it to become one. */
    for (unsigned int i = 0; i < NR_PFNS; i++)
        mm_expect_rc("unmap it again", map_child(i, 0, 0), 0);
}

/*
 * dom0's tables torn down while they map a frame of the new domain: on Lamina that
 * teardown reaches another domain's frame, which only the global memory lock may do
 * (dom0's own lock serves its other changes meanwhile); the audit at shutdown checks the
 * counts, and that dom0 was left mapping nothing foreign.
 */
static void check_foreign_teardown(void)
{
    struct mm_tree t2;
    mm_expect_rc("a second tree", mm_tree_build(&t2, 5), 0);
    mm_expect_rc("map the new domain's stack page in it",
                 mm_update_dom(mm_tab_ma(t2.l1, 0), mfn[5] << 12 | MM_PTE_FLAGS, child), 0);
    uint64_t *page = mm_alloc_page();
    mm_expect(page != NULL, "a page of our own");
    if (page) {
        mm_expect_rc("our own page read-only meanwhile", mm_page_set_ro(page), 0);
        mm_expect_rc("and writable again", mm_page_set_rw(page), 0);
    }
    mm_expect_rc("tear the tree down with the mapping in it", mm_tree_destroy(&t2), 0);
}

static long ext_for(unsigned int cmd, uint64_t arg1, unsigned int dom, unsigned int *done)
{
    struct lam_mmuext_op e = {.cmd = cmd};
    e.arg1.mfn = arg1;
    return hypercall_mmuext_op(&e, 1, done, dom);
}

/* As a toolstack does before setvcpucontext: pin the new domain's L4 from dom0. */
static void check_foreign_pin(void)
{
    unsigned int done = 77;
    mm_expect_rc("pin with our own id as the foreign domain",
                 ext_for(LAM_MMUEXT_PIN_L4_TABLE, mfn[0], 0, &done), -LAM_ESRCH);
    mm_expect(done == 77, "  refused before the batch: `done` untouched");
    mm_expect_rc("pin for a domain that does not exist",
                 ext_for(LAM_MMUEXT_PIN_L4_TABLE, mfn[0], 0x7fe0, NULL), -LAM_ESRCH);
    mm_expect_rc("pin one of our frames as the new domain's",
                 ext_for(LAM_MMUEXT_PIN_L4_TABLE, mm_cur_l4_mfn, child, NULL), -LAM_EINVAL);
    mm_expect_rc("map its L4 writable", map_child(0, mfn[0], MM_PTE_FLAGS), 0);
    mm_expect_rc("pin while we map it writable",
                 ext_for(LAM_MMUEXT_PIN_L4_TABLE, mfn[0], child, NULL), -LAM_EINVAL);
    mm_expect_rc("unmap it", map_child(0, 0, 0), 0);
    mm_expect_rc("new_baseptr for another domain",
                 ext_for(LAM_MMUEXT_NEW_BASEPTR, mfn[0], child, NULL), -LAM_EPERM);
    mm_expect_rc("tlb_flush_local for another domain",
                 ext_for(LAM_MMUEXT_TLB_FLUSH_LOCAL, 0, child, NULL), -LAM_EPERM);
    mm_expect_rc("unpin a table that is not pinned",
                 ext_for(LAM_MMUEXT_UNPIN_TABLE, mfn[0], child, NULL), -LAM_EINVAL);
    done = 0;
    mm_expect_rc("pin its L4", ext_for(LAM_MMUEXT_PIN_L4_TABLE, mfn[0], child, &done), 0);
    mm_expect(done == 1, "  one op done");
    mm_expect_rc("pin it again", ext_for(LAM_MMUEXT_PIN_L4_TABLE, mfn[0], child, NULL),
                 -LAM_EINVAL);
    mm_expect_err("a writable mapping of the pinned L4", map_child(0, mfn[0], MM_PTE_FLAGS));
    mm_expect_rc("its L3 is typed: pin it as an L4",
                 ext_for(LAM_MMUEXT_PIN_L4_TABLE, mfn[1], child, NULL), -LAM_EINVAL);
    mm_expect_rc("unpin it", ext_for(LAM_MMUEXT_UNPIN_TABLE, mfn[0], child, NULL), 0);
    mm_expect_rc("unpin it again", ext_for(LAM_MMUEXT_UNPIN_TABLE, mfn[0], child, NULL),
                 -LAM_EINVAL);
    mm_expect_rc("pin it for good (destroy must drop the pin)",
                 ext_for(LAM_MMUEXT_PIN_L4_TABLE, mfn[0], child, NULL), 0);
}

static void fill_context(uint64_t rip)
{
    memset(&ctx, 0, sizeof(ctx));
    ctx.flags = LAM_VGCF_in_kernel | LAM_VGCF_online;
    ctx.user_regs.rip = rip;
    ctx.user_regs.rsp = STACK_VA + 4096;
    ctx.user_regs.rflags = 0x200;
    ctx.user_regs.cs = 0xe033;
    ctx.user_regs.ss = 0xe02b;
    ctx.kernel_ss = 0xe02b;
    ctx.kernel_sp = STACK_VA + 4096;
    ctx.ctrlreg[3] = mfn[0] << 12;
    ctx.debugreg[6] = 0xffff0ff0;
    ctx.debugreg[7] = 0x400;
}

static void check_bad_contexts(void)
{
    fill_context(CODE_VA);
    mm_expect_rc("setvcpucontext of vCPU 1", vcpucontext(LAM_DOMCTL_setvcpucontext, child, 1, &ctx),
                 -LAM_EINVAL);
    mm_expect_rc("setvcpucontext of ourselves", vcpucontext(LAM_DOMCTL_setvcpucontext, 0, 0, &ctx),
                 -LAM_EINVAL);
    mm_expect_rc("setvcpucontext from an unmapped buffer",
                 vcpucontext(LAM_DOMCTL_setvcpucontext, child, 0, (void *)0x1000), -LAM_EFAULT);
    fill_context(0x0000800000000000UL);
    mm_expect_rc("setvcpucontext: a non-canonical rip",
                 vcpucontext(LAM_DOMCTL_setvcpucontext, child, 0, &ctx), -LAM_EINVAL);
    fill_context(CODE_VA);
    ctx.trap_ctxt[14].address = 0xffff900000000000UL ^ (1UL << 62);
    mm_expect_rc("setvcpucontext: a non-canonical trap handler",
                 vcpucontext(LAM_DOMCTL_setvcpucontext, child, 0, &ctx), -LAM_EINVAL);
    fill_context(CODE_VA);
    ctx.ldt_base = 0x1234;
    ctx.ldt_ents = 1;
    mm_expect_rc("setvcpucontext: an unaligned LDT",
                 vcpucontext(LAM_DOMCTL_setvcpucontext, child, 0, &ctx), -LAM_EINVAL);
    fill_context(CODE_VA);
    ctx.ctrlreg[3] = mm_cur_l4_mfn << 12;
    mm_expect_rc("setvcpucontext: our L4, not the domain's",
                 vcpucontext(LAM_DOMCTL_setvcpucontext, child, 0, &ctx), -LAM_EINVAL);
    fill_context(CODE_VA);
    ctx.flags = LAM_VGCF_online; /* user mode without a user L4 */
    mm_expect_rc("setvcpucontext: user mode without user page tables",
                 vcpucontext(LAM_DOMCTL_setvcpucontext, child, 0, &ctx), -LAM_EINVAL);
    fill_context(CODE_VA);
    ctx.ctrlreg[3] = mfn[4] << 12; /* the code page: not a table */
    long rc = vcpucontext(LAM_DOMCTL_setvcpucontext, child, 0, &ctx);
    lam_printf("setvcpucontext with a data page as L4: %ld\n", rc);
    mm_expect(rc < 0, "setvcpucontext: a data page as L4 is refused");
    mm_expect_rc("still never set", vcpucontext(LAM_DOMCTL_getvcpucontext, child, 0, &ctx),
                 -LAM_ENODATA);
}

static void check_good_context(void)
{
    fill_context(CODE_VA);
    mm_expect_rc("setvcpucontext", vcpucontext(LAM_DOMCTL_setvcpucontext, child, 0, &ctx), 0);
    static struct lam_vcpu_guest_context back;
    memset(&back, 0xa5, sizeof(back));
    mm_expect_rc("getvcpucontext", vcpucontext(LAM_DOMCTL_getvcpucontext, child, 0, &back), 0);
    lam_printf("back: flags 0x%lx rip 0x%lx rsp 0x%lx rflags 0x%lx cs 0x%x ss 0x%x cr3 0x%lx\n",
               (unsigned long)back.flags, (unsigned long)back.user_regs.rip,
               (unsigned long)back.user_regs.rsp, (unsigned long)back.user_regs.rflags,
               back.user_regs.cs, back.user_regs.ss, (unsigned long)back.ctrlreg[3]);
    mm_expect((back.flags & (LAM_VGCF_in_kernel | LAM_VGCF_online)) ==
                  (LAM_VGCF_in_kernel | LAM_VGCF_online),
              "in kernel mode and online");
    mm_expect(back.user_regs.rip == CODE_VA && back.user_regs.rsp == STACK_VA + 4096,
              "rip and rsp as set");
    mm_expect(back.user_regs.cs == 0xe033 && back.user_regs.ss == 0xe02b, "cs and ss as set");
    mm_expect((back.user_regs.rflags & 0x3200) == 0x200, "interrupts on, IOPL 0");
    mm_expect(back.ctrlreg[3] == mfn[0] << 12 && back.ctrlreg[1] == 0, "cr3 as set, no user L4");
    mm_expect(back.kernel_ss == 0xe02b && back.kernel_sp == STACK_VA + 4096, "kernel stack as set");
    mm_expect(back.user_regs.ds == 0 && back.gdt_ents == 0 && back.ldt_ents == 0,
              "null data selectors, no GDT or LDT of its own");
    fill_context(CODE_VA);
    ctx.ctrlreg[3] = mfn[1] << 12;
    mm_expect_rc("setvcpucontext again with other page tables",
                 vcpucontext(LAM_DOMCTL_setvcpucontext, child, 0, &ctx), -LAM_EOPNOTSUPP);
    fill_context(CODE_VA);
    mm_expect_rc("setvcpucontext again with the same page tables",
                 vcpucontext(LAM_DOMCTL_setvcpucontext, child, 0, &ctx), 0);
    mm_expect_rc("getdomaininfo", domctl(LAM_DOMCTL_getdomaininfo, child), 0);
    mm_expect(op.u.getdomaininfo.nr_online_vcpus == 1, "vCPU 0 is up");
}

static void check_runs(void)
{
    mm_expect_rc("unpausedomain", domctl(LAM_DOMCTL_unpausedomain, child), 0);
    unsigned int flags = 0;
    for (unsigned int i = 0; i < 200000 && !(flags & LAM_DOMINF_shutdown); i++) {
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
        if (domctl(LAM_DOMCTL_getdomaininfo, child) == 0 && op.domain == child)
            flags = op.u.getdomaininfo.flags;
    }
    lam_printf("flags after unpause: 0x%x\n", flags);
    mm_expect((flags & LAM_DOMINF_shutdown) != 0, "the new domain ran and shut down");
    mm_expect(((flags >> LAM_DOMINF_shutdown_shift) & LAM_DOMINF_shutdown_mask) == REASON,
              "with the reason its code gives (reboot), not a crash");
}

static void check_destroyed(uint64_t free_before)
{
    mm_expect_rc("destroydomain", domctl(LAM_DOMCTL_destroydomain, child), 0);
    int gone = 0;
    for (unsigned int i = 0; i < 200000 && !gone; i++) {
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
        long rc = domctl(LAM_DOMCTL_getdomaininfo, child);
        gone = rc == -LAM_ESRCH || (rc == 0 && op.domain != child);
    }
    mm_expect(gone, "the domain is gone");
    mm_expect_rc("pausedomain of it", domctl(LAM_DOMCTL_pausedomain, child), -LAM_ESRCH);
    uint64_t free_after = 0;
    for (unsigned int i = 0; i < 2000 && free_after != free_before; i++) {
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
        free_after = free_pages();
    }
    lam_printf("free pages: %lu before, %lu after\n", (unsigned long)free_before,
               (unsigned long)free_after);
    mm_expect(free_after == free_before, "every frame of it is free again");
}

void test_main(void)
{
    mm_init();
    char extra[16] = {0};
    hypercall_xen_version(LAM_XENVER_extraversion, extra);
    on_lamina = strstr(extra, "lamina") != NULL;
    uint64_t free_before = free_pages();
    mm_expect(free_before > 0, "physinfo reports free memory");
    mm_expect_rc("a tree for foreign mappings", mm_tree_build(&tree, 3), 0);
    check_bad_configs();
    check_created();
    check_vcpus_and_memory();
    check_address_size();
    check_time_offset();
    build_memory();
    check_foreign_teardown();
    check_foreign_pin();
    check_bad_contexts();
    check_good_context();
    check_runs();
    check_destroyed(free_before);
    mm_expect_rc("tree gone", mm_tree_destroy(&tree), 0);
}
