/* SPDX-License-Identifier: GPL-2.0-only */
/* lam's glue to libdombuild: a domain's configuration as the builder takes it. */
#ifndef LAM_DOMBUILD_H
#define LAM_DOMBUILD_H

#include <stdbool.h>

#include "dombuild.h"
#include "domcfg.h"

/* Where decompressed kernels are kept between builds (see dombuild_config.kernel_cache). */
#define LAM_KERNEL_CACHE "/run/lamina/kernels"

/* Fill c from a loaded (defaults filled, validated) domain. xml is its normalised form, kept
 * in the store; store_path NULL for the default socket. c points into dom and xml. */
void lam_dombuild_config(const struct domcfg_domain *dom, const char *xml, bool paused,
                         const char *store_path, struct dombuild_config *c);

#endif
