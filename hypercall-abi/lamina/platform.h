/* SPDX-License-Identifier: MIT */
/*
 * lamina/platform.h - the platform_op hypercall (number 7), control domain only:
 * platform_op(struct lam_platform_op *op).
 *
 * Every call carries LAM_PLATFORM_INTERFACE_VERSION; a mismatch fails with
 * -EACCES. Linux's dom0 issues a handful at boot, all failure-tolerant: the
 * wall-clock setters, CPU information and firmware queries.
 */
#ifndef LAMINA_PLATFORM_H
#define LAMINA_PLATFORM_H

#include "types.h"

#define LAM_PLATFORM_INTERFACE_VERSION 0x03000001U

#define LAM_XENPF_settime32     17 /* struct lam_xenpf_settime32 */
#define LAM_XENPF_firmware_info 50 /* struct lam_xenpf_firmware_info (not offered) */
#define LAM_XENPF_get_cpuinfo   55 /* struct lam_xenpf_pcpuinfo */
#define LAM_XENPF_settime64     62 /* struct lam_xenpf_settime64 */

/* Set the wall clock: secs/nsecs is the time of day at system time system_time. */
struct lam_xenpf_settime32 {
    uint32_t secs;
    uint32_t nsecs;
    uint64_t system_time;
};

struct lam_xenpf_settime64 {
    uint64_t secs;
    uint32_t nsecs;
    uint32_t mbz; /* must be zero */
    uint64_t system_time;
};

#define LAM_XEN_PCPU_FLAGS_ONLINE  1U
#define LAM_XEN_PCPU_FLAGS_INVALID 2U
struct lam_xenpf_pcpuinfo {
    uint32_t xen_cpuid;   /* IN: physical CPU number */
    uint32_t max_present; /* OUT: highest present CPU number */
    uint32_t flags;       /* OUT: LAM_XEN_PCPU_FLAGS_* */
    uint32_t apic_id;     /* OUT */
    uint32_t acpi_id;     /* OUT */
};

struct lam_platform_op {
    uint32_t cmd;
    uint32_t interface_version; /* LAM_PLATFORM_INTERFACE_VERSION */
    union {
        struct lam_xenpf_settime32 settime32;
        struct lam_xenpf_settime64 settime64;
        struct lam_xenpf_pcpuinfo pcpu_info;
        uint8_t pad[128];
    } u;
};

LAM_ASSERT_SIZE(struct lam_xenpf_settime32, 16);
LAM_ASSERT_SIZE(struct lam_xenpf_settime64, 24);
LAM_ASSERT_OFFSET(struct lam_xenpf_settime64, system_time, 16);
LAM_ASSERT_SIZE(struct lam_xenpf_pcpuinfo, 20);
LAM_ASSERT_SIZE(struct lam_platform_op, 136);
LAM_ASSERT_OFFSET(struct lam_platform_op, u, 8);

#endif /* LAMINA_PLATFORM_H */
