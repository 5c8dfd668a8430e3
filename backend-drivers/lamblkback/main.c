/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lamblkback: the user-space disk backend of dom0. It serves Linux's xen-blkfront (blkif)
 * for every device the toolstack writes under /local/domain/0/backend/lamvbd, from raw and
 * qcow2 images (libimage), with io_uring for the I/O and gntdev's grant copy for the data.
 * One process, one loop, every device of every domain. Killed and started again, it takes
 * over connected devices where they were (requests not answered are done again).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "blkback.h"

static struct lb *the_lb;
static int size_timer = -1;

/* How often the disks' sizes are looked at (a grown file shows up in the guest). */
#define SIZE_CHECK_SECONDS 2

static void on_size_timer(void *arg)
{
    uint64_t n;
    if (read(size_timer, &n, sizeof(n)) == (ssize_t)sizeof(n))
        disk_check_sizes(arg);
}

static int start_size_timer(struct lb *lb)
{
    size_timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    struct itimerspec it = {{SIZE_CHECK_SECONDS, 0}, {SIZE_CHECK_SECONDS, 0}};
    if (size_timer < 0 || timerfd_settime(size_timer, 0, &it, NULL) < 0)
        return -1;
    return lb_add_fd(lb, size_timer, on_size_timer, lb) ? -1 : 0;
}

static void on_signal(int sig)
{
    (void)sig;
    if (the_lb)
        lb_stop(the_lb);
}

/* Queues offered per disk: blkfront takes min(this, 4, the guest's vCPUs). One thread
 * serves them all, so the count is about the guest's parallelism, not dom0's CPUs. */
#define BLK_MAX_QUEUES 4

int main(int argc, char **argv)
{
    if (argc > 1) {
        fprintf(stderr,
                "usage: %s\n  serves the disks described under "
                "/local/domain/0/backend/" BLK_TYPE " (docs/disk-backend.md)\n",
                argv[0]);
        return strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    static const struct lb_backend_ops ops = {
        .type = BLK_TYPE,
        .entry_size = LB_BLKIF_ENTRY_SIZE,
        .max_ring_order = BLK_MAX_RING_ORDER,
        .max_queues = BLK_MAX_QUEUES,
        .probe = disk_probe,
        .connect = disk_connect,
        .queue_start = io_queue_start,
        .queue_kick = io_queue_kick,
        .queue_stop = io_queue_stop,
        .remove = disk_remove,
    };
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct lb *lb = lb_open(&ops);
    if (!lb)
        return 1;
    if (io_init(lb) || start_size_timer(lb)) {
        lb_close(lb);
        return 1;
    }
    the_lb = lb;
    int rc = lb_run(lb);
    the_lb = NULL;
    lb_close(lb);
    io_fini();
    lb_log("stopped");
    return rc ? 1 : 0;
}
