/* SPDX-License-Identifier: GPL-2.0-only */
/* lam entry point: find the command in the table, parse its arguments, run its handler. */
#include "lam.h"

#include <stdio.h>
#include <string.h>

#define LAM_VERSION "0.1"

int main(int argc, char **argv)
{
    if (argc < 2) {
        lam_print_overview(stderr);
        return LAM_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("lam %s\n", LAM_VERSION);
        return LAM_EXIT_OK;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        lam_print_overview(stdout);
        return LAM_EXIT_OK;
    }
    const struct lam_command *cmd = lam_command_find(argv[1]);
    if (!cmd) {
        fprintf(stderr, "lam: unknown command '%s'\nTry 'lam help'.\n", argv[1]);
        return LAM_EXIT_USAGE;
    }

    struct lam_args args;
    bool want_help;
    int rc = lam_args_parse(cmd, argc - 1, argv + 1, &args, &want_help);
    if (rc != LAM_EXIT_OK)
        return rc;
    if (want_help) {
        lam_print_command_help(cmd, stdout);
        return LAM_EXIT_OK;
    }
    rc = cmd->handler(&args);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("lam: writing output");
        return LAM_EXIT_FAILURE;
    }
    return rc;
}
