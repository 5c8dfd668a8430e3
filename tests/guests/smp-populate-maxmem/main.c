/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * populate_physmap of 2 MiB extents (order 9) while another vCPU moves the
 * domain's memory limit (domctl max_mem, as a toolstack's "mem-set" does while
 * the guest's balloon driver grows it) up and down. An extent is all or
 * nothing: either the call counts it and all 512 frames are ours, or it does
 * not and none are. The reservation must therefore grow by exactly 512 times
 * the extents each call reports. A limit checked once per extent but applied
 * per frame gives the domain part of an extent it is never told about, and
 * drops the rest of the extent out of the hypervisor's heap for good.
 * Each extent is given back at once, so the domain does not grow.
 */
#include <lamina/domctl.h>
#include <lamina/memory.h>

#include "mm_util.h"
#include "smp.h"

const char lam_test_title[] = "populate_physmap of 2 MiB extents against a moving max_mem";

#define RUN_NS 3000000000ull
#define ORDER  9
#define EXTENT (1ul << ORDER)

static volatile int stop;
static volatile unsigned long flips;
static uint64_t high_kb, low_kb;

static long set_max_kb(uint64_t kb)
{
    struct lam_domctl op = {
        .cmd = LAM_DOMCTL_max_mem, .interface_version = LAM_DOMCTL_INTERFACE_VERSION, .domain = 0};
    op.domain = (uint16_t)(lam_start_info->flags & LAM_SIF_INITDOMAIN ? 0 : 1);
    op.u.max_mem.max_memkb = kb;
    return hypercall_domctl(&op);
}

static long current_reservation(void)
{
    uint16_t self = LAM_DOMID_SELF;
    return hypercall_memory_op(LAM_XENMEM_current_reservation, &self);
}

static void flipper(unsigned int id)
{
    (void)id;
    while (!stop) {
        set_max_kb(low_kb);
        for (volatile int i = 0; i < 200; i++)
            ;
        set_max_kb(high_kb);
        for (volatile int i = 0; i < 2000; i++)
            ;
        flips++;
    }
}

void test_main(void)
{
    mm_init();
    if (smp_test_vcpus() < 2)
        return;
    long base = current_reservation();
    /* Room for a few extents; lowering to `low` leaves room for none. */
    high_kb = (uint64_t)(base + 8 * EXTENT) * 4;
    low_kb = (uint64_t)(base + 16) * 4;
    mm_expect_rc("max_mem: room for a few extents", set_max_kb(high_kb), 0);
    mm_expect_rc("start the vCPU moving the limit", smp_start_vcpu(1, flipper), 0);

    uint64_t deadline = smp_now_ns() + RUN_NS;
    unsigned long calls = 0, got = 0, refused = 0, bad = 0;
    while (smp_now_ns() < deadline) {
        static uint64_t list[1];
        list[0] = 0x100000; /* the PFN we would use: any */
        long before = current_reservation();
        struct lam_memory_reservation r = {.extent_start = (uint64_t)list,
                                           .nr_extents = 1,
                                           .extent_order = ORDER,
                                           .domid = LAM_DOMID_SELF};
        long rc = hypercall_memory_op(LAM_XENMEM_populate_physmap, &r);
        long grown = current_reservation() - before;
        calls++;
        if (rc == 1) {
            got++;
            r.nr_extents = 1;
            long back = hypercall_memory_op(LAM_XENMEM_decrease_reservation, &r);
            if (back != 1 && bad++ < 4)
                lam_printf("giving the extent at %lx back: %ld\n", (unsigned long)list[0], back);
        } else {
            refused++;
        }
        if (grown != rc * (long)EXTENT && bad++ < 4)
            lam_printf("call %lu: populate answered %ld, reservation grew by %ld pages\n", calls,
                       rc, grown);
    }
    stop = 1;
    mm_expect(smp_wait_done(1, 10000) == 0, "the limit mover stopped");
    mm_expect_rc("max_mem back to where it was", set_max_kb((uint64_t)(base + 4096) * 4), 0);
    lam_printf("%lu calls: %lu extents given, %lu refused, %lu limit moves\n", calls, got, refused,
               (unsigned long)flips);
    mm_expect(got > 0 && refused > 0, "both outcomes seen (the limit really moved)");
    mm_expect(bad == 0, "the reservation always grew by what populate_physmap reported");
    long end = current_reservation();
    lam_printf("reservation: %ld at the start, %ld at the end\n", base, end);
    mm_expect(end == base, "every extent given back");
}
