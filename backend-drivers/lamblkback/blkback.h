/* SPDX-License-Identifier: GPL-2.0-only */
/* lamblkback: the disk backend's pieces (disk.c: devices and keys; io.c: requests). */
#ifndef LAMINA_BLKBACK_H
#define LAMINA_BLKBACK_H

#include <stdbool.h>
#include <stdint.h>

#include "image.h"
#include "lamback.h"

/* The backend directory kind: one dom0's own xen-blkback (vbd) does not claim. */
#define BLK_TYPE "lamvbd"
/* Segments per indirect request we offer (Linux blkfront uses at most 32 by default). */
#define BLK_MAX_INDIRECT   32
#define BLK_MAX_RING_ORDER 4

struct disk {
    struct img *img;
    struct lb_blk_limits lim;
    bool cdrom;
    bool size_unpublished; /* a new size the store has not got yet */
};

struct breq;

/* One ring's requests, in the order they were taken (slot = index & (nr_ents - 1)). */
struct bqueue {
    struct lb_queue *q;
    struct disk *disk;
    struct breq *slots;
    uint32_t inflight;
    bool stopping;
};

/* The process-wide I/O engine (io.c). */
int io_init(struct lb *lb);
void io_fini(void);
int io_queue_start(struct lb_queue *q);
void io_queue_kick(struct lb_queue *q);
void io_queue_stop(struct lb_queue *q);

/* The device side (disk.c). */
int disk_probe(struct lb_dev *d);
int disk_connect(struct lb_dev *d);
void disk_remove(struct lb_dev *d);
/* Looks for disks whose size changed (resize), every few seconds. */
void disk_check_sizes(struct lb *lb);
/* "params" as libxl writes it: PATH or FORMAT:PATH. */
int disk_parse_params(const char *params, enum img_format *fmt, const char **path);

#endif
