/* SPDX-License-Identifier: GPL-2.0-only */
/* qcow2 lookups and allocation on write. A map covers a run of clusters of one L2 table that
 * read alike (contiguous data, zeroes, or the backing file's); a write to clusters not yet
 * in the top image allocates them at the end of the file. Order of writes (see
 * docs/disk-images.md): file extended -> refcounts (synced with any new refcount block) ->
 * copy-on-write data and a new L2 table -> sync -> the L2 entries or the L1 entry that make
 * them live. A crash at any point leaves the image consistent (at worst, leaked clusters). */
#include "qcow2.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_RUN 512 /* L2 entries read, and clusters allocated, per call */

int qcow2_classify(struct qcow2 *q, uint64_t entry, enum qcow2_kind *kind, uint64_t *host)
{
    if (entry & QCOW2_OFLAG_COMPRESSED)
        return -ENOTSUP; /* compressed clusters: refused (docs/disk-images.md) */
    if (entry & QCOW2_L2_RESERVED)
        return -EIO;
    *host = entry & QCOW2_OFFSET_MASK;
    bool zero = entry & QCOW2_OFLAG_ZERO;
    if (zero && q->version < 3)
        return -EIO;
    if (*host && qcow2_check_meta(q, *host, q->cs))
        return -EIO;
    if (zero)
        *kind = *host ? Q_ZERO_ALLOC : Q_ZERO;
    else
        *kind = *host ? Q_DATA : Q_UNALLOC;
    return 0;
}

int qcow2_l2_read(struct qcow2 *q, uint64_t vcluster, uint64_t *entries, unsigned n,
                  uint64_t *l2_off)
{
    uint64_t l1i = vcluster >> q->l2_bits;
    if (l1i >= q->l1_size)
        return -EIO;
    *l2_off = q->l1[l1i] & QCOW2_OFFSET_MASK;
    if (!*l2_off) {
        memset(entries, 0, (size_t)n * 8);
        return 0;
    }
    if (qcow2_check_meta(q, *l2_off, q->cs))
        return -EIO;
    uint64_t l2i = vcluster & ((1ULL << q->l2_bits) - 1);
    int rc = img_pread_full(q->meta_fd, entries, (size_t)n * 8, *l2_off + l2i * 8);
    for (unsigned i = 0; i < n && !rc; i++)
        entries[i] = be64toh(entries[i]);
    return rc;
}

/* Reads as zeroes: explicit zero clusters, and unallocated ones without a backing file. */
static bool reads_zero(const struct qcow2 *q, enum qcow2_kind k)
{
    return k == Q_ZERO || k == Q_ZERO_ALLOC || (k == Q_UNALLOC && !q->backing);
}

struct run {
    uint64_t entries[MAX_RUN];
    uint64_t l2_off;
    enum qcow2_kind kind;
    uint64_t host; /* first cluster's host offset (Q_DATA, Q_ZERO_ALLOC) */
    unsigned n;    /* clusters in the run */
};

/* The run of clusters starting at offset that read alike (for writes: that need the same
 * treatment: in place, or allocation of the same kind). */
static int find_run(struct img *img, uint64_t offset, uint64_t length, bool write, struct run *r)
{
    struct qcow2 *q = img->q;
    uint64_t in = offset & (q->cs - 1), vc = offset >> q->cluster_bits;
    uint64_t want = (in + length + q->cs - 1) >> q->cluster_bits;
    uint64_t left = (1ULL << q->l2_bits) - (vc & ((1ULL << q->l2_bits) - 1));
    unsigned n = (unsigned)(want < left ? want : left);
    if (n > MAX_RUN)
        n = MAX_RUN;
    int rc = qcow2_l2_read(q, vc, r->entries, n, &r->l2_off);
    if (rc)
        return rc;
    rc = qcow2_classify(q, r->entries[0], &r->kind, &r->host);
    if (rc)
        return rc;
    r->n = 1;
    if (r->kind == Q_ZERO_ALLOC && write)
        return 0; /* rewritten one cluster at a time */
    for (; r->n < n; r->n++) {
        enum qcow2_kind k;
        uint64_t h;
        rc = qcow2_classify(q, r->entries[r->n], &k, &h);
        if (rc)
            return rc;
        bool alike;
        if (r->kind == Q_DATA)
            alike = k == Q_DATA && h == r->host + r->n * q->cs;
        else if (write)
            alike = k == r->kind;
        else
            alike = reads_zero(q, r->kind) ? reads_zero(q, k) : k == r->kind;
        if (!alike)
            break;
    }
    return 0;
}

static uint64_t run_len(const struct qcow2 *q, const struct run *r, uint64_t offset,
                        uint64_t length)
{
    uint64_t in = offset & (q->cs - 1);
    uint64_t avail = (uint64_t)r->n * q->cs - in;
    return length < avail ? length : avail;
}

/* Data in the last cluster of a file that ends inside it (QEMU writes only what it must)
 * reads as zeroes past the end of the file. */
static int map_data_read(struct img *img, uint64_t host, uint64_t len, unsigned flags,
                         struct img_extent *ext)
{
    struct qcow2 *q = img->q;
    if (host + len > q->file_size) {
        struct stat st;
        if (fstat(q->meta_fd, &st) == 0 && (uint64_t)st.st_size > q->file_size)
            q->file_size = (uint64_t)st.st_size;
    }
    ext->length = len;
    if (host >= q->file_size) {
        ext->kind = IMG_EXT_ZERO;
        return 0;
    }
    if (host + len > q->file_size)
        ext->length = q->file_size - host;
    ext->kind = IMG_EXT_DATA;
    ext->fd = (flags & IMG_MAP_BUFFERED) ? q->meta_fd : img->fd;
    ext->offset = host;
    return 0;
}

static int map_backing(struct img *img, uint64_t offset, uint64_t len, unsigned flags,
                       struct img_extent *ext)
{
    struct img *b = img->q->backing;
    if (!b || offset >= b->size) {
        ext->kind = IMG_EXT_ZERO;
        ext->length = len;
        return 0;
    }
    if (len > b->size - offset)
        len = b->size - offset;
    return img_map_internal(b, offset, len, flags & IMG_MAP_BUFFERED, ext);
}

/* What the virtual disk held at [off, off + len) before the top image had the cluster: the
 * backing chain's bytes (zeroes past its end), read through buffered descriptors. */
int qcow2_read_prev(struct img *img, void *buf, uint64_t len, uint64_t off)
{
    char *p = buf;
    while (len) {
        struct img_extent ext;
        int rc = map_backing(img, off, len, IMG_MAP_BUFFERED, &ext);
        if (rc)
            return rc;
        if (ext.length == 0 || ext.length > len)
            return -EIO;
        if (ext.kind == IMG_EXT_ZERO)
            memset(p, 0, ext.length);
        else if ((rc = img_pread_full(ext.fd, p, ext.length, ext.offset)))
            return rc;
        p += ext.length;
        off += ext.length;
        len -= ext.length;
    }
    return 0;
}

/* Fills the parts of the new clusters [data, data + n*cs) the caller will not write with the
 * backing file's contents. Fresh clusters at the end of the file already read as zeroes, so
 * without a backing file (or over zero clusters) there is nothing to copy. */
static int copy_on_write(struct img *img, const struct run *r, uint64_t offset, uint64_t len,
                         uint64_t data)
{
    struct qcow2 *q = img->q;
    if (r->kind != Q_UNALLOC || !q->backing)
        return 0;
    uint64_t first = offset & ~(q->cs - 1);
    uint64_t end = offset + len;
    uint64_t last_end = first + (uint64_t)r->n * q->cs;
    if (last_end > img->size)
        last_end = img->size;
    struct {
        uint64_t voff, vlen;
    } parts[2] = {{first, offset - first}, {end, end < last_end ? last_end - end : 0}};
    char *buf = NULL;
    int rc = 0;
    for (int i = 0; i < 2 && !rc; i++) {
        if (!parts[i].vlen)
            continue;
        if (!buf && !(buf = malloc(q->cs)))
            return -ENOMEM;
        rc = qcow2_read_prev(img, buf, parts[i].vlen, parts[i].voff);
        if (!rc)
            rc = img_meta_pwrite(q->meta_fd, buf, parts[i].vlen, data + (parts[i].voff - first));
    }
    free(buf);
    return rc;
}

static int write_l2_entries(struct qcow2 *q, uint64_t l2_off, uint64_t vc, const uint64_t *e,
                            unsigned n)
{
    uint64_t be[MAX_RUN];
    for (unsigned i = 0; i < n; i++)
        be[i] = htobe64(e[i]);
    uint64_t l2i = vc & ((1ULL << q->l2_bits) - 1);
    return img_meta_pwrite(q->meta_fd, be, (size_t)n * 8, l2_off + l2i * 8);
}

/* A new L2 table holding entries [l2i, l2i + n) at l2_off, then (after a sync) the L1 entry. */
static int write_new_l2(struct qcow2 *q, uint64_t l2_off, uint64_t vc, const uint64_t *e,
                        unsigned n)
{
    uint64_t *t = calloc(1, q->cs);
    if (!t)
        return -ENOMEM;
    uint64_t l2i = vc & ((1ULL << q->l2_bits) - 1);
    for (unsigned i = 0; i < n; i++)
        t[l2i + i] = htobe64(e[i]);
    int rc = img_meta_pwrite(q->meta_fd, t, q->cs, l2_off);
    free(t);
    return rc;
}

static int link_l1(struct qcow2 *q, uint64_t vc, uint64_t l2_off)
{
    uint64_t l1i = vc >> q->l2_bits;
    uint64_t e = l2_off | QCOW2_OFLAG_COPIED, be = htobe64(e);
    int rc = img_meta_pwrite(q->meta_fd, &be, 8, q->l1_offset + l1i * 8);
    if (!rc)
        q->l1[l1i] = e;
    return rc;
}

/* Sets entries [vc, vc + n) to e[]: in the existing L2 table, or in a new one linked from the
 * L1 table. Everything the new entries point to must be written and synced already. */
int qcow2_set_entries(struct qcow2 *q, uint64_t l2_off, uint64_t vc, const uint64_t *e, unsigned n)
{
    if (l2_off)
        return write_l2_entries(q, l2_off, vc, e, n);
    uint64_t nl2;
    int rc = qcow2_alloc_clusters(q, 1, &nl2);
    if (!rc)
        rc = write_new_l2(q, nl2, vc, e, n);
    if (!rc)
        rc = img_meta_sync(q->meta_fd);
    if (!rc)
        rc = link_l1(q, vc, nl2);
    return rc;
}

/* A preallocated zero cluster: zero its bytes, then make it a plain data cluster. */
static int write_zero_alloc(struct img *img, const struct run *r, uint64_t offset)
{
    struct qcow2 *q = img->q;
    char *z = calloc(1, q->cs);
    if (!z)
        return -ENOMEM;
    int rc = img_meta_pwrite(q->meta_fd, z, q->cs, r->host);
    free(z);
    if (!rc)
        rc = img_meta_sync(q->meta_fd);
    uint64_t e = r->host | QCOW2_OFLAG_COPIED;
    if (!rc)
        rc = write_l2_entries(q, r->l2_off, offset >> q->cluster_bits, &e, 1);
    return rc;
}

static int map_write_alloc(struct img *img, struct run *r, uint64_t offset, uint64_t len)
{
    struct qcow2 *q = img->q;
    uint64_t vc = offset >> q->cluster_bits, data;
    int rc = qcow2_alloc_clusters(q, r->n, &data);
    if (!rc)
        rc = copy_on_write(img, r, offset, len, data);
    if (!rc && r->l2_off)
        rc = img_meta_sync(q->meta_fd); /* a new L2 table syncs on its own */
    for (unsigned i = 0; i < r->n; i++)
        r->entries[i] = (data + i * q->cs) | QCOW2_OFLAG_COPIED;
    if (!rc)
        rc = qcow2_set_entries(q, r->l2_off, vc, r->entries, r->n);
    r->host = data;
    return rc;
}

int qcow2_map(struct img *img, uint64_t offset, uint64_t length, unsigned flags,
              struct img_extent *ext)
{
    struct qcow2 *q = img->q;
    struct run *r = malloc(sizeof(*r));
    if (!r)
        return -ENOMEM;
    bool write = flags & IMG_MAP_WRITE;
    int rc = find_run(img, offset, length, write, r);
    if (rc)
        goto out;
    uint64_t len = run_len(q, r, offset, length), in = offset & (q->cs - 1);
    if (write) {
        if (r->kind == Q_ZERO_ALLOC)
            rc = write_zero_alloc(img, r, offset);
        else if (r->kind != Q_DATA)
            rc = map_write_alloc(img, r, offset, len);
        if (rc)
            goto out;
        ext->kind = IMG_EXT_DATA;
        ext->fd = (flags & IMG_MAP_BUFFERED) ? q->meta_fd : img->fd;
        ext->offset = r->host + in;
        ext->length = len;
    } else if (r->kind == Q_DATA) {
        rc = map_data_read(img, r->host + in, len, flags, ext);
    } else if (reads_zero(q, r->kind)) {
        ext->kind = IMG_EXT_ZERO;
        ext->length = len;
    } else {
        rc = map_backing(img, offset, len, flags, ext);
    }
out:
    free(r);
    return rc;
}
