/* SPDX-License-Identifier: GPL-2.0-only */
/* lam entry point: find the command in the table, parse its arguments, run its handler. */
#include "lam.h"

#include <execinfo.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LAM_VERSION "0.1"

/* A crash says where it happened (addresses for addr2line on the same binary), then dies of
 * the same signal so the shell still reports it. Not in the sanitizer build: ASan reports
 * crashes itself. */
#if !defined(__SANITIZE_ADDRESS__)
static void crashed(int sig)
{
    static const char msg[] = "lam: crashed; backtrace:\n";
    if (write(2, msg, sizeof(msg) - 1) < 0) {
        /* nothing more to be done */
    }
    void *frames[32];
    int n = backtrace(frames, 32);
    backtrace_symbols_fd(frames, n, 2);
    signal(sig, SIG_DFL);
    raise(sig);
}
#endif

int main(int argc, char **argv)
{
#if !defined(__SANITIZE_ADDRESS__)
    signal(SIGSEGV, crashed);
    signal(SIGBUS, crashed);
#endif
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
