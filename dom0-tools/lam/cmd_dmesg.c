/* SPDX-License-Identifier: GPL-2.0-only */
/* lam dmesg [--clear]: the hypervisor's log ring (sysctl readconsole), as `xl dmesg`. */
#include "lam.h"

#include <stdio.h>

#include "lam_hv.h"

static const struct lam_option dmesg_options[] = {
    {"clear", 'c', NULL, "clear the log after printing it", LAM_COMPLETE_NONE, NULL},
    {NULL, 0, NULL, NULL, 0, NULL},
};

static int dmesg_run(const struct lam_args *args)
{
    bool clear = lam_flag(args, "clear");
    struct hvctl *h = lam_hv_open(args);
    if (!h)
        return LAM_EXIT_FAILURE;
    static char buf[16384];
    uint32_t index = 0, got;
    bool incremental = false;
    /* A plain read from the oldest byte held, then on from where each read stopped, until
     * a read comes back short (the end of the log). The bound stops a log that grows as
     * fast as we read it. */
    for (unsigned reads = 0; reads < 4096; reads++) {
        int rc = hvctl_read_console(h, clear, incremental, &index, buf, sizeof(buf), &got);
        if (rc) {
            hvctl_close(h);
            return lam_fail(args, "cannot read the hypervisor's log", "%s", hvctl_strerror(rc));
        }
        fwrite(buf, 1, got, stdout);
        if (got < sizeof(buf))
            break;
        incremental = true;
    }
    hvctl_close(h);
    return fflush(stdout) == 0 ? LAM_EXIT_OK : LAM_EXIT_FAILURE;
}

const struct lam_command lam_cmd_dmesg = {
    .name = "dmesg",
    .summary = "print the hypervisor's log",
    .usage = "[--clear]",
    .details = "The hypervisor's log ring (what `xl dmesg` shows), through /dev/xen/privcmd\n"
               "(sysctl readconsole, Xen 4.17's interface, so it works on Xen too). The ring\n"
               "keeps the newest messages; --clear empties it after printing, so the next\n"
               "`lam dmesg` shows only what was logged since.",
    .options = dmesg_options,
    .min_args = 0,
    .max_args = 0,
    .arg_complete = LAM_COMPLETE_NONE,
    .arg_words = NULL,
    .handler = dmesg_run,
};
