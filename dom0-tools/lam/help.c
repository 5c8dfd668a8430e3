/* SPDX-License-Identifier: GPL-2.0-only */
/* Help text, generated from the command table so it cannot drift from what is parsed. */
#include "lam.h"

#include <string.h>

void lam_print_overview(FILE *out)
{
    size_t width = 0;

    for (int i = 0; lam_commands[i]; i++) {
        size_t len = strlen(lam_commands[i]->name);
        width = len > width ? len : width;
    }
    fprintf(out, "usage: lam [--version] COMMAND [ARGS...]\n\n"
                 "Manage Lamina domains from dom0.\n\nCommands:\n");
    for (int i = 0; lam_commands[i]; i++)
        fprintf(out, "  %-*s  %s\n", (int)width, lam_commands[i]->name, lam_commands[i]->summary);
    fprintf(out, "\n'lam help COMMAND' or 'lam COMMAND --help' describes one command.\n");
}

static void print_option(const struct lam_option *opt, FILE *out)
{
    char left[64];

    if (opt->short_name)
        snprintf(left, sizeof(left), "-%c, --%s%s%s", opt->short_name, opt->name,
                 opt->arg ? " " : "", opt->arg ? opt->arg : "");
    else
        snprintf(left, sizeof(left), "    --%s%s%s", opt->name, opt->arg ? " " : "",
                 opt->arg ? opt->arg : "");
    if (opt->complete == LAM_COMPLETE_WORDS && opt->words)
        fprintf(out, "  %-26s %s (one of: %s)\n", left, opt->help, opt->words);
    else
        fprintf(out, "  %-26s %s\n", left, opt->help);
}

void lam_print_command_help(const struct lam_command *cmd, FILE *out)
{
    static const struct lam_option help_opt = {"help", 'h', NULL, "show this help", 0, NULL};

    fprintf(out, "usage: lam %s %s\n\n%s\n", cmd->name, cmd->usage, cmd->summary);
    if (cmd->details)
        fprintf(out, "\n%s\n", cmd->details);
    fprintf(out, "\nOptions:\n");
    for (int i = 0; cmd->options && cmd->options[i].name; i++)
        print_option(&cmd->options[i], out);
    print_option(&help_opt, out);
}
