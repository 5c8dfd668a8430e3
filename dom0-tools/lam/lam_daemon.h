/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lam's connections to dom0's daemons (the store daemon lamstored, the console daemon
 * lamconsoled): every wait is bounded, so a command that needs a daemon that is not
 * running fails within LAM_DAEMON_TIMEOUT_MS (plus start-up) with a message naming the
 * daemon and how to start it, instead of hanging.
 */
#ifndef LAM_DAEMON_H
#define LAM_DAEMON_H

#include "lam.h"

struct xsc;

/* How long lam waits for a daemon to accept a connection or answer one request. */
#define LAM_DAEMON_TIMEOUT_MS 3000

/* How to start each daemon, as dom0's /init does (dom0-tools/initramfs/init). */
#define LAM_STORED_START                                                                           \
    "lamstored --state /var/lib/lamina/store.state 2>>/var/log/lamina/lamstored.log &"
#define LAM_CONSOLED_START "lamconsoled 2>>/var/log/lamina/lamconsoled.log &"

/* Connects to the store (path, or the default socket then the kernel's xenbus device) with
 * the bound set; on failure prints why (naming lamstored) and returns NULL. */
struct xsc *lam_store_open(const struct lam_args *args, const char *path);

/* Prints "lam: <cmd>: <what>: <why>" for a store error err (an errno value from
 * libxsclient), naming lamstored when it did not answer; returns LAM_EXIT_FAILURE. */
int lam_store_fail(const struct lam_args *args, const char *what, int err);

#endif
