/* SPDX-License-Identifier: GPL-2.0-only */
/* lam's glue to libdomcfg: printing its diagnostics in lam's format. */
#ifndef LAM_DOMCFG_H
#define LAM_DOMCFG_H

#include "domcfg.h"
#include "lam.h"

/* Every collected message to stderr as "lam: <cmd>: [warning: ]file:line: ...". */
void lam_print_diags(const struct lam_args *args, const struct domcfg_diags *diags);
/* lam_print_diags, then LAM_EXIT_FAILURE. */
int lam_fail_diags(const struct lam_args *args, const struct domcfg_diags *diags);

#endif
