/* SPDX-License-Identifier: MIT */
/*
 * lamina/types.h - scalar types and compile-time layout checks shared by every
 * public Lamina ABI header.
 *
 * The guest ABI is the Xen x86-64 PV ABI: every structure in hypercall-abi/lamina/
 * has exactly the size and field offsets Xen uses on x86-64, so stock Linux PV
 * kernels run unmodified. Fields that hold guest pointers are uint64_t guest
 * virtual addresses (never C pointers), so the hypervisor, dom0 tools and test
 * kernels all see one layout regardless of how they are compiled.
 *
 * Only <stdint.h> is used, so the headers build freestanding (test kernels,
 * the hypervisor) and hosted, as C99/C11 and as C++11 or later.
 */
#ifndef LAMINA_TYPES_H
#define LAMINA_TYPES_H

#include <stdint.h>

/* Domain identifier (Xen's domid_t). */
typedef uint16_t lam_domid_t;
/* Event channel port number (evtchn_port_t). */
typedef uint32_t lam_evtchn_port_t;
/* Grant reference: index into a domain's grant table (grant_ref_t). */
typedef uint32_t lam_grant_ref_t;
/* Guest or machine frame number (xen_pfn_t on x86-64). */
typedef uint64_t lam_pfn_t;
/* "unsigned long" of the ABI, 64 bits on x86-64 (xen_ulong_t). */
typedef uint64_t lam_ulong_t;
/* A guest virtual address passed where Xen uses XEN_GUEST_HANDLE(...). */
typedef uint64_t lam_guest_addr_t;

/* Reserved domain ids (DOMID_*). Real domains use 0 .. LAM_DOMID_FIRST_RESERVED-1. */
#define LAM_DOMID_FIRST_RESERVED 0x7FF0U
#define LAM_DOMID_SELF           0x7FF0U /* the calling domain */
#define LAM_DOMID_IO             0x7FF1U /* owner of MMIO frames (mmu_update foreigndom) */
#define LAM_DOMID_XEN            0x7FF2U /* the hypervisor itself */
#define LAM_DOMID_COW            0x7FF3U /* shared copy-on-write frames */
#define LAM_DOMID_INVALID        0x7FF4U
#define LAM_DOMID_IDLE           0x7FFFU

/*
 * LAM_ABI_ASSERT(cond, msg): compile-time check of a size or offset that the
 * wire format depends on. C11 (and gcc/clang in C99 mode) spell it
 * _Static_assert; C++11 spells it static_assert.
 */
#ifdef __cplusplus
#define LAM_ABI_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define LAM_ABI_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

/* offsetof without <stddef.h> (gcc and clang provide the builtin in C and C++). */
#define LAM_OFFSETOF(type, member) __builtin_offsetof(type, member)

#define LAM_ASSERT_SIZE(type, size) LAM_ABI_ASSERT(sizeof(type) == (size), #type " size")
#define LAM_ASSERT_OFFSET(type, member, off)                                                       \
    LAM_ABI_ASSERT(LAM_OFFSETOF(type, member) == (off), #type "." #member " offset")

LAM_ASSERT_SIZE(lam_ulong_t, 8);
LAM_ASSERT_SIZE(lam_pfn_t, 8);

#endif /* LAMINA_TYPES_H */
