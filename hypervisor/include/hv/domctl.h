/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * domctl internals: the createdomain configuration check (common/domctl_config.c, pure,
 * host-tested) and the handlers split over common/domctl*.c.
 */
#ifndef LAMINA_HV_DOMCTL_H
#define LAMINA_HV_DOMCTL_H

#include <hv/domain.h>
#include <lamina/domctl.h>

/* What this hypervisor can give a new domain. */
struct createdomain_limits {
    unsigned int max_vcpus;
    unsigned int max_grant_frames;    /* gnttab_max_frames= */
    unsigned int max_maptrack_frames; /* gnttab_max_maptrack_frames= */
    unsigned int max_grant_version;
    unsigned int max_evtchns; /* ports a domain can have at most */
};

/*
 * Check a createdomain configuration as Xen 4.17 does (sanitise_domain_config,
 * arch_sanitise_domain_config, the PV emulation flags and grant_table_init), in Xen's
 * order so that the first fault gives Xen's answer: -EINVAL, or -EOPNOTSUPP for
 * emulation flags a PV domain cannot have. On success *out holds the domain's limits.
 */
int createdomain_check(const struct lam_domctl_createdomain *c,
                       const struct createdomain_limits *lim, struct domain_config *out);

/* getdomaininfo's record of d (domctl getdomaininfo, sysctl getdomaininfolist). */
void domctl_fill_info(const struct domain *d, struct lam_domctl_getdomaininfo *info);

/* The handlers (common/domctl_create.c, common/domctl_vcpu.c); d is referenced. */
long domctl_createdomain(struct lam_domctl *op);
long domctl_max_vcpus(struct domain *d, const struct lam_domctl_max_vcpus *m);
long domctl_setvcpucontext(struct domain *d, const struct lam_domctl_vcpucontext *vc);
long domctl_getvcpucontext(struct domain *d, const struct lam_domctl_vcpucontext *vc);
/* Page types of a PV domain's frames (arch/x86/pv/pageframeinfo.c). */
long domctl_getpageframeinfo3(struct domain *d, const struct lam_domctl_getpageframeinfo3 *p);

#endif
