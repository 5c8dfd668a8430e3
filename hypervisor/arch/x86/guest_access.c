/* SPDX-License-Identifier: GPL-2.0-only */
/* Fault-tolerant copies to and from guest memory; see guest_access.h. */
#include <asm/guest_access.h>
#include <hv/errcodes.h>
#include <asm/memlayout.h>
#include <asm/protect.h>

/*
 * rep movsb faults precisely: on a fault %rcx holds the bytes still to copy,
 * and the fixup simply resumes after the instruction.
 */
static size_t copy_bytes(void *dst, const void *src, size_t len)
{
    size_t quads = len / 8, tail = len % 8;
    /* Quadwords first (much faster under emulation), then the tail bytes; a fault
     * stops either loop precisely, and what was left is counted in bytes. */
    __asm__ volatile("1: rep movsq\n"
                     "2:\n"
                     ".pushsection __ex_table, \"a\"\n"
                     ".balign 8\n"
                     ".quad 1b, 2b\n"
                     ".popsection\n"
                     : "+c"(quads), "+D"(dst), "+S"(src)
                     :
                     : "memory");
    if (quads)
        return quads * 8 + tail;
    __asm__ volatile("1: rep movsb\n"
                     "2:\n"
                     ".pushsection __ex_table, \"a\"\n"
                     ".balign 8\n"
                     ".quad 1b, 2b\n"
                     ".popsection\n"
                     : "+c"(tail), "+D"(dst), "+S"(src)
                     :
                     : "memory");
    return tail;
}

/*
 * Guest memory is user memory (every guest mapping carries U): with SMAP the
 * copy runs between STAC and CLAC, the only window in which the hypervisor can
 * touch it. A fault resumes inside the window and leaves through the CLAC.
 */
size_t copy_with_fixup(void *dst, const void *src, size_t len)
{
    stac();
    size_t left = copy_bytes(dst, src, len);
    clac();
    return left;
}

static int canonical(uint64_t va)
{
    return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

int guest_range_ok(guest_ptr_t va, size_t len)
{
    uint64_t end = va + len; /* exclusive */
    if (len == 0)
        return 1;
    if (end < va)
        return 0;
    if (!canonical(va) || !canonical(end - 1))
        return 0;
    /* Non-canonical hole in between: both ends canonical but on either side. */
    if ((va >> 47) != ((end - 1) >> 47))
        return 0;
    /* The hypervisor's slots are never guest memory, even where they are mapped. */
    if (va < DIRECTMAP_VIRT_END && end > M2P_VIRT_START)
        return 0;
    return 1;
}

int guest_array_ok(guest_ptr_t va, uint64_t count, size_t size)
{
    if (size && count >= UINT64_MAX / size)
        return 0;
    return canonical(va) && !(va >= M2P_VIRT_START && va < DIRECTMAP_VIRT_END);
}

size_t copy_from_guest(void *dst, guest_ptr_t src, size_t len)
{
    if (!guest_range_ok(src, len))
        return len;
    return copy_with_fixup(dst, (const void *)(uintptr_t)src, len);
}

size_t copy_to_guest(guest_ptr_t dst, const void *src, size_t len)
{
    if (!guest_range_ok(dst, len))
        return len;
    return copy_with_fixup((void *)(uintptr_t)dst, src, len);
}

long strncpy_from_guest(char *dst, guest_ptr_t src, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (copy_from_guest(&dst[i], src + i, 1))
            return -EFAULT;
        if (dst[i] == '\0')
            return (long)i;
    }
    if (len)
        dst[len - 1] = '\0';
    return (long)(len ? len - 1 : 0);
}

uint64_t search_exception_table(uint64_t rip)
{
    size_t n =
        ((uintptr_t)__ex_table_end - (uintptr_t)__ex_table_start) / sizeof(*__ex_table_start);
    for (size_t i = 0; i < n; i++)
        if (__ex_table_start[i].fault_rip == rip)
            return __ex_table_start[i].fixup_rip;
    return 0;
}
