/* SPDX-License-Identifier: MIT */
/*
 * lamina/traps.h - exceptions and returns from them for a 64-bit PV kernel:
 * the trap table (set_trap_table, number 0), the exception-bounce frame, the
 * iret hypercall (number 23), the flat segment selectors, and
 * set_segment_base (number 25).
 */
#ifndef LAMINA_TRAPS_H
#define LAMINA_TRAPS_H

#include "types.h"

/*
 * One entry of the trap table. set_trap_table takes an array terminated by an
 * entry whose address is 0; a NULL array clears the table. An exception on a
 * vector with no handler crashes the domain.
 */
struct lam_trap_info {
    uint8_t vector; /* exception or software interrupt vector */
    uint8_t flags;  /* LAM_TI_* */
    uint16_t cs;    /* code selector (RPL forced to 3) */
    uint32_t pad;
    lam_ulong_t address; /* handler virtual address; 0 ends the table */
};

/* flags bits 0-1: lowest privilege allowed to raise the vector with INT n. */
#define LAM_TI_DPL_MASK 0x3U /* 0: nobody, 1-2: guest kernel, 3: guest user too */
/* flags bit 2: deliver like an interrupt gate, i.e. mask events on entry. */
#define LAM_TI_IF_MASK        0x4U
#define LAM_TI_GET_DPL(flags) ((flags)&LAM_TI_DPL_MASK)
#define LAM_TI_GET_IF(flags)  (((flags)&LAM_TI_IF_MASK) != 0)

LAM_ASSERT_SIZE(struct lam_trap_info, 16);
LAM_ASSERT_OFFSET(struct lam_trap_info, vector, 0);
LAM_ASSERT_OFFSET(struct lam_trap_info, flags, 1);
LAM_ASSERT_OFFSET(struct lam_trap_info, cs, 2);
LAM_ASSERT_OFFSET(struct lam_trap_info, address, 8);

/*
 * The exception-bounce frame.
 *
 * When the hypervisor delivers an exception, an event upcall or a system call
 * to the guest kernel, it switches to guest kernel mode (using the stack set by
 * stack_switch if the vCPU was in guest user mode, else the interrupted RSP),
 * aligns the stack down to 16 bytes, and builds this frame below it; the
 * handler starts with RSP pointing at the RCX slot:
 *
 *   +0x00  RCX      interrupted value (SYSCALL/SYSRET clobber it)
 *   +0x08  R11      interrupted value
 *  [+0x10  error code, only for vectors 8, 10-14, 17, 21; all slots below
 *          then move up by 8]
 *   +0x10  RIP
 *   +0x18  CS       bits 0-15 selector (RPL 0 if the guest kernel was
 *                   interrupted, 3 for guest user), bits 32-39 the saved
 *                   evtchn_upcall_mask
 *   +0x20  RFLAGS   IF = !saved evtchn_upcall_mask
 *   +0x28  RSP
 *   +0x30  SS
 *
 * For #PF the faulting address is in vcpu_info.arch.cr2 (lamina/shared_info.h)
 * and error code bit 2 (U/S) reflects the guest's virtual mode. An
 * interrupt-type bounce (event upcall; trap entries with LAM_TI_IF_MASK)
 * also sets evtchn_upcall_mask. CS = LAM_FLAT_KERNEL_CS, SS = LAM_FLAT_KERNEL_SS.
 *
 * To return, the guest pops RCX and R11 (and the error code), then issues the
 * iret hypercall with a struct lam_iret_context on top of the stack: push
 * flags (0), RCX, R11, RAX; mov $23, %eax; syscall.
 */
#define LAM_BOUNCE_FRAME_RCX     0x00
#define LAM_BOUNCE_FRAME_R11     0x08
#define LAM_BOUNCE_FRAME_RIP     0x10
#define LAM_BOUNCE_FRAME_CS      0x18
#define LAM_BOUNCE_FRAME_RFLAGS  0x20
#define LAM_BOUNCE_FRAME_RSP     0x28
#define LAM_BOUNCE_FRAME_SS      0x30
#define LAM_BOUNCE_FRAME_SIZE    0x38
#define LAM_BOUNCE_FRAME_ERRCODE 0x10 /* when present; later slots +8 */
#define LAM_BOUNCE_CS_MASK_SHIFT 32   /* saved upcall mask position in the CS slot */

/* Vectors that push an error code. */
#define LAM_VECTOR_HAS_ERRCODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21)

/*
 * Context read by the iret hypercall from the guest stack (RSP at the time of
 * the syscall). The guest returns to rip/cs/rflags/rsp/ss; RAX is restored
 * from rax; R11 and RCX are restored unless flags has LAM_VGCF_in_syscall.
 * If (cs & 3) == 3 the vCPU switches to guest user mode.
 */
struct lam_iret_context {
    uint64_t rax;
    uint64_t r11;
    uint64_t rcx;
    uint64_t flags; /* LAM_VGCF_in_syscall */
    uint64_t rip;
    uint64_t cs;
    uint64_t rflags;
    uint64_t rsp;
    uint64_t ss;
};

/* Return as if by SYSRET: RCX and R11 are clobbered, not restored. */
#define LAM_VGCF_in_syscall_bit 8
#define LAM_VGCF_in_syscall     (1ULL << LAM_VGCF_in_syscall_bit)

LAM_ASSERT_SIZE(struct lam_iret_context, 72);
LAM_ASSERT_OFFSET(struct lam_iret_context, rax, 0);
LAM_ASSERT_OFFSET(struct lam_iret_context, r11, 8);
LAM_ASSERT_OFFSET(struct lam_iret_context, rcx, 16);
LAM_ASSERT_OFFSET(struct lam_iret_context, flags, 24);
LAM_ASSERT_OFFSET(struct lam_iret_context, rip, 32);
LAM_ASSERT_OFFSET(struct lam_iret_context, cs, 40);
LAM_ASSERT_OFFSET(struct lam_iret_context, rflags, 48);
LAM_ASSERT_OFFSET(struct lam_iret_context, rsp, 56);
LAM_ASSERT_OFFSET(struct lam_iret_context, ss, 64);

/*
 * Flat segment selectors in the hypervisor's reserved GDT area (entries
 * 7172-7174). The guest kernel and guest user both run in ring 3.
 */
#define LAM_FLAT_RING3_CS32 0xe023U
#define LAM_FLAT_RING3_CS64 0xe033U
#define LAM_FLAT_RING3_DS32 0xe02bU
#define LAM_FLAT_RING3_DS64 0x0000U
#define LAM_FLAT_RING3_SS32 0xe02bU
#define LAM_FLAT_RING3_SS64 0xe02bU
#define LAM_FLAT_KERNEL_CS  LAM_FLAT_RING3_CS64
#define LAM_FLAT_KERNEL_DS  LAM_FLAT_RING3_DS64
#define LAM_FLAT_KERNEL_SS  LAM_FLAT_RING3_SS64
#define LAM_FLAT_USER_CS    LAM_FLAT_RING3_CS64
#define LAM_FLAT_USER_DS    LAM_FLAT_RING3_DS64
#define LAM_FLAT_USER_SS    LAM_FLAT_RING3_SS64

/* First GDT entry reserved for the hypervisor; guest GDTs hold at most this many. */
#define LAM_FIRST_RESERVED_GDT_ENTRY 7168
#define LAM_FIRST_RESERVED_GDT_PAGE  14

/* set_segment_base(which, base) */
#define LAM_SEGBASE_FS          0 /* FS base */
#define LAM_SEGBASE_GS_USER     1 /* GS base used in guest user mode */
#define LAM_SEGBASE_GS_KERNEL   2 /* GS base used in guest kernel mode */
#define LAM_SEGBASE_GS_USER_SEL 3 /* load the user %gs selector from base[15:0] */

#endif /* LAMINA_TRAPS_H */
