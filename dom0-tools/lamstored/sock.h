/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Unix socket transport: where dom0's tools and Debian's xenstore
 * clients connect (/run/xenstored/socket, or XENSTORED_PATH). Every socket
 * client acts as dom0 and is privileged; clients of the read-only socket
 * cannot change anything.
 */
#ifndef LAMSTORED_SOCK_H
#define LAMSTORED_SOCK_H

#include <stdbool.h>

struct store;

int sock_listen(struct store *st, const char *path, bool readonly);
/* Closes every socket connection and listener (clean stop). */
void sock_shutdown(void);

#endif
