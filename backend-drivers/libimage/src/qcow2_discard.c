/* SPDX-License-Identifier: GPL-2.0-only */
/* qcow2 discard: whole clusters are unmapped (entry 0 without a backing file; the v3 zero
 * flag over one, so reads see zeroes and not the backing file's data) and their clusters
 * freed; partial clusters, and whole ones of a v2 image with a backing file (which has no
 * zero flag), are zeroed through the write path instead. Order: the new L2 entries are
 * written and synced before the clusters' refcounts drop, so a crash can leak a cluster but
 * never leave one referenced at refcount 0. */
#include "qcow2.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RUN 512

/* Makes [offset, offset + len) (inside one cluster) read as zeroes. */
static int zero_part(struct img *img, uint64_t offset, uint64_t len)
{
    static const char zero[65536];
    while (len) {
        struct img_extent ext;
        int rc = qcow2_map(img, offset, len, IMG_MAP_BUFFERED, &ext);
        if (rc)
            return rc;
        if (ext.kind != IMG_EXT_ZERO) {
            rc = qcow2_map(img, offset, ext.length, IMG_MAP_WRITE | IMG_MAP_BUFFERED, &ext);
            for (uint64_t done = 0; !rc && done < ext.length;) {
                uint64_t n = ext.length - done < sizeof(zero) ? ext.length - done : sizeof(zero);
                rc = img_pwrite_full(ext.fd, zero, n, ext.offset + done);
                done += n;
            }
            if (rc)
                return rc;
        }
        offset += ext.length;
        len -= ext.length;
    }
    return 0;
}

/* Unmaps up to MAX_RUN whole clusters of one L2 table from vc; *done gets how many. */
static int unmap_clusters(struct img *img, uint64_t vc, uint64_t count, uint64_t *done)
{
    struct qcow2 *q = img->q;
    uint64_t left = (1ULL << q->l2_bits) - (vc & ((1ULL << q->l2_bits) - 1));
    unsigned n = (unsigned)(count < left ? count : left);
    if (n > MAX_RUN)
        n = MAX_RUN;
    *done = n;
    uint64_t *e = malloc((size_t)n * 8 * 2);
    if (!e)
        return -ENOMEM;
    uint64_t *freed = e + n, l2_off;
    unsigned nfreed = 0;
    bool change = false;
    uint64_t want = q->backing ? QCOW2_OFLAG_ZERO : 0;
    int rc = qcow2_l2_read(q, vc, e, n, &l2_off);
    for (unsigned i = 0; i < n && !rc; i++) {
        enum qcow2_kind k;
        uint64_t host;
        rc = qcow2_classify(q, e[i], &k, &host);
        if (rc)
            break;
        if (host)
            freed[nfreed++] = host;
        if (e[i] != want)
            change = true;
        e[i] = want;
    }
    if (!rc && change) {
        /* Without an L2 table there is nothing to free, and zero flags need a table. */
        rc = qcow2_set_entries(q, l2_off, vc, e, n);
        if (!rc)
            rc = img_meta_sync(q->meta_fd);
    }
    for (unsigned i = 0; i < nfreed && !rc; i++) {
        uint16_t v;
        rc = qcow2_refcount_get(q, freed[i], &v);
        if (!rc && v != 1)
            rc = -EIO; /* shared or unaccounted: the refcounts are not what writes expect */
        if (!rc)
            rc = qcow2_refcount_set(q, freed[i], 0);
        if (!rc) /* thin again; a file system without holes just keeps the bytes */
            (void)fallocate(q->meta_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)freed[i],
                            (off_t)q->cs);
    }
    free(e);
    return rc;
}

int qcow2_discard(struct img *img, uint64_t offset, uint64_t length)
{
    struct qcow2 *q = img->q;
    bool can_unmap = !q->backing || q->version >= 3;
    while (length) {
        uint64_t in = offset & (q->cs - 1);
        uint64_t part = q->cs - in < length ? q->cs - in : length;
        /* The virtual disk's last cluster may be partial: it counts as whole. */
        bool whole = in == 0 && (part == q->cs || offset + part == img->size);
        int rc;
        uint64_t done;
        if (whole && can_unmap) {
            /* Whole clusters only (the disk's partial last cluster counts as one). */
            uint64_t count = length >> q->cluster_bits;
            if (!count)
                count = 1;
            rc = unmap_clusters(img, offset >> q->cluster_bits, count, &done);
            done <<= q->cluster_bits;
            if (done > length)
                done = length;
        } else {
            rc = zero_part(img, offset, part);
            done = part;
        }
        if (rc)
            return rc;
        offset += done;
        length -= done;
    }
    return 0;
}
