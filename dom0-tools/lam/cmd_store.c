/* SPDX-License-Identifier: GPL-2.0-only */
/* lam store read|write|ls|rm|watch: look at and change the store through libxsclient. */
#include "lam.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lam_daemon.h"
#include "xsclient.h"

static const struct lam_option store_options[] = {
    {"socket", 0, "PATH",
     "store socket or xenbus device (default $XENSTORED_PATH or /run/xenstored/socket, then "
     "/dev/xen/xenbus)",
     LAM_COMPLETE_FILE, NULL},
    {"count", 'n', "N", "watch: stop after N events (the first is the watch itself)",
     LAM_COMPLETE_NONE, NULL},
    {"recursive", 'r', NULL, "ls: the whole subtree, indented", LAM_COMPLETE_NONE, NULL},
    {NULL, 0, NULL, NULL, 0, NULL},
};

static int store_err(const struct lam_args *args, const char *verb, const char *path, int err)
{
    char what[600];
    snprintf(what, sizeof(what), "%s %s", verb, path);
    if (err == ENOENT)
        return lam_fail(args, what, "no such node");
    if (err == EACCES)
        return lam_fail(args, what, "permission denied by the node's permissions");
    return lam_store_fail(args, what, err);
}

/* Prints value with non-printable bytes escaped, as xenstore-ls does. */
static void print_value(const char *v, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (ch >= 0x20 && ch < 0x7f && ch != '\\')
            putchar(ch);
        else
            printf("\\x%02x", ch);
    }
}

static int ls_node(const struct lam_args *args, struct xsc *h, const char *path, int depth,
                   bool recursive)
{
    char **names;
    unsigned n;
    int err = xsc_directory(h, XSC_NO_TX, path, &names, &n);
    if (err)
        return store_err(args, "ls", path, err);
    int rc = LAM_EXIT_OK;
    for (unsigned i = 0; i < n && rc == LAM_EXIT_OK; i++) {
        char child[4096];
        char *val;
        uint32_t len;
        snprintf(child, sizeof(child), "%s/%s", strcmp(path, "/") ? path : "", names[i]);
        err = xsc_read(h, XSC_NO_TX, child, &val, &len);
        printf("%*s%s = \"", depth, "", names[i]);
        if (!err) {
            print_value(val, len);
            free(val);
        }
        printf("\"%s\n", err ? " (unreadable)" : "");
        if (recursive)
            rc = ls_node(args, h, child, depth + 1, true);
    }
    free(names);
    return rc;
}

static int store_watch(const struct lam_args *args, struct xsc *h, const char *path)
{
    long count = -1;
    const char *n = lam_opt(args, "count");
    if (n) {
        char *end;
        count = strtol(n, &end, 10);
        if (*end || count <= 0)
            return lam_usage_error(args->cmd, "--count needs a positive number, not '%s'", n);
    }
    int err = xsc_watch(h, path, "lam");
    if (err)
        return store_err(args, "watch", path, err);
    for (long seen = 0; count < 0 || seen < count; seen++) {
        char *epath, *token;
        err = xsc_read_watch(h, -1, &epath, &token);
        if (err)
            return store_err(args, "watch", path, err);
        printf("%s\n", epath);
        fflush(stdout);
        free(epath);
        free(token);
    }
    return LAM_EXIT_OK;
}

/* A number on the command line for introduce/release. */
static bool number(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (*s < '0' || *s > '9' || *end || errno || v > max)
        return false;
    *out = v;
    return true;
}

/* introduce DOMID MFN PORT | release DOMID: what a toolstack sends around a domain's life. */
static int store_domain(const struct lam_args *args, struct xsc *h, const char *verb, char **a)
{
    unsigned long domid, mfn = 0, port = 0;
    bool intro = !strcmp(verb, "introduce");
    if (!number(a[0], 0x7fef, &domid) || (intro && !number(a[1], ~0ul, &mfn)) ||
        (intro && !number(a[2], 0xffffffffu, &port)))
        return lam_usage_error(args->cmd, "store %s: expected %s", verb,
                               intro ? "DOMID MFN PORT" : "DOMID");
    int err = intro ? xsc_introduce(h, (unsigned)domid, mfn, (unsigned)port)
                    : xsc_release(h, (unsigned)domid);
    return err ? store_err(args, verb, a[0], err) : LAM_EXIT_OK;
}

static int store_run(const struct lam_args *args)
{
    const char *verb = args->argv[0];
    int nargs = args->argc - 1;
    char **a = args->argv + 1;
    bool known = !strcmp(verb, "read") || !strcmp(verb, "write") || !strcmp(verb, "ls") ||
                 !strcmp(verb, "rm") || !strcmp(verb, "watch") || !strcmp(verb, "introduce") ||
                 !strcmp(verb, "release");
    if (!known)
        return lam_usage_error(args->cmd, "unknown store action '%s'", verb);
    if (nargs < 1 || (!strcmp(verb, "write") && nargs % 2) ||
        ((!strcmp(verb, "ls") || !strcmp(verb, "watch") || !strcmp(verb, "release")) &&
         nargs != 1) ||
        (!strcmp(verb, "introduce") && nargs != 3))
        return lam_usage_error(args->cmd, "wrong arguments for 'store %s'", verb);

    const char *sock = lam_opt(args, "socket");
    struct xsc *h = lam_store_open(args, sock);
    if (!h)
        return LAM_EXIT_FAILURE;
    int rc = LAM_EXIT_OK, err = 0;
    if (!strcmp(verb, "ls")) {
        rc = ls_node(args, h, a[0], 0, lam_flag(args, "recursive"));
    } else if (!strcmp(verb, "watch")) {
        rc = store_watch(args, h, a[0]);
    } else if (!strcmp(verb, "introduce") || !strcmp(verb, "release")) {
        rc = store_domain(args, h, verb, a);
    } else {
        for (int i = 0; i < nargs && rc == LAM_EXIT_OK; i++) {
            const char *path = a[i];
            if (!strcmp(verb, "read")) {
                char *v;
                uint32_t len;
                err = xsc_read(h, XSC_NO_TX, path, &v, &len);
                if (!err) {
                    fwrite(v, 1, len, stdout);
                    putchar('\n');
                    free(v);
                }
            } else if (!strcmp(verb, "write")) {
                const char *value = a[++i];
                err = xsc_write(h, XSC_NO_TX, path, value, (uint32_t)strlen(value));
            } else {
                err = xsc_rm(h, XSC_NO_TX, path);
            }
            if (err)
                rc = store_err(args, verb, path, err);
        }
    }
    xsc_close(h);
    return rc;
}

const struct lam_command lam_cmd_store = {
    .name = "store",
    .summary = "read, write, list, remove and watch store nodes",
    .usage = "[--socket PATH] read PATH... | write PATH VALUE... | ls [-r] PATH | rm PATH... | "
             "watch [-n N] PATH | introduce DOMID MFN PORT | release DOMID",
    .details = "Talks to lamstored (the xenstore protocol) as dom0. 'ls' prints\n"
               "'name = \"value\"' per child; 'watch' prints each changed path, starting\n"
               "with the watched path itself. 'introduce' and 'release' are what a\n"
               "toolstack sends around a domain's life (the daemon then serves, or stops\n"
               "serving, its store ring; @introduceDomain/@releaseDomain fire).",
    .options = store_options,
    .min_args = 1,
    .max_args = -1,
    .arg_complete = LAM_COMPLETE_WORDS,
    .arg_words = "read write ls rm watch introduce release",
    .handler = store_run,
};
