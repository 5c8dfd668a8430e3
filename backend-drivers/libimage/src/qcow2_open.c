/* SPDX-License-Identifier: GPL-2.0-only */
/* Opening a qcow2 image: the header and its extensions are read from the first cluster and
 * every field is checked before anything else is read; the L1 and refcount tables are loaded
 * whole (bounded sizes) and their entries checked; then the backing file is opened,
 * read-only, as the next link of the chain. */
#include "qcow2.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint32_t be32_at(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return be32toh(v);
}

static uint64_t be64_at(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return be64toh(v);
}

/* The fixed metadata every other table must stay clear of. */
static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

static uint64_t round_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* A table (L2 table, refcount block) or data cluster at off, len bytes: aligned, inside the
 * file, clear of the header cluster, the L1 table and the refcount table. */
int qcow2_check_meta(const struct qcow2 *q, uint64_t off, uint64_t len)
{
    if (off == 0 || (off & (q->cs - 1)) || off > q->file_end || len > q->file_end - off)
        return -EIO;
    if (overlaps(off, len, 0, q->cs) ||
        overlaps(off, len, q->l1_offset, round_up((uint64_t)q->l1_size * 8, q->cs)) ||
        overlaps(off, len, q->reft_offset, (uint64_t)q->reft_clusters * q->cs))
        return -EIO;
    return 0;
}

struct hdr {
    uint32_t version;
    uint64_t backing_off;
    uint32_t backing_len;
    uint32_t cluster_bits;
    uint64_t size;
    uint32_t crypt;
    uint32_t l1_size;
    uint64_t l1_off;
    uint64_t reft_off;
    uint32_t reft_clusters;
    uint32_t nb_snapshots;
    uint64_t snapshots_off;
    uint64_t incompat, compat, autoclear;
    uint32_t refcount_order;
    uint32_t hdr_len;
    uint8_t compression;
};

static void hdr_decode(const unsigned char *b, size_t avail, struct hdr *h)
{
    memset(h, 0, sizeof(*h));
    h->version = be32_at(b + 4);
    h->backing_off = be64_at(b + 8);
    h->backing_len = be32_at(b + 16);
    h->cluster_bits = be32_at(b + 20);
    h->size = be64_at(b + 24);
    h->crypt = be32_at(b + 32);
    h->l1_size = be32_at(b + 36);
    h->l1_off = be64_at(b + 40);
    h->reft_off = be64_at(b + 48);
    h->reft_clusters = be32_at(b + 56);
    h->nb_snapshots = be32_at(b + 60);
    h->snapshots_off = be64_at(b + 64);
    h->refcount_order = 4;
    h->hdr_len = QCOW2_V2_HDR_LEN;
    if (h->version >= 3 && avail >= QCOW2_V3_HDR_LEN) {
        h->incompat = be64_at(b + 72);
        h->compat = be64_at(b + 80);
        h->autoclear = be64_at(b + 88);
        h->refcount_order = be32_at(b + 96);
        h->hdr_len = be32_at(b + 100);
        if (h->hdr_len > 104 && avail > 104)
            h->compression = b[104];
    }
}

/* The checks that need only the header itself. */
static int hdr_check(struct img *img, const struct hdr *h, uint64_t file_size, char *err)
{
    const char *p = img->path;
    if (h->version != 2 && h->version != 3)
        return img_err(err, -ENOTSUP, "%s: qcow2 version %u is not supported (only 2 and 3)", p,
                       h->version);
    if (h->cluster_bits < 9 || h->cluster_bits > 21)
        return img_err(err, -EIO, "%s: corrupt qcow2: cluster_bits %u outside 9..21", p,
                       h->cluster_bits);
    uint64_t cs = 1ULL << h->cluster_bits;
    if (h->version == 3 && (h->hdr_len < QCOW2_V3_HDR_LEN || h->hdr_len % 8 || h->hdr_len > cs))
        return img_err(err, -EIO, "%s: corrupt qcow2: header_length %u", p, h->hdr_len);
    if (h->refcount_order != 4)
        return img_err(err, -ENOTSUP,
                       "%s: qcow2 refcount_order %u is not supported (only 4: 16-bit refcounts)", p,
                       h->refcount_order);
    if (h->crypt)
        return img_err(err, -ENOTSUP, "%s: encrypted qcow2 images are not supported", p);
    if (h->incompat & QCOW2_INCOMPAT_DATA_FILE)
        return img_err(err, -ENOTSUP, "%s: qcow2 with an external data file is not supported", p);
    if (h->incompat & QCOW2_INCOMPAT_EXTL2)
        return img_err(err, -ENOTSUP, "%s: qcow2 with extended L2 entries is not supported", p);
    if ((h->incompat & QCOW2_INCOMPAT_COMPRESSION) || h->compression)
        return img_err(err, -ENOTSUP, "%s: qcow2 compression type %u is not supported", p,
                       h->compression);
    uint64_t unknown = h->incompat & ~(QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT);
    if (unknown)
        return img_err(err, -ENOTSUP, "%s: qcow2 incompatible features 0x%llx are unknown", p,
                       (unsigned long long)unknown);
    if (!img->readonly && (h->incompat & QCOW2_INCOMPAT_DIRTY))
        return img_err(err, -EIO,
                       "%s: qcow2 image is dirty (lazy refcounts were not written back): "
                       "run 'qemu-img check -r all' first, or open it read-only",
                       p);
    if (!img->readonly && (h->incompat & QCOW2_INCOMPAT_CORRUPT))
        return img_err(err, -EIO,
                       "%s: qcow2 image is marked corrupt: repair it with 'qemu-img check -r all' "
                       "or open it read-only",
                       p);
    if (!img->readonly && h->nb_snapshots)
        return img_err(err, -ENOTSUP,
                       "%s: qcow2 image has %u internal snapshots: writing is not supported "
                       "(open it read-only)",
                       p, h->nb_snapshots);
    /* The L1 table must cover the virtual size and fit in memory. */
    unsigned l2_bits = h->cluster_bits - 3;
    uint64_t per_l1 = 1ULL << (h->cluster_bits + l2_bits);
    if (h->l1_size > QCOW2_MAX_L1_BYTES / 8)
        return img_err(err, -EIO, "%s: corrupt qcow2: L1 table of %u entries is too large", p,
                       h->l1_size);
    if (h->size > (uint64_t)h->l1_size * per_l1 || h->size > (1ULL << 62))
        return img_err(err, -EIO, "%s: corrupt qcow2: size %llu exceeds what the L1 table maps", p,
                       (unsigned long long)h->size);
    if ((uint64_t)h->reft_clusters * cs > QCOW2_MAX_REFT_BYTES || h->reft_clusters == 0)
        return img_err(err, -EIO, "%s: corrupt qcow2: refcount table of %u clusters", p,
                       h->reft_clusters);
    uint64_t end = round_up(file_size, cs);
    if (!h->l1_off || h->l1_off & (cs - 1) || h->l1_off > end ||
        (uint64_t)h->l1_size * 8 > end - h->l1_off)
        return img_err(err, -EIO, "%s: corrupt qcow2: L1 table offset 0x%llx invalid", p,
                       (unsigned long long)h->l1_off);
    uint64_t reft_len = (uint64_t)h->reft_clusters * cs;
    if (!h->reft_off || h->reft_off & (cs - 1) || h->reft_off > end || reft_len > end - h->reft_off)
        return img_err(err, -EIO, "%s: corrupt qcow2: refcount table offset 0x%llx invalid", p,
                       (unsigned long long)h->reft_off);
    if (overlaps(h->l1_off, round_up((uint64_t)h->l1_size * 8, cs), h->reft_off, reft_len) ||
        overlaps(h->l1_off, (uint64_t)h->l1_size * 8, 0, cs) ||
        overlaps(h->reft_off, reft_len, 0, cs))
        return img_err(err, -EIO, "%s: corrupt qcow2: header, L1 and refcount tables overlap", p);
    if (h->nb_snapshots &&
        (h->snapshots_off & (cs - 1) || !h->snapshots_off || h->snapshots_off >= end))
        return img_err(err, -EIO, "%s: corrupt qcow2: snapshot table offset invalid", p);
    if (h->backing_len > 1023 ||
        (h->backing_len && (h->backing_off < h->hdr_len || h->backing_off + h->backing_len > cs ||
                            h->backing_off + h->backing_len > file_size)))
        return img_err(err, -EIO, "%s: corrupt qcow2: backing file name outside the header", p);
    return 0;
}

/* Header extensions: a list of (type, length, data padded to 8) after the header, ended by
 * type 0; the backing format is the one this library needs. */
static int parse_extensions(struct img *img, const unsigned char *b, size_t avail,
                            const struct hdr *h, char *fmt, size_t fmt_len, char *err)
{
    uint64_t off = h->hdr_len;
    uint64_t limit = h->backing_len ? h->backing_off : avail;
    if (limit > avail)
        limit = avail;
    fmt[0] = '\0';
    while (off + 8 <= limit) {
        uint32_t type = be32_at(b + off), len = be32_at(b + off + 4);
        off += 8;
        if (type == QCOW2_EXT_END)
            return 0;
        if (len > limit - off)
            return img_err(err, -EIO,
                           "%s: corrupt qcow2: header extension 0x%x overruns the header",
                           img->path, type);
        if (type == QCOW2_EXT_BACKING_FMT) {
            if (len == 0 || len >= fmt_len || memchr(b + off, 0, len))
                return img_err(err, -EIO, "%s: corrupt qcow2: backing format name invalid",
                               img->path);
            memcpy(fmt, b + off, len);
            fmt[len] = '\0';
        } else if (type == QCOW2_EXT_CRYPTO || type == QCOW2_EXT_DATA_FILE) {
            return img_err(err, -ENOTSUP,
                           "%s: qcow2 encryption or external data files are not supported",
                           img->path);
        }
        off += round_up(len, 8);
    }
    return 0; /* a header without an end marker before the backing name: QEMU accepts it */
}

static int load_table(struct qcow2 *q, uint64_t off, uint64_t entries, uint64_t **out)
{
    uint64_t *t = calloc(entries ? entries : 1, 8);
    if (!t)
        return -ENOMEM;
    int rc = img_pread_full(q->meta_fd, t, entries * 8, off);
    if (rc) {
        free(t);
        return rc;
    }
    for (uint64_t i = 0; i < entries; i++)
        t[i] = be64toh(t[i]);
    *out = t;
    return 0;
}

static int check_tables(struct img *img, struct qcow2 *q, char *err)
{
    for (uint32_t i = 0; i < q->l1_size; i++) {
        uint64_t e = q->l1[i], off = e & QCOW2_OFFSET_MASK;
        if (e & QCOW2_L1_RESERVED)
            return img_err(err, -EIO, "%s: corrupt qcow2: L1 entry %u has reserved bits set",
                           img->path, i);
        if (off && qcow2_check_meta(q, off, q->cs))
            return img_err(err, -EIO, "%s: corrupt qcow2: L1 entry %u points to 0x%llx", img->path,
                           i, (unsigned long long)off);
    }
    for (uint64_t i = 0; i < q->reft_entries; i++)
        if (qcow2_check_reft_entry(q, q->reft[i]))
            return img_err(err, -EIO,
                           "%s: corrupt qcow2: refcount table entry %llu points to 0x%llx",
                           img->path, (unsigned long long)i, (unsigned long long)q->reft[i]);
    return 0;
}

static int open_backing(struct img *img, struct qcow2 *q, const unsigned char *b,
                        const struct hdr *h, const char *fmt, struct img_chain *chain, char *err)
{
    char name[1024], full[4096];
    memcpy(name, b + h->backing_off, h->backing_len);
    name[h->backing_len] = '\0';
    if (strlen(name) != h->backing_len || !name[0])
        return img_err(err, -EIO, "%s: corrupt qcow2: backing file name invalid", img->path);
    if (strncmp(name, "json:", 5) == 0)
        return img_err(err, -ENOTSUP, "%s: backing file '%s': json: names are not supported",
                       img->path, name);
    enum img_format bf;
    if (strcmp(fmt, "raw") == 0)
        bf = IMG_FORMAT_RAW;
    else if (strcmp(fmt, "qcow2") == 0)
        bf = IMG_FORMAT_QCOW2;
    else if (!fmt[0])
        /* Probing a backing file lets whoever wrote a raw base turn it into a qcow2 that
         * names any file of the host as its own backing file: the format must be recorded. */
        return img_err(err, -ENOTSUP,
                       "%s: the backing file's format is not recorded in the image "
                       "(qemu-img rebase -u -F raw|qcow2 -b '%s' records it)",
                       img->path, name);
    else
        return img_err(err, -ENOTSUP, "%s: backing format '%s' is not supported (raw, qcow2)",
                       img->path, fmt);
    if (name[0] == '/') {
        snprintf(full, sizeof(full), "%s", name);
    } else {
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s", img->path);
        if ((size_t)snprintf(full, sizeof(full), "%s/%s", dirname(dir), name) >= sizeof(full))
            return img_err(err, -ENAMETOOLONG, "%s: backing file path too long", img->path);
    }
    unsigned bflags = IMG_OPEN_READONLY | (img->flags & IMG_OPEN_DIRECT);
    char berr[IMG_ERR_MAX];
    bool top = chain->depth == 1;
    int rc = img_open_chain(full, bf, bflags, chain, &q->backing, berr);
    /* The message names the file at fault; the top image is named too, once. */
    if (rc && top)
        return img_err(err, rc, "%s: backing file: %s", img->path, berr);
    if (rc)
        return img_err(err, rc, "%s", berr);
    return 0;
}

static int qcow2_flush(struct img *img)
{
    return img_meta_sync(img->q->meta_fd);
}

static int reload_header(struct img *img, struct hdr *h, unsigned char **buf, size_t *avail,
                         char *err)
{
    struct qcow2 *q = img->q;
    struct stat st;
    if (fstat(q->meta_fd, &st))
        return img_err(err, -errno, "%s: stat: %s", img->path, strerror(errno));
    uint64_t fsize = (uint64_t)st.st_size;
    unsigned char first[QCOW2_V3_HDR_LEN + 8] = {0};
    if (fsize < QCOW2_V2_HDR_LEN)
        return img_err(err, -EIO, "%s: corrupt qcow2: file shorter than the header", img->path);
    size_t n = fsize < sizeof(first) ? (size_t)fsize : sizeof(first);
    int rc = img_pread_full(q->meta_fd, first, n, 0);
    if (rc)
        return img_err(err, rc, "%s: reading the header: %s", img->path, strerror(-rc));
    if (be32_at(first) != QCOW2_MAGIC)
        return img_err(err, -EIO, "%s: not a qcow2 image (bad magic)", img->path);
    hdr_decode(first, n, h);
    if (h->version == 3 && n < QCOW2_V3_HDR_LEN)
        return img_err(err, -EIO, "%s: corrupt qcow2: file shorter than the v3 header", img->path);
    rc = hdr_check(img, h, fsize, err);
    if (rc)
        return rc;
    uint64_t cs = 1ULL << h->cluster_bits;
    *avail = fsize < cs ? (size_t)fsize : (size_t)cs;
    *buf = calloc(1, *avail);
    if (!*buf)
        return img_err(err, -ENOMEM, "%s: out of memory", img->path);
    rc = img_pread_full(q->meta_fd, *buf, *avail, 0);
    if (rc)
        return img_err(err, rc, "%s: reading the header: %s", img->path, strerror(-rc));
    q->file_size = fsize;
    q->file_end = round_up(fsize, cs);
    return 0;
}

static int apply_header(struct img *img, const struct hdr *h, char *err)
{
    struct qcow2 *q = img->q;
    q->version = h->version;
    q->cluster_bits = h->cluster_bits;
    q->cs = 1ULL << h->cluster_bits;
    q->l2_bits = h->cluster_bits - 3;
    q->rb_bits = h->cluster_bits - 1;
    q->l1_size = h->l1_size;
    q->l1_offset = h->l1_off;
    q->reft_offset = h->reft_off;
    q->reft_clusters = h->reft_clusters;
    q->reft_entries = (uint64_t)h->reft_clusters * q->cs / 8;
    q->incompat = h->incompat;
    q->compat = h->compat;
    q->autoclear = h->autoclear;
    q->nb_snapshots = h->nb_snapshots;
    free(q->l1);
    free(q->reft);
    q->l1 = q->reft = NULL;
    int rc = load_table(q, q->l1_offset, q->l1_size, &q->l1);
    if (!rc)
        rc = load_table(q, q->reft_offset, q->reft_entries, &q->reft);
    if (rc)
        return img_err(err, rc, "%s: reading the L1 and refcount tables: %s", img->path,
                       strerror(-rc));
    rc = check_tables(img, q, err);
    if (rc)
        return rc;
    img->size = h->size;
    return 0;
}

static int qcow2_refresh_size(struct img *img)
{
    struct hdr h;
    unsigned char *buf = NULL;
    size_t avail;
    char err[IMG_ERR_MAX];
    int rc = reload_header(img, &h, &buf, &avail, err);
    free(buf);
    if (!rc && h.cluster_bits != img->q->cluster_bits)
        rc = -EIO;
    return rc ? rc : apply_header(img, &h, err);
}

static void qcow2_close(struct img *img)
{
    struct qcow2 *q = img->q;
    if (!q)
        return;
    img_close(q->backing);
    free(q->l1);
    free(q->reft);
    free(q);
    img->q = NULL;
}

static const struct img_ops qcow2_ops = {
    .map = qcow2_map,
    .flush = qcow2_flush,
    .discard = qcow2_discard,
    .refresh_size = qcow2_refresh_size,
    .close = qcow2_close,
};

/* We do not maintain what the autoclear features describe (bitmaps): clearing the bits tells
 * QEMU the extensions are stale, as the format asks of a writer that does not know them. */
static int clear_autoclear(struct img *img)
{
    uint64_t zero = 0;
    int rc = img_meta_pwrite(img->q->meta_fd, &zero, 8, 88);
    if (!rc)
        rc = img_meta_sync(img->q->meta_fd);
    if (!rc)
        img->q->autoclear = 0;
    return rc;
}

int qcow2_open(struct img *img, struct img_chain *chain, char *err)
{
    struct qcow2 *q = calloc(1, sizeof(*q));
    if (!q)
        return img_err(err, -ENOMEM, "%s: out of memory", img->path);
    img->q = q;
    img->ops = &qcow2_ops;
    q->path = img->path;
    q->meta_fd = img->buf_fd;
    struct hdr h;
    unsigned char *buf = NULL;
    size_t avail = 0;
    char fmt[32];
    int rc = reload_header(img, &h, &buf, &avail, err);
    if (!rc)
        rc = apply_header(img, &h, err);
    if (!rc)
        rc = parse_extensions(img, buf, avail, &h, fmt, sizeof(fmt), err);
    if (!rc && h.backing_len)
        rc = open_backing(img, q, buf, &h, fmt, chain, err);
    free(buf);
    if (rc)
        return rc;
    if (!img->readonly && h.version == 3 && q->autoclear) {
        rc = clear_autoclear(img);
        if (rc)
            return img_err(err, rc, "%s: clearing autoclear features: %s", img->path,
                           strerror(-rc));
    }
    if (img->flags & IMG_OPEN_DIRECT) {
        /* Metadata keeps the buffered descriptor; the backend's data goes through this one. */
        int fd = open(img->path, (img->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_DIRECT);
        if (fd < 0)
            return img_err(err, -errno, "%s: O_DIRECT: %s", img->path, strerror(errno));
        img->fd = fd;
    }
    return 0;
}
