/* SPDX-License-Identifier: GPL-2.0-only */
/* qcow2 refcounts (16-bit): reading and setting one cluster's count, creating refcount blocks
 * and growing the refcount table on demand, and allocating new clusters at the end of the
 * file. Order of writes (docs/disk-images.md): a cluster's count is raised, and synced, before
 * anything refers to it; so a crash can leak clusters but never leave one in use at count 0. */
#include "qcow2.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int qcow2_check_reft_entry(const struct qcow2 *q, uint64_t entry)
{
    if (entry & QCOW2_REFT_RESERVED)
        return -EIO;
    return entry ? qcow2_check_meta(q, entry, q->cs) : 0;
}

/* Extends the file by n clusters (reading as zeroes) and returns where they start. */
static int extend(struct qcow2 *q, uint64_t n, uint64_t *at)
{
    uint64_t start = q->file_end;
    if (n > (QCOW2_OFFSET_MASK - start) / q->cs)
        return -ENOSPC;
    int rc = img_meta_truncate(q->meta_fd, start + n * q->cs);
    if (rc)
        return rc;
    q->file_end = q->file_size = start + n * q->cs;
    *at = start;
    return 0;
}

static int write_reft_entry(struct qcow2 *q, uint64_t idx, uint64_t val)
{
    uint64_t be = htobe64(val);
    int rc = img_meta_pwrite(q->meta_fd, &be, 8, q->reft_offset + idx * 8);
    if (!rc)
        q->reft[idx] = val;
    return rc;
}

static int grow_reft(struct qcow2 *q, uint64_t min_entries);

/* Makes sure refcount block b exists, creating it (at the end of the file) if not. A new
 * block's own count is stored before the table points to it, and synced first. */
static int ensure_block(struct qcow2 *q, uint64_t b)
{
    int rc;
    if (b >= q->reft_entries) {
        rc = grow_reft(q, b + 1);
        if (rc)
            return rc;
    }
    if (q->reft[b])
        return qcow2_check_reft_entry(q, q->reft[b]);
    uint64_t off;
    rc = extend(q, 1, &off);
    if (rc)
        return rc;
    uint64_t idx = off >> q->cluster_bits;
    if (idx >> q->rb_bits == b) {
        uint16_t one = htobe16(1);
        rc = img_meta_pwrite(q->meta_fd, &one, 2, off + (idx & ((1ULL << q->rb_bits) - 1)) * 2);
    } else {
        rc = qcow2_refcount_set(q, off, 1);
    }
    if (!rc)
        rc = img_meta_sync(q->meta_fd);
    if (!rc)
        rc = write_reft_entry(q, b, off);
    return rc;
}

int qcow2_refcount_get(struct qcow2 *q, uint64_t host, uint16_t *val)
{
    uint64_t idx = host >> q->cluster_bits, b = idx >> q->rb_bits;
    if (b >= q->reft_entries || !q->reft[b]) {
        *val = 0;
        return 0;
    }
    if (qcow2_check_reft_entry(q, q->reft[b]))
        return -EIO;
    uint16_t be;
    int rc =
        img_pread_full(q->meta_fd, &be, 2, q->reft[b] + (idx & ((1ULL << q->rb_bits) - 1)) * 2);
    if (!rc)
        *val = be16toh(be);
    return rc;
}

int qcow2_refcount_set(struct qcow2 *q, uint64_t host, uint16_t val)
{
    uint64_t idx = host >> q->cluster_bits, b = idx >> q->rb_bits;
    int rc = ensure_block(q, b);
    if (rc)
        return rc;
    uint16_t be = htobe16(val);
    return img_meta_pwrite(q->meta_fd, &be, 2, q->reft[b] + (idx & ((1ULL << q->rb_bits) - 1)) * 2);
}

/* Moves the refcount table to a bigger one at the end of the file: the new table (and any
 * blocks its own clusters need) is written and synced, then the header is switched to it in
 * one 12-byte write, synced, and only then the old table's clusters are freed. */
static int grow_reft(struct qcow2 *q, uint64_t min_entries)
{
    if (q->growing)
        return -EIO;
    uint64_t per_cluster = q->cs / 8;
    uint64_t entries = q->reft_entries * 2;
    if (entries < min_entries + 2)
        entries = min_entries + 2;
    /* Room for the blocks that will cover the new table itself and what follows it (the
     * table's own refcounts must not need a bigger table: that would nest). */
    uint64_t clusters;
    for (;;) {
        clusters = (entries + per_cluster - 1) / per_cluster;
        uint64_t need = (((q->file_end >> q->cluster_bits) + clusters + 64) >> q->rb_bits) + 2;
        if (entries >= need)
            break;
        entries = need;
    }
    if (clusters * q->cs > QCOW2_MAX_REFT_BYTES)
        return -ENOSPC;
    entries = clusters * per_cluster;
    uint64_t *t = calloc(entries, 8);
    if (!t)
        return -ENOMEM;
    memcpy(t, q->reft, q->reft_entries * 8);
    uint64_t off;
    int rc = extend(q, clusters, &off);
    if (rc) {
        free(t);
        return rc;
    }
    uint64_t *old = q->reft, old_off = q->reft_offset, old_entries = q->reft_entries;
    uint32_t old_clusters = q->reft_clusters;
    /* From here on new blocks are entered in the new table (not yet live on disk). */
    q->growing = true;
    q->reft = t;
    q->reft_offset = off;
    q->reft_entries = entries;
    q->reft_clusters = (uint32_t)clusters;
    for (uint64_t i = 0; i < clusters && !rc; i++)
        rc = qcow2_refcount_set(q, off + i * q->cs, 1);
    uint64_t *be = NULL;
    if (!rc) {
        be = malloc(entries * 8);
        rc = be ? 0 : -ENOMEM;
    }
    if (!rc) {
        for (uint64_t i = 0; i < entries; i++)
            be[i] = htobe64(q->reft[i]);
        rc = img_meta_pwrite(q->meta_fd, be, entries * 8, off);
    }
    free(be);
    if (!rc)
        rc = img_meta_sync(q->meta_fd);
    if (!rc) {
        unsigned char hdr[12];
        uint64_t o = htobe64(off);
        uint32_t c = htobe32((uint32_t)clusters);
        memcpy(hdr, &o, 8);
        memcpy(hdr + 8, &c, 4);
        rc = img_meta_pwrite(q->meta_fd, hdr, sizeof(hdr), 48);
    }
    if (!rc)
        rc = img_meta_sync(q->meta_fd);
    q->growing = false;
    if (rc) {
        /* The header still names the old table: go on using it (the new clusters leak). */
        free(q->reft);
        q->reft = old;
        q->reft_offset = old_off;
        q->reft_entries = old_entries;
        q->reft_clusters = old_clusters;
        return rc;
    }
    free(old);
    for (uint64_t i = 0; i < old_clusters && !rc; i++)
        rc = qcow2_refcount_set(q, old_off + i * q->cs, 0);
    return rc;
}

/* count contiguous new clusters at the end of the file, each at refcount 1 (synced by the
 * caller before it refers to them). Clusters past the end that already have a count (leaked
 * by a crash) are stepped over. */
int qcow2_alloc_clusters(struct qcow2 *q, uint64_t count, uint64_t *host)
{
    for (int tries = 0; tries < 64; tries++) {
        uint64_t start;
        int rc = extend(q, count, &start);
        if (rc)
            return rc;
        bool busy = false;
        for (uint64_t i = 0; i < count && !busy; i++) {
            uint16_t v;
            rc = qcow2_refcount_get(q, start + i * q->cs, &v);
            if (rc)
                return rc;
            busy = v != 0;
        }
        if (busy)
            continue;
        for (uint64_t i = 0; i < count; i++) {
            rc = qcow2_refcount_set(q, start + i * q->cs, 1);
            if (rc)
                return rc;
        }
        *host = start;
        return 0;
    }
    return -EIO; /* counts everywhere past the end of the file: refcounts are corrupt */
}
