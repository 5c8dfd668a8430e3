/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer harness for libimage: the input becomes an image file, opened with format probing
 * read-only and mapped end to end, then opened read-write and written, discarded and read
 * again. Any crash, sanitizer report, extent past its file's end or extent longer than asked
 * is a bug; refusals are the expected outcome for most inputs. */
#include "fuzz_target.h"
#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/fuzz-image-XXXXXX";
static char path[64];

static void cleanup(void)
{
    unlink(path);
    rmdir(dir);
}

static void setup(void)
{
    if (path[0])
        return;
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof(path), "%s/img", dir);
    atexit(cleanup);
}

static void check_extent(const struct img_extent *e, uint64_t asked)
{
    if (e->length == 0 || e->length > asked)
        abort();
    if (e->kind == IMG_EXT_DATA) {
        struct stat st;
        if (fstat(e->fd, &st))
            abort();
        /* Reads of a data extent must stay inside its (regular) file. */
        if (S_ISREG(st.st_mode) && e->offset + e->length > (uint64_t)st.st_size)
            abort();
    }
}

/* Maps at most `limit` bytes from the start, at most 64 extents. */
static void map_all(struct img *img, unsigned flags, uint64_t limit)
{
    uint64_t size = img_size(img), off = 0;
    if (limit > size)
        limit = size;
    for (int i = 0; i < 64 && off < limit; i++) {
        struct img_extent e;
        uint64_t want = limit - off;
        if (img_map(img, off, want, flags, &e))
            return;
        if (!(flags & IMG_MAP_WRITE))
            check_extent(&e, want);
        else if (e.length == 0 || e.length > want || e.kind != IMG_EXT_DATA)
            abort();
        off += e.length;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size)
        abort();
    close(fd);
    char err[IMG_ERR_MAX];
    struct img *img;
    if (img_open(path, IMG_FORMAT_PROBE, IMG_OPEN_READONLY, &img, err) == 0) {
        map_all(img, 0, 1 << 24);
        img_close(img);
    } else if (!err[0]) {
        abort(); /* a refusal always says why */
    }
    if (img_open(path, IMG_FORMAT_QCOW2, 0, &img, err) == 0) {
        map_all(img, IMG_MAP_WRITE, 1 << 16);
        uint64_t s = img_size(img);
        if (s)
            (void)img_discard(img, s / 2, s - s / 2 < (1 << 20) ? s - s / 2 : (1 << 20));
        map_all(img, 0, 1 << 24);
        (void)img_flush(img);
        img_close(img);
    }
    return 0;
}
