/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The createdomain configuration check: what Xen 4.17 refuses, in the order it looks.
 * Lamina builds 64-bit PV domains only, on a host it treats as having no HVM, IOMMU,
 * processor trace, vPMU or TBOOT: each flag asking for one is refused as on such a Xen
 * (HVM -EOPNOTSUPP, the others -EINVAL).
 * Pure logic (tests/unit/hypervisor/test_domctl_config.c).
 */
#include <hv/domctl.h>
#include <hv/errcodes.h>

#define X86_EMU_ALL     0x7ffU    /* XEN_X86_EMU_ALL: every emulation flag there is */
#define X86_EMU_PIT     (1U << 8) /* the one a PV domain may have (Xen's PV PIT) */
#define X86_MSR_RELAXED (1U << 0) /* XEN_X86_MSR_RELAXED */
#define CDF_UNAVAILABLE                                                                            \
    (LAM_DOMCTL_CDF_hvm | LAM_DOMCTL_CDF_hap | LAM_DOMCTL_CDF_iommu | LAM_DOMCTL_CDF_vpmu |        \
     LAM_DOMCTL_CDF_s3_integrity | LAM_DOMCTL_CDF_nested_virt)

int createdomain_check(const struct lam_domctl_createdomain *c,
                       const struct createdomain_limits *lim, struct domain_config *out)
{
    /* sanitise_domain_config */
    if (c->flags & ~LAM_DOMCTL_CDF_ALL)
        return -EINVAL;
    /* Xen 4.17 on a host without HVM answers an HVM request so, before anything else
     * about it (seen under QEMU TCG: tests/guests/domctl-build). */
    if (c->flags & LAM_DOMCTL_CDF_hvm)
        return -EOPNOTSUPP;
    if (c->grant_opts & ~LAM_DOMCTL_GRANT_version_mask)
        return -EINVAL;
    if (c->max_vcpus < 1)
        return -EINVAL;
    if (c->flags & CDF_UNAVAILABLE)
        return -EINVAL; /* HAP without HVM, no IOMMU, vPMU, HVM, TBOOT on this host */
    if (c->iommu_opts || c->vmtrace_size)
        return -EINVAL; /* IOMMU options without an IOMMU; no processor trace */
    /* arch_sanitise_domain_config */
    if (c->max_vcpus > lim->max_vcpus)
        return -EINVAL;
    if (c->arch_emulation_flags & ~X86_EMU_ALL)
        return -EINVAL;
    if (c->arch_misc_flags & ~X86_MSR_RELAXED)
        return -EINVAL;
    /* arch_domain_create: a PV domain has no emulated devices but, optionally, the PIT */
    if (c->arch_emulation_flags != 0 && c->arch_emulation_flags != X86_EMU_PIT)
        return -EOPNOTSUPP;
    /* grant_table_init */
    unsigned int version = c->grant_opts & LAM_DOMCTL_GRANT_version_mask;
    if (version < 1 || version > lim->max_grant_version)
        return -EINVAL;
    int frames = c->max_grant_frames < 0 ? (int)lim->max_grant_frames : c->max_grant_frames;
    int maptrack =
        c->max_maptrack_frames < 0 ? (int)lim->max_maptrack_frames : c->max_maptrack_frames;
    if (frames < 1 || (unsigned int)frames > lim->max_grant_frames ||
        (unsigned int)maptrack > lim->max_maptrack_frames)
        return -EINVAL;
    *out = (struct domain_config){
        .max_vcpus = c->max_vcpus,
        /* Ports 0 .. max_evtchn_port, as many as the 2-level ABI has at most. */
        .max_evtchns =
            c->max_evtchn_port >= lim->max_evtchns ? lim->max_evtchns : c->max_evtchn_port + 1,
        .max_grant_frames = frames,
        .max_maptrack_frames = maptrack,
    };
    return 0;
}
