/* SPDX-License-Identifier: GPL-2.0-only */
/* The PV domain builder for domains started by the hypervisor at boot. */
#ifndef LAMINA_HV_DOM_BUILD_H
#define LAMINA_HV_DOM_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include <hv/domain.h>

struct dom_build_args {
    const void *kernel;
    size_t kernel_len;
    const void *initrd; /* may be NULL */
    size_t initrd_len;
    const char *cmdline;
    uint64_t nr_pages;
    bool privileged;
    unsigned int max_vcpus; /* vCPU 0 starts; the others wait for VCPUOP_initialise/up */
};

/* Returns the domain, or NULL with the reason already logged. */
struct domain *dom_build(domid_t id, const struct dom_build_args *args);

#endif
