/* SPDX-License-Identifier: GPL-2.0-only */
/* qcow2 (QEMU's documented format, versions 2 and 3) inside libimage: the on-disk constants,
 * the state of one open image, and the functions its files share. */
#ifndef LAMINA_QCOW2_H
#define LAMINA_QCOW2_H

#include "img_internal.h"

#define QCOW2_MAGIC      0x514649fbU /* "QFI\xfb" */
#define QCOW2_V2_HDR_LEN 72
#define QCOW2_V3_HDR_LEN 104

/* L1, L2 and refcount-table entries. */
#define QCOW2_OFLAG_COPIED     (1ULL << 63) /* refcount is exactly 1: writable in place */
#define QCOW2_OFLAG_COMPRESSED (1ULL << 62)
#define QCOW2_OFLAG_ZERO       1ULL                  /* v3: the cluster reads as zeroes */
#define QCOW2_OFFSET_MASK      0x00fffffffffffe00ULL /* bits 9..55 */
#define QCOW2_L1_RESERVED      0x7f000000000001feULL /* bits 1..8 and 56..62 */
#define QCOW2_L2_RESERVED      0x3f000000000001feULL /* bits 1..8 and 56..61 */
#define QCOW2_REFT_RESERVED    0x1ffULL

/* Incompatible, compatible and autoclear feature bits this implementation knows. */
#define QCOW2_INCOMPAT_DIRTY       (1ULL << 0)
#define QCOW2_INCOMPAT_CORRUPT     (1ULL << 1)
#define QCOW2_INCOMPAT_DATA_FILE   (1ULL << 2)
#define QCOW2_INCOMPAT_COMPRESSION (1ULL << 3)
#define QCOW2_INCOMPAT_EXTL2       (1ULL << 4)

/* Header extensions. */
#define QCOW2_EXT_END         0x00000000U
#define QCOW2_EXT_BACKING_FMT 0xe2792acaU
#define QCOW2_EXT_FEATURES    0x6803f857U
#define QCOW2_EXT_BITMAPS     0x23852875U
#define QCOW2_EXT_CRYPTO      0x0537be77U
#define QCOW2_EXT_DATA_FILE   0x44415441U

/* Bounds on what a file may ask us to hold in memory (QEMU's own limits). */
#define QCOW2_MAX_L1_BYTES   (32U << 20)
#define QCOW2_MAX_REFT_BYTES (8U << 20)

struct qcow2 {
    int meta_fd; /* img->buf_fd: metadata never goes through an O_DIRECT descriptor */
    unsigned version;
    unsigned cluster_bits;
    uint64_t cs;      /* cluster size */
    unsigned l2_bits; /* log2 of entries in an L2 table */
    unsigned rb_bits; /* log2 of entries in a refcount block (16-bit refcounts) */
    uint64_t *l1;     /* host-endian copy of the L1 table */
    uint32_t l1_size; /* entries */
    uint64_t l1_offset;
    uint64_t *reft;        /* host-endian copy of the refcount table */
    uint64_t reft_entries; /* entries (reft_clusters * cs / 8) */
    uint64_t reft_offset;
    uint32_t reft_clusters;
    uint64_t file_size; /* bytes in the file */
    uint64_t file_end;  /* file_size rounded up to a cluster: where new clusters go */
    uint64_t incompat, compat, autoclear;
    uint32_t nb_snapshots;
    bool growing; /* a refcount-table move is in progress (it must not nest) */
    struct img *backing;
    const char *path; /* for messages: the image's path (owned by the struct img) */
};

/* Header parsing and opening (qcow2_open.c). */
int qcow2_check_meta(const struct qcow2 *q, uint64_t off, uint64_t len);

/* Refcounts (qcow2_refcount.c). */
int qcow2_refcount_get(struct qcow2 *q, uint64_t host, uint16_t *val);
int qcow2_refcount_set(struct qcow2 *q, uint64_t host, uint16_t val);
int qcow2_alloc_clusters(struct qcow2 *q, uint64_t count, uint64_t *host);
int qcow2_check_reft_entry(const struct qcow2 *q, uint64_t entry);

/* Mapping (qcow2_map.c). */
enum qcow2_kind { Q_UNALLOC, Q_ZERO, Q_ZERO_ALLOC, Q_DATA };
int qcow2_classify(struct qcow2 *q, uint64_t entry, enum qcow2_kind *kind, uint64_t *host);
int qcow2_l2_read(struct qcow2 *q, uint64_t vcluster, uint64_t *entries, unsigned n,
                  uint64_t *l2_off);
int qcow2_set_entries(struct qcow2 *q, uint64_t l2_off, uint64_t vc, const uint64_t *e, unsigned n);
int qcow2_map(struct img *img, uint64_t offset, uint64_t length, unsigned flags,
              struct img_extent *ext);
int qcow2_discard(struct img *img, uint64_t offset, uint64_t length);
int qcow2_read_prev(struct img *img, void *buf, uint64_t len, uint64_t off);

#endif
