/* SPDX-License-Identifier: GPL-2.0-only */
/* lam autostart [--disable] NAME: start a defined domain when dom0 boots (virsh autostart). */
#include "lam_autostart.h"
#include "lam_domcfg.h"

#include <stdio.h>
#include <string.h>

static const struct lam_option autostart_options[] = {
    {"disable", 0, NULL, "do not start it at boot any more", LAM_COMPLETE_NONE, NULL},
    LAM_OPTION_STATE_DIR,
    {NULL, 0, NULL, NULL, 0, NULL},
};

static int autostart_run(const struct lam_args *args)
{
    struct domcfg_diags diags;
    domcfg_diags_init(&diags);
    struct domcfg_store *store = domcfg_store_open(lam_state_dir(args), &diags);
    struct domcfg_domain *dom = store ? domcfg_store_lookup(store, args->argv[0], &diags) : NULL;
    int rc = LAM_EXIT_FAILURE;
    if (!dom) {
        lam_print_diags(args, &diags);
    } else {
        bool on = !lam_flag(args, "disable");
        int err = lam_autostart_set(args, dom->name, on);
        if (err)
            rc = lam_fail(args, dom->name, "cannot %s autostart: %s", on ? "mark" : "unmark",
                          strerror(err));
        else {
            printf("Domain '%s' %s\n", dom->name,
                   on ? "marked as autostarted" : "unmarked as autostarted");
            rc = LAM_EXIT_OK;
        }
    }
    domcfg_domain_free(dom);
    domcfg_store_close(store);
    domcfg_diags_free(&diags);
    return rc;
}

const struct lam_command lam_cmd_autostart = {
    .name = "autostart",
    .summary = "start a defined domain when dom0 boots (or stop doing so)",
    .usage = "[--disable] [--state-dir DIR] NAME|UUID",
    .details = "The mark is a link <state-dir>/autostart/NAME.xml to the definition, as libvirt\n"
               "keeps it. dom0's start-up runs `lam start --autostart`, which starts every\n"
               "marked domain that is not running.",
    .options = autostart_options,
    .min_args = 1,
    .max_args = 1,
    .arg_complete = LAM_COMPLETE_DOMAIN,
    .handler = autostart_run,
};
