/* SPDX-License-Identifier: MIT */
/*
 * lamina/version.h - the xen_version hypercall (number 17): xen_version(cmd, arg).
 *
 * All sub-operations return 0 on success except LAM_XENVER_version (returns
 * major << 16 | minor), LAM_XENVER_pagesize (returns the page size) and
 * LAM_XENVER_build_id (returns the number of bytes written).
 */
#ifndef LAMINA_VERSION_H
#define LAMINA_VERSION_H

#include "types.h"

/* arg ignored (Linux passes NULL); returns (major << 16) | minor. */
#define LAM_XENVER_version  0
#define LAM_XENVER_MAJOR(v) ((unsigned int)(v) >> 16)
#define LAM_XENVER_MINOR(v) ((unsigned int)(v)&0xFFFFU)

/* arg -> char[16]: version suffix such as ".7" or "-rc" (NUL-terminated). */
#define LAM_XENVER_extraversion     1
#define LAM_XENVER_EXTRAVERSION_LEN 16

/* arg -> struct lam_xen_compile_info */
#define LAM_XENVER_compile_info 2
struct lam_xen_compile_info {
    char compiler[64];
    char compile_by[16];
    char compile_domain[32];
    char compile_date[32];
};

/* arg -> char[1024]: space-separated guest types, e.g. "xen-3.0-x86_64 ...". */
#define LAM_XENVER_capabilities     3
#define LAM_XENVER_CAPABILITIES_LEN 1024

/* arg -> char[64]: source revision the hypervisor was built from. */
#define LAM_XENVER_changeset     4
#define LAM_XENVER_CHANGESET_LEN 64

/* arg -> struct lam_xen_platform_parameters: start of the hypervisor hole. */
#define LAM_XENVER_platform_parameters 5
struct lam_xen_platform_parameters {
    lam_ulong_t virt_start;
};

/* arg -> struct lam_xen_feature_info; bit numbers in lamina/features.h. */
#define LAM_XENVER_get_features 6
struct lam_xen_feature_info {
    uint32_t submap_idx; /* IN: which 32-bit submap (only 0 exists) */
    uint32_t submap;     /* OUT: the feature bits */
};

/* arg ignored; returns the page size in bytes. */
#define LAM_XENVER_pagesize 7

/* arg -> uint8_t[16]: the domain's handle (UUID) as set by the toolstack. */
#define LAM_XENVER_guest_handle     8
#define LAM_XENVER_GUEST_HANDLE_LEN 16

/* arg -> char[1024]: the hypervisor's command line (privileged domains only). */
#define LAM_XENVER_commandline     9
#define LAM_XENVER_COMMANDLINE_LEN 1024

/*
 * arg -> struct lam_xen_build_id: IN len = capacity of buf; returns bytes
 * written, or with a NULL arg the size of the build id.
 */
#define LAM_XENVER_build_id 10
struct lam_xen_build_id {
    uint32_t len;
    /* followed by len bytes of build id */
};

LAM_ASSERT_SIZE(struct lam_xen_compile_info, 144);
LAM_ASSERT_OFFSET(struct lam_xen_compile_info, compile_by, 64);
LAM_ASSERT_OFFSET(struct lam_xen_compile_info, compile_domain, 80);
LAM_ASSERT_OFFSET(struct lam_xen_compile_info, compile_date, 112);
LAM_ASSERT_SIZE(struct lam_xen_platform_parameters, 8);
LAM_ASSERT_SIZE(struct lam_xen_feature_info, 8);
LAM_ASSERT_OFFSET(struct lam_xen_feature_info, submap, 4);
LAM_ASSERT_SIZE(struct lam_xen_build_id, 4);

#endif /* LAMINA_VERSION_H */
