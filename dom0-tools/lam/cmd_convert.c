/* SPDX-License-Identifier: GPL-2.0-only */
/* lam convert: between domain XML and Xen's xl.cfg format. */
#include "lam_domcfg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct lam_option convert_options[] = {
    {"from", 'f', "FORMAT", "format of FILE", LAM_COMPLETE_WORDS, "xml xl"},
    {"to", 't', "FORMAT", "format to write", LAM_COMPLETE_WORDS, "xml xl"},
    {"output", 'o', "FILE", "write here instead of standard output", LAM_COMPLETE_FILE, NULL},
    {NULL, 0, NULL, NULL, 0, NULL},
};

static char *read_input(const struct lam_args *args, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        lam_fail(args, path, "cannot open: %s", strerror(errno));
        return NULL;
    }
    size_t cap = 16384, used = 0;
    char *buf = malloc(cap);
    for (size_t n; buf && (n = fread(buf + used, 1, cap - used, f)) > 0;) {
        used += n;
        if (used == cap) {
            char *grown = cap < (16u << 20) ? realloc(buf, cap * 2) : NULL;
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    bool failed = !buf || ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        lam_fail(args, path, "cannot read (or larger than 16 MiB)");
        return NULL;
    }
    *len = used;
    return buf;
}

static int write_output(const struct lam_args *args, const char *text)
{
    const char *path = lam_opt(args, "output");
    if (!path) {
        fputs(text, stdout);
        return LAM_EXIT_OK;
    }
    FILE *f = fopen(path, "w");
    if (!f)
        return lam_fail(args, path, "cannot create: %s", strerror(errno));
    fputs(text, f);
    if (fclose(f) != 0)
        return lam_fail(args, path, "cannot write: %s", strerror(errno));
    return LAM_EXIT_OK;
}

static int convert_run(const struct lam_args *args)
{
    const char *from = lam_opt(args, "from");
    const char *to = lam_opt(args, "to");

    if (!from && !to)
        return lam_usage_error(args->cmd, "say which way: --from xl or --to xl");
    if (!from)
        from = strcmp(to, "xml") == 0 ? "xl" : "xml";
    if (!to)
        to = strcmp(from, "xml") == 0 ? "xl" : "xml";
    if ((strcmp(from, "xl") && strcmp(from, "xml")) || (strcmp(to, "xl") && strcmp(to, "xml")))
        return lam_usage_error(args->cmd, "formats are 'xml' and 'xl'");
    if (strcmp(from, to) == 0)
        return lam_usage_error(args->cmd, "--from and --to are both '%s'", from);

    size_t len;
    char *buf = read_input(args, args->argv[0], &len);
    if (!buf)
        return LAM_EXIT_FAILURE;
    struct domcfg_diags diags;
    domcfg_diags_init(&diags);
    struct domcfg_domain *dom = NULL;
    char *out = NULL;
    if (strcmp(from, "xl") == 0) {
        dom = domcfg_parse_xl(buf, len, args->argv[0], &diags);
        if (dom && (domcfg_fill_defaults(dom, &diags) < 0 || domcfg_validate(dom, &diags) > 0)) {
            domcfg_domain_free(dom);
            dom = NULL;
        }
        out = dom ? domcfg_format_xml(dom) : NULL;
    } else {
        dom = domcfg_load_xml(buf, len, args->argv[0], &diags);
        out = dom ? domcfg_format_xl(dom, &diags) : NULL;
    }
    lam_print_diags(args, &diags);
    int rc = out ? write_output(args, out) : LAM_EXIT_FAILURE;
    free(out);
    free(buf);
    domcfg_domain_free(dom);
    domcfg_diags_free(&diags);
    return rc;
}

const struct lam_command lam_cmd_convert = {
    .name = "convert",
    .summary = "convert between domain XML and xl.cfg",
    .usage = "--from xl|xml | --to xl|xml [--output FILE] FILE",
    .details = "'--from xl' reads an xl.cfg file and writes domain XML; '--to xl' reads domain\n"
               "XML and writes xl.cfg. Settings the target format cannot express are reported\n"
               "as warnings on standard error.",
    .options = convert_options,
    .min_args = 1,
    .max_args = 1,
    .arg_complete = LAM_COMPLETE_FILE,
    .handler = convert_run,
};
