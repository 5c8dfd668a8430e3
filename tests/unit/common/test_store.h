/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A real lamstored for host tests: started on a socket in a fresh temporary directory, with
 * no rings (no hypervisor), its messages to /dev/null; the binary is $LAMSTORED, which the
 * test's Makefile sets to the one it just built.
 */
#ifndef LAM_TEST_STORE_H
#define LAM_TEST_STORE_H

#include <sys/types.h>

struct test_store {
    char dir[64];
    char sock[96]; /* the socket to open (xsc_open_socket) */
    pid_t pid;
};

/* 0 once the daemon's socket exists (within 2 s), -1 otherwise (no $LAMSTORED, no temporary
 * directory, or the daemon never listened). tag names the directory (/tmp/TAG.XXXXXX). */
int test_store_start(struct test_store *ts, const char *tag);
/* Stops the daemon and removes its socket and directory. */
void test_store_stop(struct test_store *ts);

#endif
