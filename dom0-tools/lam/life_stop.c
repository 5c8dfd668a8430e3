/* SPDX-License-Identifier: GPL-2.0-only */
/* lam shutdown / lam reboot: ask the guest through control/shutdown and, with --wait, watch
 * for its answer (the store's @releaseDomain, then getdomaininfo). */
#include "lam_life.h"
#include "lam_stop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT_S 60 /* libxl waits as long for a guest's answer */

/* Why a guest did not stop in time, from its control node. */
static void explain_timeout(const struct lam_args *args, struct lam_life *ll, uint16_t domid,
                            const char *name, const char *request, unsigned int secs)
{
    char path[64], *v = NULL;
    uint32_t n;
    snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", domid);
    bool acked = xsc_read(ll->xs, XSC_NO_TX, path, &v, &n) == 0 && v[0] == '\0';
    free(v);
    lam_fail(args, name,
             "still running %u s after the %s request (id %u): %s. The domain is left as it "
             "is; `lam destroy %s` stops it at once",
             secs, request, domid,
             acked ? "the guest acknowledged it but has not stopped"
                   : "the guest did not acknowledge it (control/shutdown was not cleared: no "
                     "PV shutdown support, or the guest hangs)",
             name);
}

int lam_stop_run(const struct lam_args *args, const char *request)
{
    unsigned int secs = DEFAULT_TIMEOUT_S;
    const char *t = lam_opt(args, "timeout");
    if (t && lam_parse_count(args, "--timeout", t, &secs) != LAM_EXIT_OK)
        return LAM_EXIT_USAGE;
    bool wait = lam_flag(args, "wait") || t;
    struct lam_life ll;
    if (lam_life_open(args, &ll) != LAM_EXIT_OK)
        return LAM_EXIT_FAILURE;
    uint16_t domid;
    int rc = lam_life_domain(args, &ll, args->argv[0], &domid);
    if (rc != LAM_EXIT_OK)
        goto out;
    struct life_info info;
    int err = life_get_info(&ll.l, domid, &info);
    if (!err && domid == 0)
        err = EINVAL;
    if (!err && (info.hv.shutdown || info.hv.dying)) {
        rc = lam_fail(args, args->argv[0], "it is already %s (id %u)", hvctl_state_name(&info.hv),
                      domid);
        goto out;
    }
    if (!err)
        err = life_request_shutdown(&ll.l, domid, request);
    if (err) {
        rc = lam_fail(args, args->argv[0], "cannot ask it to %s: %s", request,
                      err == EINVAL ? "Domain-0 is not stopped this way" : strerror(err));
        goto out;
    }
    char name[LIFE_NAME_MAX + 1];
    lam_life_name(&ll, domid, name, sizeof(name));
    printf("%s domain %s (id %u)\n", strcmp(request, "reboot") ? "Shutting down" : "Rebooting",
           name, domid);
    if (!wait)
        goto out;
    fflush(stdout);
    enum life_down st;
    unsigned int reason = 0;
    uint64_t t0 = life_now_ms(&ll.l);
    err = life_wait_down(&ll.l, domid, (int)(secs * 1000), &st, &reason);
    if (err == ETIMEDOUT) {
        explain_timeout(args, &ll, domid, name, request, secs);
        rc = LAM_EXIT_FAILURE;
        goto out;
    }
    if (err) {
        rc = lam_fail(args, name, "waiting for it: %s", strerror(err));
        goto out;
    }
    if (st == LIFE_SHUTDOWN) {
        enum life_action act = LIFE_PRESERVE;
        life_action_for(&info.actions, reason, &act);
        printf("Domain %s (id %u) has shut down (%s) and is kept (%s)\n", name, domid,
               hvctl_shutdown_name(reason), life_action_name(act));
        goto out;
    }
    enum life_action act = info.actions.on_reboot;
    bool restarts = act == LIFE_RESTART || act == LIFE_COREDUMP_RESTART;
    if (strcmp(request, "reboot") != 0 || !restarts || !info.monitor_pid || !info.uuid[0]) {
        printf("Domain %s (id %u) has shut down\n", name, domid);
        goto out;
    }
    uint64_t spent = life_now_ms(&ll.l) - t0;
    uint64_t left = spent >= secs * 1000ull ? 0 : secs * 1000ull - spent;
    uint16_t next;
    err = life_wait_successor(&ll.l, info.uuid, domid, (int)left, &next);
    if (err == ETIMEDOUT)
        rc = lam_fail(args, name,
                      "it shut down to reboot (id %u) but no new domain came up within %u s "
                      "(see the lifecycle log)",
                      domid, secs);
    else if (err)
        rc = lam_fail(args, name, "waiting for it to come back: %s", strerror(err));
    else
        printf("Domain %s rebooted: id %u -> %u\n", name, domid, next);
out:
    lam_life_close(&ll);
    return rc;
}
