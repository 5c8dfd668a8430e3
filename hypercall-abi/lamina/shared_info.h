/* SPDX-License-Identifier: MIT */
/*
 * lamina/shared_info.h - the page the hypervisor shares with every domain.
 *
 * One page per domain, owned by the hypervisor and mappable read-write by the
 * guest (start_info.shared_info holds its machine address). It carries the
 * per-vCPU event and time state for the first 32 vCPUs, the 2-level event
 * channel bitmaps, the wall clock, and fields the guest publishes for tools.
 * Layout is Xen's x86-64 struct shared_info (3136 bytes used).
 */
#ifndef LAMINA_SHARED_INFO_H
#define LAMINA_SHARED_INFO_H

#include "types.h"

#define LAM_LEGACY_MAX_VCPUS 32 /* vcpu_info slots inside shared_info */

/*
 * Per-vCPU time record (vcpu_time_info, 32 bytes). The guest computes
 *   ns = system_time + (((rdtsc - tsc_timestamp) << tsc_shift) * tsc_to_system_mul) >> 32
 * (right shift when tsc_shift < 0), reading seqlock-style: retry while
 * version is odd or changed across the read.
 */
struct lam_vcpu_time_info {
    uint32_t version;
    uint32_t pad0;
    uint64_t tsc_timestamp;     /* TSC at the last update */
    uint64_t system_time;       /* ns since boot at tsc_timestamp */
    uint32_t tsc_to_system_mul; /* 32.32 fixed-point TSC -> ns factor */
    int8_t tsc_shift;
    uint8_t flags; /* LAM_PVCLOCK_* */
    uint8_t pad1[2];
};

#define LAM_PVCLOCK_TSC_STABLE    (1U << 0)
#define LAM_PVCLOCK_GUEST_STOPPED (1U << 1)

/* x86-specific part of vcpu_info: the fault address of the last #PF bounced. */
struct lam_arch_vcpu_info {
    lam_ulong_t cr2;
    lam_ulong_t pad;
};

/*
 * vcpu_info (64 bytes). evtchn_upcall_mask is the guest's virtual interrupt
 * flag (1 = events masked); the hypervisor sets evtchn_upcall_pending and
 * bits of evtchn_pending_sel (bit i: word i of evtchn_pending may have work).
 */
struct lam_vcpu_info {
    uint8_t evtchn_upcall_pending;
    uint8_t evtchn_upcall_mask;
    uint8_t pad0[6];
    lam_ulong_t evtchn_pending_sel;
    struct lam_arch_vcpu_info arch;
    struct lam_vcpu_time_info time;
};

/* x86-specific tail of shared_info, written by the guest for the toolstack. */
struct lam_arch_shared_info {
    lam_ulong_t max_pfn;                    /* highest PFN + 1 of the guest's p2m */
    lam_ulong_t pfn_to_mfn_frame_list_list; /* MFN of the p2m frame list list */
    lam_ulong_t nmi_reason;                 /* bit 0 I/O check, bit 1 PCI SERR/parity */
    lam_ulong_t p2m_cr3;                    /* with SIF_VIRT_P2M_4TOOLS: cr3 of p2m_vaddr */
    lam_ulong_t p2m_vaddr;                  /* virtual address of the linear p2m list */
    lam_ulong_t p2m_generation;             /* bumped on every p2m change */
};

/* Number of event channel ports the 2-level ABI supports (64 words x 64 bits). */
#define LAM_EVTCHN_2L_NR_CHANNELS 4096
#define LAM_EVTCHN_2L_WORDS       64

struct lam_shared_info {
    struct lam_vcpu_info vcpu_info[LAM_LEGACY_MAX_VCPUS];
    lam_ulong_t evtchn_pending[LAM_EVTCHN_2L_WORDS];
    lam_ulong_t evtchn_mask[LAM_EVTCHN_2L_WORDS];
    uint32_t wc_version; /* wall clock seqcount: odd while being updated */
    uint32_t wc_sec;     /* seconds since 1970 at system time 0 */
    uint32_t wc_nsec;
    uint32_t wc_sec_hi; /* upper 32 bits of the seconds */
    struct lam_arch_shared_info arch;
};

LAM_ASSERT_SIZE(struct lam_vcpu_time_info, 32);
LAM_ASSERT_OFFSET(struct lam_vcpu_time_info, version, 0);
LAM_ASSERT_OFFSET(struct lam_vcpu_time_info, tsc_timestamp, 8);
LAM_ASSERT_OFFSET(struct lam_vcpu_time_info, system_time, 16);
LAM_ASSERT_OFFSET(struct lam_vcpu_time_info, tsc_to_system_mul, 24);
LAM_ASSERT_OFFSET(struct lam_vcpu_time_info, tsc_shift, 28);
LAM_ASSERT_OFFSET(struct lam_vcpu_time_info, flags, 29);

LAM_ASSERT_SIZE(struct lam_arch_vcpu_info, 16);
LAM_ASSERT_SIZE(struct lam_vcpu_info, 64);
LAM_ASSERT_OFFSET(struct lam_vcpu_info, evtchn_upcall_pending, 0);
LAM_ASSERT_OFFSET(struct lam_vcpu_info, evtchn_upcall_mask, 1);
LAM_ASSERT_OFFSET(struct lam_vcpu_info, evtchn_pending_sel, 8);
LAM_ASSERT_OFFSET(struct lam_vcpu_info, arch.cr2, 16);
LAM_ASSERT_OFFSET(struct lam_vcpu_info, time, 32);

LAM_ASSERT_SIZE(struct lam_arch_shared_info, 48);
LAM_ASSERT_SIZE(struct lam_shared_info, 3136);
LAM_ASSERT_OFFSET(struct lam_shared_info, vcpu_info, 0);
LAM_ASSERT_OFFSET(struct lam_shared_info, evtchn_pending, 2048);
LAM_ASSERT_OFFSET(struct lam_shared_info, evtchn_mask, 2560);
LAM_ASSERT_OFFSET(struct lam_shared_info, wc_version, 3072);
LAM_ASSERT_OFFSET(struct lam_shared_info, wc_sec, 3076);
LAM_ASSERT_OFFSET(struct lam_shared_info, wc_nsec, 3080);
LAM_ASSERT_OFFSET(struct lam_shared_info, wc_sec_hi, 3084);
LAM_ASSERT_OFFSET(struct lam_shared_info, arch.max_pfn, 3088);
LAM_ASSERT_OFFSET(struct lam_shared_info, arch.pfn_to_mfn_frame_list_list, 3096);
LAM_ASSERT_OFFSET(struct lam_shared_info, arch.nmi_reason, 3104);
LAM_ASSERT_OFFSET(struct lam_shared_info, arch.p2m_cr3, 3112);
LAM_ASSERT_OFFSET(struct lam_shared_info, arch.p2m_vaddr, 3120);
LAM_ASSERT_OFFSET(struct lam_shared_info, arch.p2m_generation, 3128);

#endif /* LAMINA_SHARED_INFO_H */
