/* SPDX-License-Identifier: MIT */
/*
 * lamina/vcpu.h - the vcpu_op hypercall (number 24): vcpu_op(cmd, vcpuid, arg),
 * and the full vCPU register context used by LAM_VCPUOP_initialise.
 */
#ifndef LAMINA_VCPU_H
#define LAMINA_VCPU_H

#include "types.h"
#include "traps.h"

#define LAM_VCPUOP_initialise                     0 /* struct lam_vcpu_guest_context */
#define LAM_VCPUOP_up                             1
#define LAM_VCPUOP_down                           2
#define LAM_VCPUOP_is_up                          3 /* returns 1/0; -ENOENT if no such vCPU */
#define LAM_VCPUOP_get_runstate_info              4 /* struct lam_vcpu_runstate_info */
#define LAM_VCPUOP_register_runstate_memory_area  5 /* struct lam_vcpu_register_area */
#define LAM_VCPUOP_set_periodic_timer             6 /* struct lam_vcpu_set_periodic_timer */
#define LAM_VCPUOP_stop_periodic_timer            7
#define LAM_VCPUOP_set_singleshot_timer           8 /* struct lam_vcpu_set_singleshot_timer */
#define LAM_VCPUOP_stop_singleshot_timer          9
#define LAM_VCPUOP_register_vcpu_info             10 /* struct lam_vcpu_register_vcpu_info */
#define LAM_VCPUOP_send_nmi                       11
#define LAM_VCPUOP_get_physid                     12 /* struct lam_vcpu_get_physid */
#define LAM_VCPUOP_register_vcpu_time_memory_area 13 /* struct lam_vcpu_register_area */
#define LAM_VCPUOP_register_runstate_phys_area    14
#define LAM_VCPUOP_register_vcpu_time_phys_area   15

#define LAM_RUNSTATE_running  0
#define LAM_RUNSTATE_runnable 1
#define LAM_RUNSTATE_blocked  2
#define LAM_RUNSTATE_offline  3

/* Set in state_entry_time while the hypervisor updates the record (vm_assist 5). */
#define LAM_RUNSTATE_UPDATE (1ULL << 63)

struct lam_vcpu_runstate_info {
    int32_t state; /* LAM_RUNSTATE_* */
    uint32_t pad;
    uint64_t state_entry_time; /* system time of the last state change */
    uint64_t time[4];          /* ns spent in each state */
};

/* Guest virtual address of an area the hypervisor keeps up to date. */
struct lam_vcpu_register_area {
    lam_guest_addr_t addr;
};

struct lam_vcpu_set_periodic_timer {
    uint64_t period_ns;
};

#define LAM_VCPU_SSHOTTMR_future (1U << 0) /* fail with -ETIME if already past */
struct lam_vcpu_set_singleshot_timer {
    uint64_t timeout_abs_ns; /* absolute system time */
    uint32_t flags;          /* LAM_VCPU_SSHOTTMR_* */
    uint32_t pad;
};

/* Move vcpu_info to (mfn, offset); may not cross a page; 8-byte aligned. */
struct lam_vcpu_register_vcpu_info {
    uint64_t mfn;
    uint32_t offset;
    uint32_t rsvd;
};

struct lam_vcpu_get_physid {
    uint64_t phys_id; /* OUT: APIC id (bits 0-31) and ACPI id (32-63) */
};

LAM_ASSERT_SIZE(struct lam_vcpu_runstate_info, 48);
LAM_ASSERT_OFFSET(struct lam_vcpu_runstate_info, state_entry_time, 8);
LAM_ASSERT_OFFSET(struct lam_vcpu_runstate_info, time, 16);
LAM_ASSERT_SIZE(struct lam_vcpu_register_area, 8);
LAM_ASSERT_SIZE(struct lam_vcpu_set_periodic_timer, 8);
LAM_ASSERT_SIZE(struct lam_vcpu_set_singleshot_timer, 16);
LAM_ASSERT_OFFSET(struct lam_vcpu_set_singleshot_timer, flags, 8);
LAM_ASSERT_SIZE(struct lam_vcpu_register_vcpu_info, 16);
LAM_ASSERT_OFFSET(struct lam_vcpu_register_vcpu_info, offset, 8);
LAM_ASSERT_SIZE(struct lam_vcpu_get_physid, 8);

/* General-purpose register frame (cpu_user_regs, 200 bytes). */
struct lam_cpu_user_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi;
    uint32_t error_code;
    uint32_t entry_vector;
    uint64_t rip;
    uint16_t cs;
    uint16_t pad0;
    uint8_t saved_upcall_mask;
    uint8_t pad1[3];
    uint64_t rflags;
    uint64_t rsp;
    uint16_t ss, pad2[3];
    uint16_t es, pad3[3];
    uint16_t ds, pad4[3];
    uint16_t fs, pad5[3];
    uint16_t gs, pad6[3];
};

/* flags of struct lam_vcpu_guest_context */
#define LAM_VGCF_i387_valid               (1ULL << 0)
#define LAM_VGCF_in_kernel                (1ULL << 2)
#define LAM_VGCF_failsafe_disables_events (1ULL << 3)
#define LAM_VGCF_syscall_disables_events  (1ULL << 4)
#define LAM_VGCF_online                   (1ULL << 5)

/* Full vCPU state (vcpu_guest_context, 5168 bytes). */
struct lam_vcpu_guest_context {
    uint8_t fpu_ctxt[512]; /* FXSAVE image */
    uint64_t flags;        /* LAM_VGCF_* */
    struct lam_cpu_user_regs user_regs;
    struct lam_trap_info trap_ctxt[256];
    uint64_t ldt_base, ldt_ents;
    uint64_t gdt_frames[16], gdt_ents;
    uint64_t kernel_ss, kernel_sp;
    uint64_t ctrlreg[8]; /* ctrlreg[3] = kernel L4 MFN << 12; ctrlreg[1] = user L4 */
    uint64_t debugreg[8];
    uint64_t event_callback_eip;
    uint64_t failsafe_callback_eip;
    uint64_t syscall_callback_eip;
    uint64_t vm_assist; /* bitmap of LAM_VMASST_TYPE_* */
    uint64_t fs_base;
    uint64_t gs_base_kernel;
    uint64_t gs_base_user;
};

LAM_ASSERT_SIZE(struct lam_cpu_user_regs, 200);
LAM_ASSERT_OFFSET(struct lam_cpu_user_regs, r11, 48);
LAM_ASSERT_OFFSET(struct lam_cpu_user_regs, rax, 80);
LAM_ASSERT_OFFSET(struct lam_cpu_user_regs, rdi, 112);
LAM_ASSERT_OFFSET(struct lam_cpu_user_regs, error_code, 120);
LAM_ASSERT_OFFSET(struct lam_cpu_user_regs, entry_vector, 124);
LAM_ASSERT_OFFSET(struct lam_cpu_user_regs, rip, 128);
LAM_ASSERT_OFFSET(struct lam_cpu_user_regs, cs, 136);
LAM_ASSERT_OFFSET(struct lam_cpu_user_regs, saved_upcall_mask, 140);
LAM_ASSERT_OFFSET(struct lam_cpu_user_regs, rflags, 144);
LAM_ASSERT_OFFSET(struct lam_cpu_user_regs, rsp, 152);
LAM_ASSERT_OFFSET(struct lam_cpu_user_regs, ss, 160);
LAM_ASSERT_OFFSET(struct lam_cpu_user_regs, es, 168);
LAM_ASSERT_OFFSET(struct lam_cpu_user_regs, ds, 176);
LAM_ASSERT_OFFSET(struct lam_cpu_user_regs, fs, 184);
LAM_ASSERT_OFFSET(struct lam_cpu_user_regs, gs, 192);

LAM_ASSERT_SIZE(struct lam_vcpu_guest_context, 5168);
LAM_ASSERT_OFFSET(struct lam_vcpu_guest_context, flags, 512);
LAM_ASSERT_OFFSET(struct lam_vcpu_guest_context, user_regs, 520);
LAM_ASSERT_OFFSET(struct lam_vcpu_guest_context, trap_ctxt, 720);
LAM_ASSERT_OFFSET(struct lam_vcpu_guest_context, ldt_base, 4816);
LAM_ASSERT_OFFSET(struct lam_vcpu_guest_context, ldt_ents, 4824);
LAM_ASSERT_OFFSET(struct lam_vcpu_guest_context, gdt_frames, 4832);
LAM_ASSERT_OFFSET(struct lam_vcpu_guest_context, gdt_ents, 4960);
LAM_ASSERT_OFFSET(struct lam_vcpu_guest_context, kernel_ss, 4968);
LAM_ASSERT_OFFSET(struct lam_vcpu_guest_context, kernel_sp, 4976);
LAM_ASSERT_OFFSET(struct lam_vcpu_guest_context, ctrlreg, 4984);
LAM_ASSERT_OFFSET(struct lam_vcpu_guest_context, debugreg, 5048);
LAM_ASSERT_OFFSET(struct lam_vcpu_guest_context, event_callback_eip, 5112);
LAM_ASSERT_OFFSET(struct lam_vcpu_guest_context, failsafe_callback_eip, 5120);
LAM_ASSERT_OFFSET(struct lam_vcpu_guest_context, syscall_callback_eip, 5128);
LAM_ASSERT_OFFSET(struct lam_vcpu_guest_context, vm_assist, 5136);
LAM_ASSERT_OFFSET(struct lam_vcpu_guest_context, fs_base, 5144);
LAM_ASSERT_OFFSET(struct lam_vcpu_guest_context, gs_base_kernel, 5152);
LAM_ASSERT_OFFSET(struct lam_vcpu_guest_context, gs_base_user, 5160);

#endif /* LAMINA_VCPU_H */
