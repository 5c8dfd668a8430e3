/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One request being handled: its connection, header, payload, the
 * transaction it runs in, and the reply being built. Handlers (ops_*.c)
 * return 0 with the reply filled, or an errno sent back as XS_ERROR.
 */
#ifndef LAMSTORED_REQUEST_H
#define LAMSTORED_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"
#include "txn.h"

#define REQ_MAX_ARGS 64

struct request {
    struct conn *c;
    const struct xs_msg_hdr *h;
    const char *payload; /* NUL-terminated at len */
    uint32_t len;
    struct txn *tx; /* explicit or implicit transaction; NULL for pure reads */
    const char *argv[REQ_MAX_ARGS];
    int argc; /* NUL-separated strings of the payload */
    char reply[XS_PAYLOAD_MAX];
    uint32_t rlen;
    const struct watch *fire_after; /* WATCH: the first event follows the reply */
};

typedef int (*op_handler)(struct request *rq);

/* Reply helpers: return 0, or E2BIG when the reply would not fit. */
int reply_bytes(struct request *rq, const void *p, uint32_t n);
int reply_str(struct request *rq, const char *s); /* with its NUL */
int reply_ok(struct request *rq);

/* The ENOENT-or-EACCES rule for a missing node: EACCES unless the nearest
 * existing ancestor is readable. */
int missing_node_errno(struct request *rq, const char *path, uint32_t len);

int op_read(struct request *rq);
int op_write(struct request *rq);
int op_mkdir(struct request *rq);
int op_rm(struct request *rq);
int op_directory(struct request *rq);
int op_directory_part(struct request *rq);
int op_get_perms(struct request *rq);
int op_set_perms(struct request *rq);
int op_watch(struct request *rq);
int op_unwatch(struct request *rq);
int op_reset_watches(struct request *rq);
int op_transaction_start(struct request *rq);
int op_transaction_end(struct request *rq);
int op_introduce(struct request *rq);
int op_release(struct request *rq);
int op_get_domain_path(struct request *rq);
int op_is_domain_introduced(struct request *rq);
int op_resume(struct request *rq);
int op_set_target(struct request *rq);
int op_control(struct request *rq);

#endif
