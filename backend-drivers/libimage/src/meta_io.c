/* SPDX-License-Identifier: GPL-2.0-only */
/* Whole-buffer file I/O, and the single path every metadata change takes (so a test can
 * "crash" the library after any one of them and check what is left on disk). */
#include "img_fault.h"
#include "img_internal.h"

#include <errno.h>
#include <stdbool.h>
#include <unistd.h>

static long fault_budget = -1; /* operations still allowed; < 0: no injection */
static long fault_done;

void img_fault_after(long n)
{
    fault_budget = n;
    fault_done = 0;
}

long img_fault_count(void)
{
    return fault_done;
}

static int fault_check(void)
{
    if (fault_budget == 0)
        return -EIO;
    if (fault_budget > 0)
        fault_budget--;
    fault_done++;
    return 0;
}

/* All of len bytes at off, retrying short transfers and EINTR; end of file is -EIO. */
static int io_full(int fd, char *p, size_t len, uint64_t off, bool write)
{
    while (len) {
        ssize_t n = write ? pwrite(fd, p, len, (off_t)off) : pread(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return -EIO;
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

int img_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
    return io_full(fd, buf, len, off, false);
}

int img_pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
    /* pwrite only reads the buffer: the cast lets one loop serve both directions. */
    return io_full(fd, (char *)buf, len, off, true);
}

int img_meta_pwrite(int fd, const void *buf, size_t len, uint64_t off)
{
    int rc = fault_check();
    return rc ? rc : img_pwrite_full(fd, buf, len, off);
}

int img_meta_truncate(int fd, uint64_t size)
{
    int rc = fault_check();
    if (rc)
        return rc;
    return ftruncate(fd, (off_t)size) ? -errno : 0;
}

int img_meta_sync(int fd)
{
    int rc = fault_check();
    if (rc)
        return rc;
    return fdatasync(fd) ? -errno : 0;
}
