/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lam: the Lamina dom0 command line.
 *
 * Every command is one `struct lam_command` defined in its own file cmd_<name>.c and listed
 * once in commands.c. The table drives everything that is not the command's own work: argument
 * parsing, `lam help`, `lam help CMD`, `lam CMD --help` and the generated shell completion. A
 * handler therefore receives already-parsed options and positional arguments and only calls the
 * libraries (lib*) that do the work.
 *
 * Exit codes: 0 success, 1 the operation failed, 2 the command line was wrong.
 * Errors go to stderr as "lam: <command>: <what failed>: <why>" (see lam_fail()).
 */
#ifndef LAM_H
#define LAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum {
    LAM_EXIT_OK = 0,
    LAM_EXIT_FAILURE = 1,
    LAM_EXIT_USAGE = 2,
};

/* What the shell should offer when completing an option argument or a positional argument. */
enum lam_complete {
    LAM_COMPLETE_NONE,   /* free text: offer nothing */
    LAM_COMPLETE_FILE,   /* a file name */
    LAM_COMPLETE_DIR,    /* a directory name */
    LAM_COMPLETE_DOMAIN, /* a defined domain name (asks `lam list --all --name`) */
    LAM_COMPLETE_WORDS,  /* one of the space-separated words in `words` */
    LAM_COMPLETE_COMMAND /* a lam command name */
};

struct lam_option {
    const char *name; /* long name, without the leading "--" */
    char short_name;  /* single-letter alias, or 0 */
    const char *arg;  /* metavariable shown in help ("DIR"); NULL for a flag */
    const char *help; /* one line */
    enum lam_complete complete;
    const char *words; /* for LAM_COMPLETE_WORDS */
};

/* Upper bound on the options a single command may declare (checked by the table test). */
#define LAM_MAX_OPTIONS 16

struct lam_args;

struct lam_command {
    const char *name;
    const char *summary; /* one line for `lam help` */
    const char *usage;   /* the part after "lam <name>", e.g. "[OPTIONS] FILE..." */
    const char *details; /* optional longer text for `lam help CMD` (may be NULL) */
    /* Options, terminated by an entry whose name is NULL; NULL when the command has none.
     * "-h/--help" is implicit for every command and must not be listed. */
    const struct lam_option *options;
    int min_args;                   /* positional arguments accepted: min_args..max_args */
    int max_args;                   /* -1 for no upper bound */
    enum lam_complete arg_complete; /* what the positional arguments are */
    const char *arg_words;          /* for LAM_COMPLETE_WORDS */
    int (*handler)(const struct lam_args *args);
};

struct lam_args {
    const struct lam_command *cmd;
    /* opt_value[i] belongs to cmd->options[i]: NULL when not given, "" for a given flag,
     * otherwise the argument (the last one when repeated). */
    const char *opt_value[LAM_MAX_OPTIONS];
    int argc; /* positional arguments, options removed */
    char **argv;
};

/* The command table (commands.c), terminated by NULL. */
extern const struct lam_command *const lam_commands[];

const struct lam_command *lam_command_find(const char *name);

/* Option accessors by long name; asking for an option the command does not declare aborts
 * (a programming error caught by the tests). */
const char *lam_opt(const struct lam_args *args, const char *name);
bool lam_flag(const struct lam_args *args, const char *name);

/* Parse argv (argv[0] is the command name) into args. Returns LAM_EXIT_OK, or LAM_EXIT_USAGE
 * after printing the error; sets *want_help when -h/--help was given. */
int lam_args_parse(const struct lam_command *cmd, int argc, char **argv, struct lam_args *args,
                   bool *want_help);

/* Print "lam: <cmd>: <what>: <why>" to stderr; returns LAM_EXIT_FAILURE. */
int lam_fail(const struct lam_args *args, const char *what, const char *why_fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Print "lam: <cmd>: <why>" and a hint to stderr; returns LAM_EXIT_USAGE. */
int lam_usage_error(const struct lam_command *cmd, const char *why_fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Help text for one command, or for all of them. */
void lam_print_command_help(const struct lam_command *cmd, FILE *out);
void lam_print_overview(FILE *out);

/* The state directory: --state-dir if the command has it and it was given, else
 * $LAMINA_STATE_DIR, else /var/lib/lamina. */
const char *lam_state_dir(const struct lam_args *args);

/* The standard --state-dir option entry, for commands that use the definitions store. */
#define LAM_OPTION_STATE_DIR                                                                       \
    {                                                                                              \
        "state-dir", 0, "DIR", "state directory (default $LAMINA_STATE_DIR or /var/lib/lamina)",   \
            LAM_COMPLETE_DIR, NULL                                                                 \
    }

#endif
