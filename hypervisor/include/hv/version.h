/* SPDX-License-Identifier: GPL-2.0-only */
/* The interface version Lamina reports (xen_version, CPUID 0x40000001). We
 * implement the Xen 4.17 PV interface, so guests see 4.17. */
#ifndef LAMINA_HV_VERSION_INFO_H
#define LAMINA_HV_VERSION_INFO_H

#include <lamina/cpuid.h>

#define LAMINA_ABI_MAJOR      4
#define LAMINA_ABI_MINOR      17
#define LAMINA_EXTRAVERSION   ".0-lamina"
#define LAMINA_CPUID_MAX_LEAF LAM_CPUID_LEAF(LAM_CPUID_LEAF_PV)

#endif
