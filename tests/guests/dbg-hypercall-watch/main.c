/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest's data breakpoints on memory the hypervisor reads or writes for it:
 * a buffer handed to a hypercall (console_io, xen_version, set_trap_table, mmu_update and its
 * `done`, a multicall list, an event-channel argument the answer is written into), the slot
 * of its stack a bounce frame is written to, and its runstate area. The guest's DR7 stays
 * live while the hypervisor works for it, so each of these hits a breakpoint in the
 * hypervisor. Xen 4.17 notes such a #DB and ignores it: the hypercall does its work, the
 * guest gets no #DB and its DR6 shows nothing. A hypervisor that treats every #DB in its own
 * context as fatal panics. The same breakpoint then fires for the guest's own access (it was
 * armed all along).
 */
#include <lamina/console.h>
#include <lamina/event_channel.h>
#include <lamina/sched.h>
#include <lamina/traps.h>
#include <lamina/vcpu.h>
#include <lamina/version.h>

#include "mm_util.h"

const char lam_test_title[] = "guest data breakpoints on memory the hypervisor touches";

#define DR6_DEFAULT 0xffff0ff0ull
#define RW_WRITE    1u
#define RW_ACCESS   3u

/* Watch the 8 bytes at addr (8-byte aligned) with DR0: writes, or reads and writes. */
static void watch(const volatile void *addr, unsigned int rw)
{
    LAM_CHECK(hypercall_set_debugreg(0, (uintptr_t)addr) == 0, "DR0");
    LAM_CHECK(hypercall_set_debugreg(7, 0x401ull | ((uint64_t)rw << 16) | (2ull << 18)) == 0,
              "DR7: L0, 8 bytes");
}

static void unwatch(void)
{
    LAM_CHECK(hypercall_set_debugreg(7, 0) == 0, "DR7 off");
}

/* After the hypervisor's access: the call's answer, no #DB for the guest, DR6 clear. */
static void expect_quiet(const char *what, long rc, long want)
{
    uint64_t dr6 = (uint64_t)hypercall_get_debugreg(6);
    lam_printf("%s: %ld, #DB seen %d, DR6 0x%lx\n", what, rc, lam_last_exception.seen,
               (unsigned long)dr6);
    LAM_CHECK(rc == want, "%s: %ld, expected %ld", what, rc, want);
    LAM_CHECK(!lam_last_exception.seen, "%s: the guest got exception %u", what,
              lam_last_exception.vector);
    LAM_CHECK(dr6 == DR6_DEFAULT, "%s: DR6 0x%lx", what, (unsigned long)dr6);
}

void lam_trap_entry_3(void); /* the framework's int3 entry (lib/entry.S) */

static char text[64] __attribute__((aligned(8))) = "dbg-hypercall-watch: a watched buffer\n";
static char extra[16] __attribute__((aligned(8)));
static struct lam_trap_info table[2] __attribute__((aligned(16)));
static struct lam_multicall_entry calls[2] __attribute__((aligned(64)));
static struct lam_vcpu_runstate_info runstate __attribute__((aligned(64)));
static uint8_t frame_stack[8192] __attribute__((aligned(16)));
#define FRAME_TOP ((uint64_t)(uintptr_t)(frame_stack + sizeof(frame_stack)))

/* int3 with RSP at FRAME_TOP: the bounce frame's RIP slot is FRAME_TOP - 40. */
static void int3_on_frame_stack(void)
{
    __asm__ volatile("mov %%rsp, %%rbx\n"
                     "mov %0, %%rsp\n"
                     "int3\n"
                     "mov %%rbx, %%rsp\n"
                     :
                     : "r"(FRAME_TOP)
                     : "rbx", "memory");
}

void test_main(void)
{
    mm_init();
    lam_exception_reset();
    LAM_CHECK(hypercall_set_debugreg(6, DR6_DEFAULT) == 0, "DR6");

    unsigned int len = (unsigned int)strlen(text);
    watch(text + 8, RW_ACCESS);
    long rc = hypercall_console_io(LAM_CONSOLEIO_write, len, text);
    unwatch();
    expect_quiet("console_io reads a watched buffer", rc, 0);

    watch(extra, RW_WRITE);
    rc = hypercall_xen_version(LAM_XENVER_extraversion, extra);
    unwatch();
    expect_quiet("xen_version writes a watched buffer", rc, 0);

    table[0] = (struct lam_trap_info){
        .vector = 3, .flags = 3, .cs = LAM_FLAT_KERNEL_CS, .address = (uintptr_t)lam_trap_entry_3};
    watch(&table[0].address, RW_ACCESS);
    rc = hypercall_set_trap_table(table);
    unwatch();
    expect_quiet("set_trap_table reads a watched entry", rc, 0);

    void *page = mm_alloc_page();
    uint64_t pte_ma = mm_entry_ma((uintptr_t)page, 1);
    static struct lam_mmu_update u __attribute__((aligned(16)));
    static unsigned int done __attribute__((aligned(8)));
    u = (struct lam_mmu_update){.ptr = pte_ma | LAM_MMU_NORMAL_PT_UPDATE,
                                .val = mm_read_entry_ma(pte_ma)};
    watch(&u.val, RW_ACCESS);
    rc = hypercall_mmu_update(&u, 1, &done, LAM_DOMID_SELF);
    unwatch();
    expect_quiet("mmu_update reads a watched request", rc, 0);
    watch(&done, RW_WRITE);
    rc = hypercall_mmu_update(&u, 1, &done, LAM_DOMID_SELF);
    unwatch();
    expect_quiet("mmu_update writes a watched count", rc, 0);

    calls[0] =
        (struct lam_multicall_entry){.op = LAM_HYPERCALL_XEN_VERSION, .args = {LAM_XENVER_version}};
    calls[1] =
        (struct lam_multicall_entry){.op = LAM_HYPERCALL_XEN_VERSION, .args = {LAM_XENVER_version}};
    watch(&calls[1].result, RW_ACCESS);
    rc = hypercall_multicall(calls, 2);
    unwatch();
    expect_quiet("multicall reads and writes a watched entry", rc, 0);
    LAM_CHECK(calls[1].result == calls[0].result && (long)calls[0].result > 0,
              "both multicall results are the version");

    static struct lam_evtchn_alloc_unbound au __attribute__((aligned(8)));
    au = (struct lam_evtchn_alloc_unbound){.dom = LAM_DOMID_SELF, .remote_dom = LAM_DOMID_SELF};
    watch(&au.port, RW_WRITE);
    rc = hypercall_event_channel_op(LAM_EVTCHNOP_alloc_unbound, &au);
    unwatch();
    expect_quiet("alloc_unbound writes the port into a watched word", rc, 0);

    /* The bounce frame of an int3: the hypervisor writes its RIP slot. */
    watch((void *)(uintptr_t)(FRAME_TOP - 40), RW_WRITE);
    int3_on_frame_stack();
    unwatch();
    lam_printf("int3 bounce frame on a watched slot: #DB %s, last exception %u\n",
               lam_last_exception.vector == 3 ? "not seen" : "seen", lam_last_exception.vector);
    LAM_CHECK(lam_last_exception.seen == 1 && lam_last_exception.vector == 3,
              "int3 delivered once, and no #DB");
    lam_exception_reset();
    expect_quiet("after the int3", 0, 0);

    /* The runstate area, which the hypervisor writes at each switch to this vCPU. */
    struct lam_vcpu_register_area area = {.addr = (uintptr_t)&runstate};
    LAM_CHECK(hypercall_vcpu_op(LAM_VCPUOP_register_runstate_memory_area, 0, &area) == 0,
              "register the runstate area");
    watch(&runstate.state_entry_time, RW_WRITE);
    for (int i = 0; i < 20; i++)
        hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    rc = hypercall_vcpu_op(LAM_VCPUOP_register_runstate_memory_area, 0, &area);
    unwatch();
    expect_quiet("yields with a watched runstate area", rc, 0);
    area.addr = 0;
    hypercall_vcpu_op(LAM_VCPUOP_register_runstate_memory_area, 0, &area);

    /* Armed all along: the guest's own write fires. */
    watch(&au.port, RW_WRITE);
    lam_exception_reset();
    __asm__ volatile("movl $7, %0\n1:\n" LAM_ASM_EXTABLE(1b, 1b) : "=m"(au.port)::"memory");
    unwatch();
    uint64_t dr6 = (uint64_t)hypercall_get_debugreg(6);
    lam_printf("the guest's own write: exception %u, DR6 0x%lx\n", lam_last_exception.vector,
               (unsigned long)dr6);
    LAM_CHECK(lam_last_exception.seen && lam_last_exception.vector == 1 && (dr6 & 1),
              "the guest's own write to the watched word raised #DB with B0");
    hypercall_set_debugreg(6, DR6_DEFAULT);
    hypercall_set_debugreg(0, 0);
}
