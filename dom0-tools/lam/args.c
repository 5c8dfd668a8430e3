/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Command-line parsing driven by a command's option table. GNU style: options and positional
 * arguments may be mixed, "--name=value", "--name value", "-x value", and "--" ends options.
 * Parsing is all-or-nothing so a handler never sees a half-understood command line.
 */
#include "lam.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int option_count(const struct lam_command *cmd)
{
    int n = 0;

    while (cmd->options && cmd->options[n].name)
        n++;
    return n;
}

static int option_index(const struct lam_command *cmd, const char *name, size_t len)
{
    for (int i = 0; cmd->options && cmd->options[i].name; i++) {
        if (strlen(cmd->options[i].name) == len && strncmp(cmd->options[i].name, name, len) == 0)
            return i;
    }
    return -1;
}

static int short_index(const struct lam_command *cmd, char c)
{
    for (int i = 0; cmd->options && cmd->options[i].name; i++) {
        if (cmd->options[i].short_name == c)
            return i;
    }
    return -1;
}

/* Handle one "--long[=value]" word; *i may advance past a separate value word. */
static int parse_long(const struct lam_command *cmd, int argc, char **argv, int *i,
                      struct lam_args *args, bool *want_help)
{
    const char *word = argv[*i] + 2;
    const char *eq = strchr(word, '=');
    size_t len = eq ? (size_t)(eq - word) : strlen(word);

    if (len == 4 && strncmp(word, "help", 4) == 0 && !eq) {
        *want_help = true;
        return LAM_EXIT_OK;
    }
    int idx = option_index(cmd, word, len);
    if (idx < 0)
        return lam_usage_error(cmd, "unknown option '--%.*s'", (int)len, word);
    const struct lam_option *opt = &cmd->options[idx];
    if (!opt->arg) {
        if (eq)
            return lam_usage_error(cmd, "option '--%s' takes no argument", opt->name);
        args->opt_value[idx] = "";
        return LAM_EXIT_OK;
    }
    if (eq) {
        args->opt_value[idx] = eq + 1;
        return LAM_EXIT_OK;
    }
    if (*i + 1 >= argc)
        return lam_usage_error(cmd, "option '--%s' needs an argument %s", opt->name, opt->arg);
    args->opt_value[idx] = argv[++*i];
    return LAM_EXIT_OK;
}

/* Handle a cluster of short options ("-ab", "-sDIR", "-s DIR"). */
static int parse_short(const struct lam_command *cmd, int argc, char **argv, int *i,
                       struct lam_args *args, bool *want_help)
{
    const char *word = argv[*i];

    for (int k = 1; word[k]; k++) {
        if (word[k] == 'h') {
            *want_help = true;
            continue;
        }
        int idx = short_index(cmd, word[k]);
        if (idx < 0)
            return lam_usage_error(cmd, "unknown option '-%c'", word[k]);
        const struct lam_option *opt = &cmd->options[idx];
        if (!opt->arg) {
            args->opt_value[idx] = "";
            continue;
        }
        if (word[k + 1]) {
            args->opt_value[idx] = &word[k + 1];
        } else if (*i + 1 < argc) {
            args->opt_value[idx] = argv[++*i];
        } else {
            return lam_usage_error(cmd, "option '-%c' needs an argument %s", word[k], opt->arg);
        }
        break;
    }
    return LAM_EXIT_OK;
}

int lam_args_parse(const struct lam_command *cmd, int argc, char **argv, struct lam_args *args,
                   bool *want_help)
{
    memset(args, 0, sizeof(*args));
    args->cmd = cmd;
    *want_help = false;
    if (option_count(cmd) > LAM_MAX_OPTIONS)
        return lam_usage_error(cmd, "internal error: too many options in the command table");

    /* Positional arguments are compacted into a copy of argv owned by the caller's lifetime:
     * argv itself is reordered in place, which main() allows. */
    int npos = 0;
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *w = argv[i];
        int rc = LAM_EXIT_OK;
        if (!options_done && strcmp(w, "--") == 0) {
            options_done = true;
            continue;
        }
        if (!options_done && w[0] == '-' && w[1] == '-')
            rc = parse_long(cmd, argc, argv, &i, args, want_help);
        else if (!options_done && w[0] == '-' && w[1] != '\0')
            rc = parse_short(cmd, argc, argv, &i, args, want_help);
        else
            argv[1 + npos++] = argv[i];
        if (rc != LAM_EXIT_OK)
            return rc;
    }
    args->argc = npos;
    args->argv = argv + 1;
    if (*want_help)
        return LAM_EXIT_OK;
    if (npos < cmd->min_args)
        return lam_usage_error(cmd, "missing argument (usage: lam %s %s)", cmd->name, cmd->usage);
    if (cmd->max_args >= 0 && npos > cmd->max_args)
        return lam_usage_error(cmd, "unexpected argument '%s'", args->argv[cmd->max_args]);
    return LAM_EXIT_OK;
}

static int option_lookup(const struct lam_args *args, const char *name)
{
    int idx = option_index(args->cmd, name, strlen(name));
    if (idx < 0) {
        fprintf(stderr, "lam: %s: internal error: no option '%s' in the command table\n",
                args->cmd->name, name);
        abort();
    }
    return idx;
}

const char *lam_opt(const struct lam_args *args, const char *name)
{
    return args->opt_value[option_lookup(args, name)];
}

bool lam_flag(const struct lam_args *args, const char *name)
{
    return args->opt_value[option_lookup(args, name)] != NULL;
}

const struct lam_command *lam_command_find(const char *name)
{
    for (int i = 0; lam_commands[i]; i++) {
        if (strcmp(lam_commands[i]->name, name) == 0)
            return lam_commands[i];
    }
    return NULL;
}

int lam_fail(const struct lam_args *args, const char *what, const char *why_fmt, ...)
{
    va_list ap;

    fprintf(stderr, "lam: %s: %s: ", args->cmd->name, what);
    va_start(ap, why_fmt);
    vfprintf(stderr, why_fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return LAM_EXIT_FAILURE;
}

int lam_usage_error(const struct lam_command *cmd, const char *why_fmt, ...)
{
    va_list ap;

    fprintf(stderr, "lam: %s: ", cmd ? cmd->name : "usage");
    va_start(ap, why_fmt);
    vfprintf(stderr, why_fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'lam help%s%s'.\n", cmd ? " " : "", cmd ? cmd->name : "");
    return LAM_EXIT_USAGE;
}

const char *lam_state_dir(const struct lam_args *args)
{
    if (option_index(args->cmd, "state-dir", 9) >= 0) {
        const char *dir = lam_opt(args, "state-dir");
        if (dir && *dir)
            return dir;
    }
    const char *env = getenv("LAMINA_STATE_DIR");
    return env && *env ? env : "/var/lib/lamina";
}
