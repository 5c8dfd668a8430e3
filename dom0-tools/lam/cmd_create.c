/* SPDX-License-Identifier: GPL-2.0-only */
/* lam create FILE: start a transient domain from an XML file (xl create / virsh create). */
#include "lam_domcfg.h"
#include "lam_dombuild.h"
#include "lam_life.h"
#include "lam_hv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dombuild.h"

static const struct lam_option create_options[] = {
    {"paused", 'p', NULL, "leave the domain paused (start it with `lam unpause ID`)",
     LAM_COMPLETE_NONE, NULL},
    {"console", 'c', NULL, "attach to the domain's console once it runs (`lam console`)",
     LAM_COMPLETE_NONE, NULL},
    {"socket", 0, "PATH",
     "the store daemon's socket (default $XENSTORED_PATH or "
     "/run/xenstored/socket)",
     LAM_COMPLETE_FILE, NULL},
    {"no-kernel-cache", 0, NULL,
     "decompress the kernel again (by default decompressed kernels are kept in "
     "/run/lamina/kernels)",
     LAM_COMPLETE_NONE, NULL},
    {"timing", 0, NULL, "print how long the toolstack took (image parse, build, total)",
     LAM_COMPLETE_NONE, NULL},
    {NULL, 0, NULL, NULL, 0, NULL},
};

/*
 * --console: hand over to the `console` command when this lam has one (it comes with the
 * console daemon); the domain is left running either way.
 */
static int attach_console(const struct lam_args *args, const char *name)
{
    const struct lam_command *console = lam_command_find("console");
    if (!console)
        return lam_fail(args, "--console",
                        "this lam has no `console` command; the domain "
                        "runs, see its output with the console daemon");
    char *argv[] = {(char *)"console", (char *)name, NULL};
    struct lam_args cargs;
    bool help = false;
    int rc = lam_args_parse(console, 2, argv, &cargs, &help);
    return rc == LAM_EXIT_OK ? console->handler(&cargs) : rc;
}

static int create_run(const struct lam_args *args)
{
    dombuild_trace_begin(); /* LAM_TRACE: the phases of the whole command */
    struct domcfg_diags diags;
    domcfg_diags_init(&diags);
    struct domcfg_domain *dom = domcfg_load_file(args->argv[0], &diags);
    lam_print_diags(args, &diags);
    domcfg_diags_free(&diags);
    if (!dom)
        return LAM_EXIT_FAILURE;
    if (!dom->kernel) {
        domcfg_domain_free(dom);
        return lam_fail(args, "cannot create",
                        "%s: <os> names no <kernel> (lam starts PV "
                        "domains from a kernel image)",
                        args->argv[0]);
    }
    struct hvctl *h = lam_hv_open(args); /* the usual message when there is no hypervisor */
    if (!h) {
        domcfg_domain_free(dom);
        return LAM_EXIT_FAILURE;
    }
    hvctl_close(h);
    char *xml = domcfg_format_xml(dom);
    struct dombuild_config c;
    lam_dombuild_config(dom, xml, lam_flag(args, "paused"), lam_opt(args, "socket"), &c);
    if (lam_flag(args, "no-kernel-cache"))
        c.kernel_cache = NULL;
    dombuild_trace("config");
    struct dombuild_result r;
    char why[DOMBUILD_WHY_MAX];
    int rc = dombuild_create(&c, &r, why, sizeof(why));
    free(xml);
    int exit_code = LAM_EXIT_OK;
    if (rc) {
        exit_code = lam_fail(args, "cannot create", "%s: %s", dom->name, why);
    } else {
        printf("Domain '%s' created (id %u)%s\n", dom->name, r.domid, c.paused ? ", paused" : "");
        /* The process that applies <on_poweroff>, <on_reboot> and <on_crash> from now on,
         * on the same store. */
        int pid;
        if (lam_opt(args, "socket"))
            setenv("XENSTORED_PATH", lam_opt(args, "socket"), 1);
        if (lam_monitor_spawn(args, r.domid, &pid) != LAM_EXIT_OK)
            exit_code = LAM_EXIT_FAILURE;
        dombuild_trace("monitor");
        if (lam_flag(args, "timing"))
            printf("timing: image %.1f ms, build %.1f ms (create %.1f, memory %.1f, write "
                   "%.1f, pin and boot data %.1f, store %.1f), total %.1f ms (to %s)\n",
                   r.ms_image, r.ms_build, r.ms_create, r.ms_memory, r.ms_write, r.ms_boot,
                   r.ms_store, r.ms_total, c.paused ? "built" : "unpause");
        fflush(stdout);
        if (lam_flag(args, "console"))
            exit_code = attach_console(args, dom->name);
    }
    dombuild_trace_end("create");
    domcfg_domain_free(dom);
    return exit_code;
}

const struct lam_command lam_cmd_create = {
    .name = "create",
    .summary = "start a transient domain from an XML file",
    .usage = "[--paused] [--console] [--socket PATH] [--no-kernel-cache] [--timing] FILE",
    .details = "Builds the domain from its <os> kernel, initrd and command line, writes its\n"
               "store nodes, introduces it to the store daemon (lamstored must be running)\n"
               "and unpauses it. Nothing is kept after it ends: `lam define` makes a domain\n"
               "persistent. Refused: a kernel that is not a 64-bit PV image, an initrd that\n"
               "does not fit the memory, more memory than the host has free, more vCPUs\n"
               "online at boot than it has CPUs, a name or UUID already running.",
    .options = create_options,
    .min_args = 1,
    .max_args = 1,
    .arg_complete = LAM_COMPLETE_FILE,
    .handler = create_run,
};
