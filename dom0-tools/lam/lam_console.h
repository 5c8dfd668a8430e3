/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Attaching to a domain's console through lamconsoled (`lam console`; `lam create
 * --console` calls the same function once the domain runs).
 */
#ifndef LAM_CONSOLE_H
#define LAM_CONSOLE_H

#include "lam.h"

struct lam_console_opts {
    const char *socket; /* NULL: LCONS_SOCKET */
    unsigned timeout_s; /* 0: until the domain is gone (or Ctrl-] on a terminal) */
};

/*
 * Connects to dom's console (a name or an id). With a terminal on stdin: raw mode, both
 * ways, Ctrl-] detaches. Otherwise the console is copied to stdout (and stdin, if it has
 * anything, to the console) until the domain is gone or the timeout passes. Returns the
 * exit code after printing why on failure ("lam: <cmd>: ...").
 */
int lam_console_attach(const struct lam_args *args, const char *dom,
                       const struct lam_console_opts *opts);

#endif
