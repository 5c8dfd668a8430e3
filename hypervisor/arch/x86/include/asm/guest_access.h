/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one audited path to guest memory.
 *
 * Guest pointers are guest virtual addresses, valid in the page tables the
 * vCPU is running on (the hypervisor runs on the guest's page tables during a
 * hypercall). Every access goes through these helpers, the only code that runs with
 * user access open under SMAP (<asm/protect.h>): they refuse ranges that
 * wrap, are non-canonical or touch the hypervisor's reserved slots, and they
 * survive faults (unmapped, read-only) through the exception fixup table,
 * returning the number of bytes NOT copied, so callers turn a short copy into
 * -EFAULT.
 */
#ifndef LAMINA_HV_GUEST_ACCESS_H
#define LAMINA_HV_GUEST_ACCESS_H

#include <stddef.h>
#include <stdint.h>
#include <hv/hypercall-types.h>

/* Is [va, va+len) entirely guest-addressable? */
int guest_range_ok(guest_ptr_t va, size_t len);

/* Xen's guest_handle_okay(va, count) for an array of count elements of size bytes: the
 * start is guest memory (canonical, outside the hypervisor's slots; checked even when
 * count is 0) and count * size does not overflow. Where the array ends is left to the
 * copies, as on Xen, whose answers (-EFAULT before anything is done) depend on this. */
int guest_array_ok(guest_ptr_t va, uint64_t count, size_t size);

size_t copy_from_guest(void *dst, guest_ptr_t src, size_t len);
size_t copy_to_guest(guest_ptr_t dst, const void *src, size_t len);
/* Copy a NUL-terminated string of at most len-1 characters; -EFAULT or the length. */
long strncpy_from_guest(char *dst, guest_ptr_t src, size_t len);

/* The primitive under the three above: a fault-safe copy with user access open (STAC/CLAC
 * when SMAP is on, <asm/protect.h>); nothing else may touch guest memory. */
size_t copy_with_fixup(void *dst, const void *src, size_t len);

/* Exception fixup table (filled by the linker from __ex_table sections). */
struct exception_fixup {
    uint64_t fault_rip, fixup_rip;
};
extern const struct exception_fixup __ex_table_start[], __ex_table_end[];
uint64_t search_exception_table(uint64_t rip);

#endif
