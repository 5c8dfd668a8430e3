/* SPDX-License-Identifier: GPL-2.0-only */
/* Printing libdomcfg's collected problems in lam's error format. */
#include "lam_domcfg.h"

#include <stdio.h>

void lam_print_diags(const struct lam_args *args, const struct domcfg_diags *diags)
{
    for (size_t i = 0; i < diags->count; i++) {
        const struct domcfg_diag *d = &diags->items[i];
        fprintf(stderr, "lam: %s: %s%s\n", args->cmd->name,
                d->severity == DOMCFG_WARNING ? "warning: " : "", d->text);
    }
}

int lam_fail_diags(const struct lam_args *args, const struct domcfg_diags *diags)
{
    lam_print_diags(args, diags);
    return LAM_EXIT_FAILURE;
}
