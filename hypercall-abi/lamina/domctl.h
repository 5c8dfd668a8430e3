/* SPDX-License-Identifier: MIT */
/*
 * lamina/domctl.h - the domctl hypercall (number 36): domain control for the
 * control domain's toolstack. domctl(struct lam_domctl *op).
 *
 * The layout and numbers are Xen 4.17's (interface version 0x15), so Xen's
 * own tools and Linux's privcmd pass through unchanged. A call whose
 * interface_version differs gets -EACCES, as on Xen. The checks run in Xen's
 * order: the argument is read (-EFAULT), its interface_version checked
 * (-EACCES), the domain looked up (-ESRCH; not for createdomain, and
 * getdomaininfo iterates), and only then the caller's privilege (-EPERM):
 * only the control domain (dom0) may use it.
 *
 * Lamina implements the sub-operations below; any other one answers -ENOSYS.
 */
#ifndef LAMINA_DOMCTL_H
#define LAMINA_DOMCTL_H

#include "types.h"

#define LAM_DOMCTL_INTERFACE_VERSION 0x00000015U

/* Make a new, empty domain: struct lam_domctl_createdomain. lam_domctl.domain
 * names the id wanted (0 or >= LAM_DOMID_FIRST_RESERVED: the next free one) and
 * returns the id given. The domain starts paused by the controller (one
 * unpausedomain runs it), owns no memory (max_mem 0) and no vCPUs yet
 * (max_vcpus creates them). An id in use: -EEXIST. */
#define LAM_DOMCTL_createdomain 1

/* Tear a domain down: its vCPUs stop for good, its event channels close, the
 * grant mappings it holds are released and its memory returns to the
 * hypervisor once nobody else references it. The domain stays visible as
 * "dying" until its last frame is freed. Not for the caller itself. */
#define LAM_DOMCTL_destroydomain 2
/* Stop / restart scheduling every vCPU of the domain (a pause count: paired calls). */
#define LAM_DOMCTL_pausedomain   3
#define LAM_DOMCTL_unpausedomain 4
/* Facts about one domain: struct lam_domctl_getdomaininfo. With a domain id
 * that does not exist, the next existing one is returned (Xen's behaviour,
 * which toolstacks use to iterate). */
#define LAM_DOMCTL_getdomaininfo 5
/* Hard affinity of one vCPU (the physical CPUs it may run on): struct lam_domctl_vcpuaffinity.
 * set answers with the effective mask (the online CPUs of it); get with the mask as set. */
#define LAM_DOMCTL_setvcpuaffinity 9
#define LAM_DOMCTL_getvcpuaffinity 25
/* One vCPU's state and the physical CPU it is on: struct lam_domctl_getvcpuinfo. */
#define LAM_DOMCTL_getvcpuinfo 14
/* Set the memory limit (KiB): struct lam_domctl_max_mem. */
#define LAM_DOMCTL_max_mem 11
/* Scheduler parameters: struct lam_domctl_scheduler_op. */
#define LAM_DOMCTL_scheduler_op 16
/* A vCPU's whole register and descriptor state: struct lam_domctl_vcpucontext naming a
 * struct lam_vcpu_guest_context (vcpu.h) in the caller's memory. set validates it as
 * VCPUOP_initialise does (canonical addresses, ctrlreg[3] the MFN of an L4 of that domain
 * which must validate as one, GDT frames) and, with LAM_VGCF_online, brings the vCPU up;
 * get answers -ENODATA for a vCPU never set. Not for the caller itself (-EINVAL). */
#define LAM_DOMCTL_setvcpucontext 12
#define LAM_DOMCTL_getvcpucontext 13
/* Create the domain's vCPUs: struct lam_domctl_max_vcpus. max must equal createdomain's
 * max_vcpus (-EINVAL otherwise); calling it again is harmless. */
#define LAM_DOMCTL_max_vcpus 15
/* I/O memory and port access for a domain: struct lam_domctl_iomem_permission and
 * struct lam_domctl_ioport_permission. A domU has none unless granted. */
#define LAM_DOMCTL_iomem_permission  20
#define LAM_DOMCTL_ioport_permission 21
/* The domain's wall clock runs this many seconds ahead of the host's:
 * struct lam_domctl_settimeoffset (written into its shared_info at once). */
#define LAM_DOMCTL_settimeoffset 24
/* Guest width in bits: struct lam_domctl_address_size. 64 only (32-bit PV is
 * refused with -EOPNOTSUPP, as Xen built or booted without PV32). */
#define LAM_DOMCTL_set_address_size 35
#define LAM_DOMCTL_get_address_size 36
/* Log-dirty mode for saving and migrating a running domain: struct lam_domctl_shadow_op,
 * with Xen 4.17's sub-operations and answers (docs/log-dirty.md). Not for the caller
 * itself or a domain without vCPUs (-EINVAL); on a dying domain it is ignored (0). The struct is
 * copied back whatever the answer (the stats of a CLEAN/PEEK that failed writing the bitmap too).
 */
#define LAM_DOMCTL_shadow_op 10
/* Page types of up to 1024 frames of a domain, for the save side's page-table
 * normalisation: struct lam_domctl_getpageframeinfo3. Each 64-bit MFN of the array is
 * overwritten by its LAM_DOMCTL_PFINFO_* type; more than 1024: -E2BIG; an element that
 * cannot be read or written: -EFAULT (the elements before it are done). */
#define LAM_DOMCTL_getpageframeinfo3 61

/* shadow_op sub-operations (XEN_DOMCTL_SHADOW_OP_*). */
#define LAM_DOMCTL_SHADOW_OP_OFF             0  /* log-dirty off, bitmap freed; 0 if it was off */
#define LAM_DOMCTL_SHADOW_OP_ENABLE_TEST     1  /* shadow paging alone: refused (-EINVAL) */
#define LAM_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY 2  /* -EINVAL if already on */
#define LAM_DOMCTL_SHADOW_OP_CLEAN           11 /* copy the bitmap and stats, then clear both */
#define LAM_DOMCTL_SHADOW_OP_PEEK            12 /* copy the bitmap and stats */
#define LAM_DOMCTL_SHADOW_OP_GET_ALLOCATION  30 /* mb: the shadow pool Xen would hold, MiB */
#define LAM_DOMCTL_SHADOW_OP_SET_ALLOCATION  31
#define LAM_DOMCTL_SHADOW_OP_ENABLE          32 /* mode: LAM_DOMCTL_SHADOW_ENABLE_* */
/* ENABLE's mode bits: only LOG_DIRTY is accepted for a PV domain. */
#define LAM_DOMCTL_SHADOW_ENABLE_REFCOUNT  (1U << 1)
#define LAM_DOMCTL_SHADOW_ENABLE_LOG_DIRTY (1U << 2)
#define LAM_DOMCTL_SHADOW_ENABLE_TRANSLATE (1U << 3)
#define LAM_DOMCTL_SHADOW_ENABLE_EXTERNAL  (1U << 4)
/* CLEAN/PEEK mode: the last pass of a save (matters to HVM only); any other bit -EINVAL. */
#define LAM_DOMCTL_SHADOW_LOGDIRTY_FINAL (1U << 0)

struct lam_domctl_shadow_op_stats {
    uint32_t fault_count; /* write faults taken since the last CLEAN */
    uint32_t dirty_count; /* pages newly marked since the last CLEAN */
};

struct lam_domctl_shadow_op {
    uint32_t op;   /* LAM_DOMCTL_SHADOW_OP_* */
    uint32_t mode; /* ENABLE: LAM_DOMCTL_SHADOW_ENABLE_*; CLEAN/PEEK: LOGDIRTY_FINAL */
    uint32_t mb;   /* GET/SET_ALLOCATION, MiB */
    uint32_t pad;
    /* CLEAN/PEEK: bit p (LSB first in each byte) = guest frame p written; 0 = stats only. */
    lam_guest_addr_t dirty_bitmap;
    uint64_t pages; /* IN: bits wanted; OUT: bits covered (unchanged up to 2^42) */
    struct lam_domctl_shadow_op_stats stats;
};
LAM_ASSERT_SIZE(struct lam_domctl_shadow_op, 40);
LAM_ASSERT_OFFSET(struct lam_domctl_shadow_op, dirty_bitmap, 16);
LAM_ASSERT_OFFSET(struct lam_domctl_shadow_op, pages, 24);
LAM_ASSERT_OFFSET(struct lam_domctl_shadow_op, stats, 32);

/* getpageframeinfo3 types (XEN_DOMCTL_PFINFO_*), in bits 28-31 of each element. */
#define LAM_DOMCTL_PFINFO_LTAB_SHIFT 28
#define LAM_DOMCTL_PFINFO_NOTAB      (0x0U << 28) /* an ordinary page of the domain */
#define LAM_DOMCTL_PFINFO_L1TAB      (0x1U << 28) /* its type is L1..L4 (validated or not) */
#define LAM_DOMCTL_PFINFO_L2TAB      (0x2U << 28)
#define LAM_DOMCTL_PFINFO_L3TAB      (0x3U << 28)
#define LAM_DOMCTL_PFINFO_L4TAB      (0x4U << 28)
#define LAM_DOMCTL_PFINFO_LPINTAB    (0x1U << 31) /* pinned */
#define LAM_DOMCTL_PFINFO_BROKEN     (0xdU << 28)
#define LAM_DOMCTL_PFINFO_XALLOC     (0xeU << 28)
#define LAM_DOMCTL_PFINFO_XTAB       (0xfU << 28) /* not the domain's, or the hypervisor's */
#define LAM_DOMCTL_PFINFO_LTAB_MASK  (0xfU << 28)
#define LAM_DOMCTL_PFINFO_MAX        1024U

struct lam_domctl_getpageframeinfo3 {
    uint64_t num;           /* elements, at most LAM_DOMCTL_PFINFO_MAX */
    lam_guest_addr_t array; /* uint64_t[num]: IN an MFN each, OUT its type */
};
LAM_ASSERT_SIZE(struct lam_domctl_getpageframeinfo3, 16);

/* createdomain flags (XEN_DOMCTL_CDF_*). Lamina builds PV domains only: hvm, hap and
 * nested_virt are refused (-EINVAL), as Xen does on a host without HVM; so are
 * iommu (no IOMMU), vpmu and s3_integrity. */
#define LAM_DOMCTL_CDF_hvm          (1U << 0)
#define LAM_DOMCTL_CDF_hap          (1U << 1)
#define LAM_DOMCTL_CDF_s3_integrity (1U << 2)
#define LAM_DOMCTL_CDF_oos_off      (1U << 3)
#define LAM_DOMCTL_CDF_xs_domain    (1U << 4)
#define LAM_DOMCTL_CDF_iommu        (1U << 5)
#define LAM_DOMCTL_CDF_nested_virt  (1U << 6)
#define LAM_DOMCTL_CDF_vpmu         (1U << 7)
#define LAM_DOMCTL_CDF_ALL          0xffU

/* createdomain grant_opts: the highest grant-table version the domain may use. */
#define LAM_DOMCTL_GRANT_version_mask 0xfU

struct lam_domctl_createdomain {
    uint32_t ssidref;   /* XSM label: 0 */
    uint8_t handle[16]; /* the toolstack's UUID for the domain */
    uint32_t flags;     /* LAM_DOMCTL_CDF_* */
    uint32_t iommu_opts;
    uint32_t max_vcpus;            /* 1 .. 32 on Lamina */
    uint32_t max_evtchn_port;      /* highest event-channel port the domain may use */
    int32_t max_grant_frames;      /* -1: the default (gnttab_max_frames=, 64) */
    int32_t max_maptrack_frames;   /* -1: the default (gnttab_max_maptrack_frames=, 1024) */
    uint32_t grant_opts;           /* LAM_DOMCTL_GRANT_version_mask: 1 or 2 */
    uint32_t vmtrace_size;         /* 0: no processor trace */
    uint32_t cpupool_id;           /* 0 */
    uint32_t arch_emulation_flags; /* x86: 0 for PV */
    uint32_t arch_misc_flags;      /* x86: XEN_X86_MSR_RELAXED (1) accepted */
};
LAM_ASSERT_SIZE(struct lam_domctl_createdomain, 64);
LAM_ASSERT_OFFSET(struct lam_domctl_createdomain, flags, 20);
LAM_ASSERT_OFFSET(struct lam_domctl_createdomain, max_vcpus, 28);
LAM_ASSERT_OFFSET(struct lam_domctl_createdomain, grant_opts, 44);
LAM_ASSERT_OFFSET(struct lam_domctl_createdomain, arch_emulation_flags, 56);

struct lam_domctl_max_vcpus {
    uint32_t max;
};

struct lam_domctl_vcpucontext {
    uint32_t vcpu;
    uint32_t pad;
    lam_guest_addr_t ctxt; /* struct lam_vcpu_guest_context; 0 on set resets the vCPU */
};
LAM_ASSERT_SIZE(struct lam_domctl_vcpucontext, 16);

struct lam_domctl_iomem_permission {
    uint64_t first_mfn;
    uint64_t nr_mfns;
    uint8_t allow_access; /* 1 grant, 0 revoke */
    uint8_t pad[7];
};
LAM_ASSERT_SIZE(struct lam_domctl_iomem_permission, 24);

struct lam_domctl_ioport_permission {
    uint32_t first_port;
    uint32_t nr_ports;
    uint8_t allow_access; /* 1 grant, 0 revoke */
    uint8_t pad[3];
};
LAM_ASSERT_SIZE(struct lam_domctl_ioport_permission, 12);

struct lam_domctl_settimeoffset {
    int64_t time_offset_seconds;
};

struct lam_domctl_address_size {
    uint32_t size; /* bits */
};

/* getdomaininfo flags (XEN_DOMINF_*). */
#define LAM_DOMINF_dying          (1U << 0)
#define LAM_DOMINF_hvm_guest      (1U << 1)
#define LAM_DOMINF_shutdown       (1U << 2)
#define LAM_DOMINF_paused         (1U << 3)
#define LAM_DOMINF_blocked        (1U << 4)
#define LAM_DOMINF_running        (1U << 5)
#define LAM_DOMINF_debugged       (1U << 6)
#define LAM_DOMINF_xs_domain      (1U << 7)
#define LAM_DOMINF_hap            (1U << 8)
#define LAM_DOMINF_shutdown_shift 16 /* the shutdown reason, 8 bits */
#define LAM_DOMINF_shutdown_mask  255U

struct lam_domctl_getdomaininfo {
    lam_domid_t domain; /* OUT: the domain described (echoed in lam_domctl.domain) */
    uint16_t pad1;
    uint32_t flags; /* LAM_DOMINF_* */
    uint64_t tot_pages;
    uint64_t max_pages;
    uint64_t outstanding_pages;
    uint64_t shr_pages;
    uint64_t paged_pages;
    uint64_t shared_info_frame; /* machine frame of shared_info */
    uint64_t cpu_time;          /* ns all vCPUs have run */
    uint32_t nr_online_vcpus;
    uint32_t max_vcpu_id;
    uint32_t ssidref;
    uint8_t handle[16]; /* the toolstack's UUID for the domain */
    uint32_t cpupool;
    uint8_t gpaddr_bits;
    uint8_t pad2[7];
    uint32_t arch_emulation_flags; /* x86: always 0 for PV */
    uint32_t arch_misc_flags;
};
LAM_ASSERT_SIZE(struct lam_domctl_getdomaininfo, 112);
LAM_ASSERT_OFFSET(struct lam_domctl_getdomaininfo, tot_pages, 8);
LAM_ASSERT_OFFSET(struct lam_domctl_getdomaininfo, shared_info_frame, 48);
LAM_ASSERT_OFFSET(struct lam_domctl_getdomaininfo, nr_online_vcpus, 64);
LAM_ASSERT_OFFSET(struct lam_domctl_getdomaininfo, handle, 76);
LAM_ASSERT_OFFSET(struct lam_domctl_getdomaininfo, cpupool, 92);

/* A CPU bitmap in the caller's memory: bit n of byte n / 8 is CPU n. */
struct lam_domctl_bitmap {
    lam_guest_addr_t bitmap;
    uint32_t nr_bits;
    uint32_t pad;
};
LAM_ASSERT_SIZE(struct lam_domctl_bitmap, 16);

#define LAM_VCPUAFFINITY_HARD (1U << 0)
#define LAM_VCPUAFFINITY_SOFT (1U << 1) /* accepted; Lamina has no soft affinity */
struct lam_domctl_vcpuaffinity {
    uint32_t vcpu;
    uint32_t flags; /* LAM_VCPUAFFINITY_*: at least one */
    struct lam_domctl_bitmap cpumap_hard;
    struct lam_domctl_bitmap cpumap_soft;
};
LAM_ASSERT_SIZE(struct lam_domctl_vcpuaffinity, 40);
LAM_ASSERT_OFFSET(struct lam_domctl_vcpuaffinity, cpumap_soft, 24);

struct lam_domctl_getvcpuinfo {
    uint32_t vcpu; /* IN */
    uint8_t online, blocked, running;
    uint8_t pad;
    uint64_t cpu_time; /* ns it has run */
    uint32_t cpu;      /* the physical CPU it runs on, or last ran on */
    uint32_t pad2;
};
LAM_ASSERT_SIZE(struct lam_domctl_getvcpuinfo, 24);
LAM_ASSERT_OFFSET(struct lam_domctl_getvcpuinfo, cpu, 16);

struct lam_domctl_max_mem {
    uint64_t max_memkb;
};

/* scheduler_op: Lamina's scheduler is credit-style and answers as Xen's credit. */
#define LAM_SCHEDULER_CREDIT       5
#define LAM_DOMCTL_SCHEDOP_putinfo 0
#define LAM_DOMCTL_SCHEDOP_getinfo 1
/* A putinfo cap that leaves the current cap as it is (Xen: (uint16_t)~0U). */
#define LAM_CREDIT_CAP_UNCHANGED 0xFFFFU
struct lam_domctl_scheduler_op {
    uint32_t sched_id; /* LAM_SCHEDULER_*; must match the running scheduler */
    uint32_t cmd;      /* LAM_DOMCTL_SCHEDOP_* */
    union {
        struct {
            uint16_t weight; /* 1..65535; 0 on put = leave unchanged */
            uint16_t cap;    /* percent of one CPU, 0 = none; LAM_CREDIT_CAP_UNCHANGED */
        } credit;
        uint8_t pad[16];
    } u;
};
LAM_ASSERT_SIZE(struct lam_domctl_scheduler_op, 24);

struct lam_domctl {
    uint32_t cmd;               /* LAM_DOMCTL_* */
    uint32_t interface_version; /* LAM_DOMCTL_INTERFACE_VERSION */
    lam_domid_t domain;
    uint16_t pad[3];
    union {
        struct lam_domctl_getdomaininfo getdomaininfo;
        struct lam_domctl_max_mem max_mem;
        struct lam_domctl_scheduler_op scheduler_op;
        struct lam_domctl_vcpuaffinity vcpuaffinity;
        struct lam_domctl_getvcpuinfo getvcpuinfo;
        struct lam_domctl_createdomain createdomain;
        struct lam_domctl_max_vcpus max_vcpus;
        struct lam_domctl_vcpucontext vcpucontext;
        struct lam_domctl_iomem_permission iomem_permission;
        struct lam_domctl_ioport_permission ioport_permission;
        struct lam_domctl_settimeoffset settimeoffset;
        struct lam_domctl_address_size address_size;
        struct lam_domctl_shadow_op shadow_op;
        struct lam_domctl_getpageframeinfo3 getpageframeinfo3;
        uint8_t pad[128];
    } u;
};
LAM_ASSERT_SIZE(struct lam_domctl, 144);
LAM_ASSERT_OFFSET(struct lam_domctl, u, 16);

#endif
