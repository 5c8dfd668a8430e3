/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libimage: the disk images a disk backend serves (raw files, block devices, qcow2 with
 * backing chains), seen as a linear array of bytes.
 *
 * The backend does its own I/O (asynchronously, with io_uring): this library does not read or
 * write guest data itself. It *maps* a range of the virtual disk to where the bytes live:
 *
 *     IMG_EXT_DATA   at (fd, offset) in one file of the chain: read or write there;
 *     IMG_EXT_ZERO   nothing stored anywhere in the chain: reads return zeroes.
 *
 * Mapping for write (IMG_MAP_WRITE) allocates what is missing in the top image first (a
 * qcow2 cluster, its L2 table, refcounts), copying the backing file's contents of a partly
 * written cluster into the new one, and commits the new metadata before returning. So the
 * image is consistent at every moment: a crash leaves each cluster either as it was or
 * allocated with its previous contents. A write's data is durable after img_flush().
 *
 * An image is untrusted input (a guest may have written the file that became an overlay's
 * base, a user may hand over anything): every table entry, offset and size read from a file
 * is checked; a corrupt image is refused with a message in `err`, never a crash and never a
 * read or write outside the image's files.
 *
 * Calls return 0 or a negative errno value. One struct img is used by one thread at a time.
 */
#ifndef LAMINA_IMAGE_H
#define LAMINA_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct img;

enum img_format {
    IMG_FORMAT_PROBE, /* open(): qcow2 if the file starts with qcow2's magic, else raw */
    IMG_FORMAT_RAW,   /* a file (sparse = thin) or a block device, byte for byte */
    IMG_FORMAT_QCOW2, /* QEMU's qcow2, versions 2 and 3, with its backing chain */
};

enum img_open_flags {
    IMG_OPEN_READONLY = 1 << 0, /* never write any file of the chain */
    IMG_OPEN_DIRECT = 1 << 1,   /* O_DIRECT on the data files (libvirt cache='none') */
};

#define IMG_ERR_MAX 256

/* Opens path (and, for qcow2, its backing files, always read-only). On failure *out is
 * NULL and err holds a one-line message naming the file and what is wrong. */
int img_open(const char *path, enum img_format format, unsigned flags, struct img **out,
             char err[IMG_ERR_MAX]);
void img_close(struct img *img);

/* The virtual disk's size in bytes, and whether it can be written. */
uint64_t img_size(const struct img *img);
bool img_readonly(const struct img *img);
enum img_format img_format(const struct img *img);

/* Re-reads the size of the top file or device (the disk grew: resize). */
int img_refresh_size(struct img *img);

enum img_extent_kind {
    IMG_EXT_DATA,
    IMG_EXT_ZERO,
};

struct img_extent {
    enum img_extent_kind kind;
    int fd;          /* IMG_EXT_DATA: the file holding the bytes (owned by the img) */
    uint64_t offset; /* IMG_EXT_DATA: where in fd */
    uint64_t length; /* bytes covered, > 0 and <= the length asked for */
};

enum img_map_flags {
    IMG_MAP_WRITE = 1 << 0, /* the caller will write the extent: allocate it in the top image */
};

/* Maps [offset, offset + length) of the virtual disk, returning the first extent, which may
 * be shorter than length (call again for the rest). -EINVAL if the range leaves the disk,
 * -EROFS for IMG_MAP_WRITE on a read-only image, -EIO for a corrupt table, -ENOSPC. */
int img_map(struct img *img, uint64_t offset, uint64_t length, unsigned flags,
            struct img_extent *ext);

/* Makes every write the caller completed, and the metadata behind it, durable (fdatasync of
 * the top file). */
int img_flush(struct img *img);

/* The guest no longer needs [offset, offset + length): free it where the format can (punch
 * a hole in a raw file, unmap qcow2 clusters so reads see zeroes), so thin images stay thin.
 * Ranges smaller than the format's unit are zeroed instead. */
int img_discard(struct img *img, uint64_t offset, uint64_t length);

#endif /* LAMINA_IMAGE_H */
