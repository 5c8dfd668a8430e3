/* SPDX-License-Identifier: GPL-2.0-only */
/* A real lamstored for host tests (test_store.h). */
#include "test_store.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int test_store_start(struct test_store *ts, const char *tag)
{
    const char *bin = getenv("LAMSTORED");
    ts->pid = -1;
    if (!bin)
        return -1;
    snprintf(ts->dir, sizeof(ts->dir), "/tmp/%s.XXXXXX", tag);
    if (!mkdtemp(ts->dir))
        return -1;
    snprintf(ts->sock, sizeof(ts->sock), "%s/sock", ts->dir);
    ts->pid = fork();
    if (ts->pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 2);
        execl(bin, bin, "--socket", ts->sock, "--no-rings", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 200; i++) {
        struct stat st;
        if (stat(ts->sock, &st) == 0)
            return 0;
        usleep(10000);
    }
    return -1;
}

void test_store_stop(struct test_store *ts)
{
    if (ts->pid > 0) {
        kill(ts->pid, SIGTERM);
        waitpid(ts->pid, NULL, 0);
    }
    ts->pid = -1;
    unlink(ts->sock);
    rmdir(ts->dir);
}
