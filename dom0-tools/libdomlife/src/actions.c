/* SPDX-License-Identifier: GPL-2.0-only */
/* <on_*> actions: names and which one a shutdown reason calls for. */
#include "domlife.h"

#include <errno.h>
#include <string.h>

#include "lamina/sched.h"

const struct life_actions life_default_actions = {
    .on_poweroff = LIFE_DESTROY,
    .on_reboot = LIFE_RESTART,
    .on_crash = LIFE_DESTROY,
};

static const char *const names[] = {
    [LIFE_DESTROY] = "destroy",
    [LIFE_RESTART] = "restart",
    [LIFE_PRESERVE] = "preserve",
    [LIFE_RENAME_RESTART] = "rename-restart",
    [LIFE_COREDUMP_DESTROY] = "coredump-destroy",
    [LIFE_COREDUMP_RESTART] = "coredump-restart",
};

const char *life_action_name(enum life_action a)
{
    return (unsigned)a < sizeof(names) / sizeof(names[0]) ? names[a] : "unknown";
}

int life_action_parse(const char *s, enum life_action *out)
{
    for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (enum life_action)i;
            return 0;
        }
    return EINVAL;
}

bool life_action_for(const struct life_actions *acts, unsigned int reason, enum life_action *act)
{
    switch (reason) {
    case LAM_SHUTDOWN_poweroff:
        *act = acts->on_poweroff;
        return true;
    case LAM_SHUTDOWN_reboot:
        *act = acts->on_reboot;
        return true;
    case LAM_SHUTDOWN_suspend:
        return false;
    case LAM_SHUTDOWN_soft_reset:
        *act = LIFE_RESTART;
        return true;
    case LAM_SHUTDOWN_crash:
    case LAM_SHUTDOWN_watchdog:
    default: /* a reason this toolstack does not know: treat it as the worst */
        *act = acts->on_crash;
        return true;
    }
}
