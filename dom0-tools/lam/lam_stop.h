/* SPDX-License-Identifier: GPL-2.0-only */
/* The shared body of `lam shutdown` and `lam reboot` (life_stop.c). */
#ifndef LAM_STOP_H
#define LAM_STOP_H

#include "lam.h"

/* request: "poweroff" or "reboot". The command has --wait and --timeout options. */
int lam_stop_run(const struct lam_args *args, const char *request);

#define LAM_STOP_OPTIONS                                                                           \
    {"wait",                                                                                       \
     'w',                                                                                          \
     NULL,                                                                                         \
     "wait until the domain has stopped (reboot: until it is back)",                               \
     LAM_COMPLETE_NONE,                                                                            \
     NULL},                                                                                        \
    {                                                                                              \
        "timeout", 't', "S", "give up waiting after S seconds (default 60; implies --wait)",       \
            LAM_COMPLETE_NONE, NULL                                                                \
    }

#endif
