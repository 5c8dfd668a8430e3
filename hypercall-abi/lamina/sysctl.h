/* SPDX-License-Identifier: MIT */
/*
 * lamina/sysctl.h - the sysctl hypercall (number 35): facts about the host for
 * the control domain's toolstack. sysctl(struct lam_sysctl *op).
 *
 * The layout and numbers are Xen 4.17's (interface version 0x15). As on Xen
 * the argument is read first (-EFAULT), then its interface_version checked
 * (-EACCES), then the caller's privilege (-EPERM: only the control domain).
 * Lamina implements the sub-operations below; any other one answers -ENOSYS.
 */
#ifndef LAMINA_SYSCTL_H
#define LAMINA_SYSCTL_H

#include "types.h"
#include "domctl.h"

#define LAM_SYSCTL_INTERFACE_VERSION 0x00000015U

/* Read the hypervisor's log ring (xl dmesg): struct lam_sysctl_readconsole. */
#define LAM_SYSCTL_readconsole 1
/* CPUs, memory and capabilities of the host: struct lam_sysctl_physinfo. */
#define LAM_SYSCTL_physinfo 3
/* The scheduler's id (LAM_SCHEDULER_* in domctl.h): struct lam_sysctl_sched_id. */
#define LAM_SYSCTL_sched_id 4
/* getdomaininfo of every domain from an id up: struct lam_sysctl_getdomaininfolist. */
#define LAM_SYSCTL_getdomaininfolist 6

/*
 * The log ring is addressed by free-running 32-bit indices: everything written
 * so far is [producer - size, producer). Without incremental a read starts at
 * the oldest byte still held (or the last clear); with it, at index when that
 * lies in the held range. index returns where the read stopped: passed back
 * with incremental, the next read goes on from there. clear forgets what was
 * read (the next plain read starts after it).
 */
struct lam_sysctl_readconsole {
    uint8_t clear;       /* IN */
    uint8_t incremental; /* IN */
    uint8_t pad0, pad1;
    uint32_t index;          /* IN with incremental; OUT: the index after the last byte read */
    lam_guest_addr_t buffer; /* IN */
    uint32_t count;          /* IN: buffer size; OUT: bytes written */
    uint32_t pad2;
};
LAM_ASSERT_SIZE(struct lam_sysctl_readconsole, 24);
LAM_ASSERT_OFFSET(struct lam_sysctl_readconsole, buffer, 8);
LAM_ASSERT_OFFSET(struct lam_sysctl_readconsole, count, 16);

/* physinfo capabilities (XEN_SYSCTL_PHYSCAP_*). */
#define LAM_SYSCTL_PHYSCAP_hvm       (1U << 0)
#define LAM_SYSCTL_PHYSCAP_pv        (1U << 1)
#define LAM_SYSCTL_PHYSCAP_directio  (1U << 2)
#define LAM_SYSCTL_PHYSCAP_hap       (1U << 3)
#define LAM_SYSCTL_PHYSCAP_shadow    (1U << 4)
#define LAM_SYSCTL_PHYSCAP_gnttab_v1 (1U << 8)
#define LAM_SYSCTL_PHYSCAP_gnttab_v2 (1U << 9)

struct lam_sysctl_physinfo {
    uint32_t threads_per_core;
    uint32_t cores_per_socket;
    uint32_t nr_cpus;    /* online */
    uint32_t max_cpu_id; /* the largest CPU number there could be */
    uint32_t nr_nodes;
    uint32_t max_node_id;
    uint32_t cpu_khz;
    uint32_t capabilities;      /* LAM_SYSCTL_PHYSCAP_* */
    uint32_t arch_capabilities; /* x86: 0 on Lamina (no HVM) */
    uint32_t pad;
    uint64_t total_pages; /* RAM the hypervisor manages */
    uint64_t free_pages;  /* of which free */
    uint64_t scrub_pages;
    uint64_t outstanding_pages;
    uint64_t max_mfn;   /* the largest frame number there could be */
    uint32_t hw_cap[8]; /* CPUID feature words, in Xen's featureset order */
};
LAM_ASSERT_SIZE(struct lam_sysctl_physinfo, 112);
LAM_ASSERT_OFFSET(struct lam_sysctl_physinfo, capabilities, 28);
LAM_ASSERT_OFFSET(struct lam_sysctl_physinfo, total_pages, 40);
LAM_ASSERT_OFFSET(struct lam_sysctl_physinfo, hw_cap, 80);

struct lam_sysctl_sched_id {
    uint32_t sched_id; /* OUT */
};

struct lam_sysctl_getdomaininfolist {
    lam_domid_t first_domain; /* IN */
    uint16_t pad0;
    uint32_t max_domains;    /* IN: entries the buffer holds */
    lam_guest_addr_t buffer; /* IN: struct lam_domctl_getdomaininfo[max_domains] */
    uint32_t num_domains;    /* OUT */
    uint32_t pad1;
};
LAM_ASSERT_SIZE(struct lam_sysctl_getdomaininfolist, 24);
LAM_ASSERT_OFFSET(struct lam_sysctl_getdomaininfolist, num_domains, 16);

struct lam_sysctl {
    uint32_t cmd;               /* LAM_SYSCTL_* */
    uint32_t interface_version; /* LAM_SYSCTL_INTERFACE_VERSION */
    union {
        struct lam_sysctl_readconsole readconsole;
        struct lam_sysctl_physinfo physinfo;
        struct lam_sysctl_sched_id sched_id;
        struct lam_sysctl_getdomaininfolist getdomaininfolist;
        uint8_t pad[128];
    } u;
};
LAM_ASSERT_SIZE(struct lam_sysctl, 136);
LAM_ASSERT_OFFSET(struct lam_sysctl, u, 8);

#endif
