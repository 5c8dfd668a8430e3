/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hostile input: every hypercall number 0..63 with garbage arguments, with
 * pointers into the hypervisor's range and into unmapped guest space, and with
 * huge counts. Each call must return an error (negative) and the domain must
 * keep running; the test ends with a sanity hypercall and a result line.
 *
 * Exceptions, documented in docs/test-kernels.md:
 *  - never called: iret (23) would return to a garbage context.
 *  - allowed to succeed (they only record a value): stack_switch (3),
 *    set_callbacks (4), fpu_taskswitch (5), set_timer_op (15). Their effects
 *    are undone afterwards (TS cleared, timer cancelled). kexec_op (37):
 *    Xen 4.17 returns 0, doing nothing, for an unknown kexec command.
 *  - memory_op (12) reservation commands (low 6 bits of cmd 0, 1, 6; the bits
 *    above are the continuation's start extent) return the number of extents
 *    done, so with a bad argument they must return exactly cmd >> 6: nothing
 *    done.
 *  - garbage command numbers are chosen so that no real sub-operation
 *    (yield, block, shutdown, vCPU down, ...) is hit.
 */
#include <lamina/console.h>
#include <lamina/errno.h>
#include <lamina/event_channel.h>
#include <lamina/grant_table.h>
#include <lamina/memory.h>
#include <lamina/physdev.h>
#include <lamina/sched.h>
#include <lamina/types.h>
#include <lamina/vcpu.h>
#include <lamina/version.h>

#include "lam.h"

const char lam_test_title[] = "hostile hypercall arguments";

/* A pointer inside the hypervisor's reserved range whose low 32 bits are garbage. */
#define HV_PTR     0xffff8300deadb000UL
#define UNMAPPED   0x00000000dead0000UL /* guest space, nothing mapped */
#define ALL_ONES   (~0UL)
#define HUGE_COUNT 0x7fffffffUL
#define BAD_DOMID  0x7ffdUL /* not a domain, not a reserved id */

static unsigned calls, failures;

static int may_succeed(unsigned nr)
{
    return nr == LAM_HYPERCALL_STACK_SWITCH || nr == LAM_HYPERCALL_SET_CALLBACKS ||
           nr == LAM_HYPERCALL_FPU_TASKSWITCH || nr == LAM_HYPERCALL_SET_TIMER_OP ||
           nr == LAM_HYPERCALL_KEXEC_OP;
}

/* memory_op reservation commands report extents done instead of an error. */
static int is_reservation_op(unsigned long nr, unsigned long cmd)
{
    unsigned long op = cmd & 0x3f;
    return nr == LAM_HYPERCALL_MEMORY_OP &&
           (op == LAM_XENMEM_increase_reservation || op == LAM_XENMEM_decrease_reservation ||
            op == LAM_XENMEM_populate_physmap);
}

static void undo_side_effects(void)
{
    hypercall_fpu_taskswitch(0);
    hypercall_set_timer_op(0);
}

static void expect_error(const char *what, unsigned long nr, unsigned long a1, unsigned long a2,
                         unsigned long a3, unsigned long a4, unsigned long a5)
{
    long rc = hypercall6(nr, a1, a2, a3, a4, a5);
    calls++;
    if (is_reservation_op(nr, a1)) {
        if (rc >= 0 && (unsigned long)rc != a1 >> 6) {
            failures++;
            lam_fail("%s: memory_op(%lx, %lx) did %ld extents with a bad argument", what, a1, a2,
                     rc - (long)(a1 >> 6));
        }
    } else if (rc >= 0 && !may_succeed((unsigned)nr)) {
        failures++;
        lam_fail("%s: hypercall %lu(%lx, %lx, %lx, %lx, %lx) returned %ld", what, nr, a1, a2, a3,
                 a4, a5, rc);
    }
    undo_side_effects();
}

/* Pass 1: every number with three uniform garbage patterns. */
static void all_numbers(void)
{
    static const unsigned long patterns[] = {HV_PTR, UNMAPPED, ALL_ONES};
    for (unsigned nr = 0; nr < 64; nr++) {
        if (nr == LAM_HYPERCALL_IRET)
            continue;
        for (unsigned p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
            unsigned long g = patterns[p];
            expect_error("garbage", nr, g, g, g, g, g);
        }
    }
}

/* Pass 2: real sub-operations with a bad pointer (hypervisor range, unmapped). */
static void bad_pointers(unsigned long ptr)
{
    static const int xenver_cmds[] = {1, 2, 3, 4, 5, 6, 8, 9};
    for (unsigned i = 0; i < sizeof(xenver_cmds) / sizeof(xenver_cmds[0]); i++)
        expect_error("xen_version", LAM_HYPERCALL_XEN_VERSION, xenver_cmds[i], ptr, 0, 0, 0);
    expect_error("console_io write", LAM_HYPERCALL_CONSOLE_IO, LAM_CONSOLEIO_write, 16, ptr, 0, 0);

    static const int sched_cmds[] = {LAM_SCHEDOP_shutdown,        LAM_SCHEDOP_poll,
                                     LAM_SCHEDOP_remote_shutdown, LAM_SCHEDOP_shutdown_code,
                                     LAM_SCHEDOP_watchdog,        LAM_SCHEDOP_pin_override};
    for (unsigned i = 0; i < sizeof(sched_cmds) / sizeof(sched_cmds[0]); i++)
        expect_error("sched_op", LAM_HYPERCALL_SCHED_OP, sched_cmds[i], ptr, 0, 0, 0);

    static const int mem_cmds[] = {LAM_XENMEM_increase_reservation,
                                   LAM_XENMEM_decrease_reservation,
                                   LAM_XENMEM_populate_physmap,
                                   LAM_XENMEM_maximum_reservation,
                                   LAM_XENMEM_memory_map,
                                   LAM_XENMEM_machine_memory_map,
                                   LAM_XENMEM_exchange,
                                   LAM_XENMEM_machphys_mapping};
    for (unsigned i = 0; i < sizeof(mem_cmds) / sizeof(mem_cmds[0]); i++)
        expect_error("memory_op", LAM_HYPERCALL_MEMORY_OP, mem_cmds[i], ptr, 0, 0, 0);

    static const int vcpu_cmds[] = {
        LAM_VCPUOP_get_runstate_info,  LAM_VCPUOP_register_runstate_memory_area,
        LAM_VCPUOP_set_periodic_timer, LAM_VCPUOP_set_singleshot_timer,
        LAM_VCPUOP_register_vcpu_info, LAM_VCPUOP_register_vcpu_time_memory_area};
    for (unsigned i = 0; i < sizeof(vcpu_cmds) / sizeof(vcpu_cmds[0]); i++)
        expect_error("vcpu_op", LAM_HYPERCALL_VCPU_OP, vcpu_cmds[i], 0, ptr, 0, 0);

    for (int cmd = LAM_EVTCHNOP_bind_interdomain; cmd <= LAM_EVTCHNOP_unmask; cmd++)
        expect_error("event_channel_op", LAM_HYPERCALL_EVENT_CHANNEL_OP, cmd, ptr, 0, 0, 0);
    expect_error("event_channel_op_compat", LAM_HYPERCALL_EVENT_CHANNEL_OP_COMPAT, ptr, 0, 0, 0, 0);

    static const int gnt_cmds[] = {LAM_GNTTABOP_map_grant_ref, LAM_GNTTABOP_unmap_grant_ref,
                                   LAM_GNTTABOP_setup_table, LAM_GNTTABOP_copy,
                                   LAM_GNTTABOP_query_size};
    for (unsigned i = 0; i < sizeof(gnt_cmds) / sizeof(gnt_cmds[0]); i++)
        expect_error("grant_table_op", LAM_HYPERCALL_GRANT_TABLE_OP, gnt_cmds[i], ptr, 1, 0, 0);

    expect_error("callback_op register", LAM_HYPERCALL_CALLBACK_OP, 0, ptr, 0, 0, 0);
    expect_error("callback_op unregister", LAM_HYPERCALL_CALLBACK_OP, 1, ptr, 0, 0, 0);
    expect_error("physdev_op set_iopl", LAM_HYPERCALL_PHYSDEV_OP, LAM_PHYSDEVOP_set_iopl, ptr, 0, 0,
                 0);
    expect_error("physdev_op_compat", LAM_HYPERCALL_PHYSDEV_OP_COMPAT, ptr, 0, 0, 0, 0);

    expect_error("set_trap_table", LAM_HYPERCALL_SET_TRAP_TABLE, ptr, 0, 0, 0, 0);
    expect_error("mmu_update", LAM_HYPERCALL_MMU_UPDATE, ptr, 1, 0, LAM_DOMID_SELF, 0);
    expect_error("mmuext_op", LAM_HYPERCALL_MMUEXT_OP, ptr, 1, 0, LAM_DOMID_SELF, 0);
    expect_error("multicall", LAM_HYPERCALL_MULTICALL, ptr, 1, 0, 0, 0);
    expect_error("set_gdt", LAM_HYPERCALL_SET_GDT, ptr, 16, 0, 0, 0);
    expect_error("update_va_mapping", LAM_HYPERCALL_UPDATE_VA_MAPPING, ptr, 0, 0, 0, 0);
    expect_error("platform_op", LAM_HYPERCALL_PLATFORM_OP, ptr, 0, 0, 0, 0);
    expect_error("sysctl", LAM_HYPERCALL_SYSCTL, ptr, 0, 0, 0, 0);
    expect_error("domctl", LAM_HYPERCALL_DOMCTL, ptr, 0, 0, 0, 0);
}

/* Pass 3: huge counts and bad domain ids with otherwise plausible arguments. */
static void huge_counts(void)
{
    static uint8_t buf[64];
    unsigned long b = (unsigned long)buf;

    expect_error("mmu_update huge", LAM_HYPERCALL_MMU_UPDATE, UNMAPPED, HUGE_COUNT, 0,
                 LAM_DOMID_SELF, 0);
    expect_error("mmuext_op huge", LAM_HYPERCALL_MMUEXT_OP, UNMAPPED, HUGE_COUNT, 0, LAM_DOMID_SELF,
                 0);
    expect_error("multicall huge", LAM_HYPERCALL_MULTICALL, UNMAPPED, HUGE_COUNT, 0, 0, 0);
    expect_error("grant_table_op huge", LAM_HYPERCALL_GRANT_TABLE_OP, LAM_GNTTABOP_map_grant_ref, b,
                 ALL_ONES, 0, 0);
    expect_error("set_gdt huge", LAM_HYPERCALL_SET_GDT, b, ALL_ONES, 0, 0, 0);
    expect_error("console_io write huge", LAM_HYPERCALL_CONSOLE_IO, LAM_CONSOLEIO_write, HUGE_COUNT,
                 UNMAPPED, 0, 0);
    expect_error("mmu_update bad domain", LAM_HYPERCALL_MMU_UPDATE, b, 1, 0, BAD_DOMID, 0);
    expect_error("update_va_mapping_otherdomain", LAM_HYPERCALL_UPDATE_VA_MAPPING_OTHERDOMAIN,
                 0xffffffff80100000UL, 0, 0, BAD_DOMID, 0);
    expect_error("vcpu_op is_up huge vcpu", LAM_HYPERCALL_VCPU_OP, LAM_VCPUOP_is_up, HUGE_COUNT, 0,
                 0, 0);
    expect_error("vcpu_op down huge vcpu", LAM_HYPERCALL_VCPU_OP, LAM_VCPUOP_down, HUGE_COUNT, 0, 0,
                 0);

    struct lam_sched_remote_shutdown rs = {.domain_id = BAD_DOMID, .reason = LAM_SHUTDOWN_poweroff};
    expect_error("remote_shutdown bad domain", LAM_HYPERCALL_SCHED_OP, LAM_SCHEDOP_remote_shutdown,
                 (unsigned long)&rs, 0, 0, 0);
    struct lam_evtchn_alloc_unbound au = {.dom = BAD_DOMID, .remote_dom = 0, .port = 0};
    expect_error("alloc_unbound bad domain", LAM_HYPERCALL_EVENT_CHANNEL_OP,
                 LAM_EVTCHNOP_alloc_unbound, (unsigned long)&au, 0, 0, 0);
    struct lam_evtchn_port_arg port = {.port = 0x7fffffff};
    expect_error("evtchn close bad port", LAM_HYPERCALL_EVENT_CHANNEL_OP, LAM_EVTCHNOP_close,
                 (unsigned long)&port, 0, 0, 0);
    struct lam_evtchn_bind_virq bv = {.virq = 0xdead, .vcpu = 0, .port = 0};
    expect_error("bind_virq bad virq", LAM_HYPERCALL_EVENT_CHANNEL_OP, LAM_EVTCHNOP_bind_virq,
                 (unsigned long)&bv, 0, 0, 0);
    struct lam_memory_reservation mr = {.extent_start = UNMAPPED,
                                        .nr_extents = ALL_ONES >> 1,
                                        .extent_order = 0,
                                        .mem_flags = 0,
                                        .domid = LAM_DOMID_SELF};
    expect_error("populate_physmap huge", LAM_HYPERCALL_MEMORY_OP, LAM_XENMEM_populate_physmap,
                 (unsigned long)&mr, 0, 0, 0);
    struct lam_gnttab_setup_table st = {
        .dom = LAM_DOMID_SELF, .nr_frames = 0x7fffffff, .frame_list = UNMAPPED};
    long rc = hypercall_grant_table_op(LAM_GNTTABOP_setup_table, &st, 1);
    calls++;
    /* The op may be accepted with the error in its status field. */
    if (rc >= 0 && st.status >= 0) {
        failures++;
        lam_fail("setup_table with 2^31 frames: rc %ld status %d", rc, st.status);
    }
}

/*
 * Pass 4: make the hypervisor write into the guest's own read-only page
 * tables (the bootstrap tables at pt_base). A copy-to-guest that ignored the
 * guest's RW bit would let a guest bypass page-table validation. Each write
 * must fail with -EFAULT and leave the table unchanged.
 */
static void readonly_targets(void)
{
    const struct lam_start_info *si = lam_start_info;
    for (unsigned long i = 0; i < si->nr_pt_frames; i++) {
        uint8_t *target = (uint8_t *)(si->pt_base + i * 4096 + 0x800);
        uint8_t before[LAM_XENVER_EXTRAVERSION_LEN];
        memcpy(before, target, sizeof(before));
        long rc = hypercall_xen_version(LAM_XENVER_extraversion, target);
        calls++;
        if (rc != -LAM_EFAULT || memcmp(before, target, sizeof(before)) != 0) {
            failures++;
            lam_fail("xen_version(extraversion) into page-table frame %lu at %p: rc %ld%s", i,
                     (void *)target, rc,
                     memcmp(before, target, sizeof(before)) ? ", table modified" : "");
        }
    }
}

void test_main(void)
{
    all_numbers();
    bad_pointers(HV_PTR);
    /* The M2P at the start of the range is guest-readable, but not a valid buffer. */
    bad_pointers(0xffff800000000000UL);
    bad_pointers(0xffff87fffffff000UL); /* last page of the hypervisor range */
    bad_pointers(UNMAPPED);
    bad_pointers(0x8000000000000000UL); /* non-canonical */
    huge_counts();
    readonly_targets();

    /* The framework's trap table may have been replaced by nothing; reload it. */
    long rc = lam_install_trap_table();
    LAM_CHECK(rc == 0, "set_trap_table after the hostile calls returned %ld", rc);
    long v = hypercall_xen_version(LAM_XENVER_version, NULL);
    LAM_CHECK(v > 0, "xen_version after the hostile calls returned %ld", v);
    lam_printf("hostile: %u calls, %u accepted wrongly\n", calls, failures);
}
