/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's state and the objects every part shares: connections, their
 * watches and transactions, introduced domains, and the committed tree.
 *
 * The core is transport-agnostic and single-threaded: a transport (Unix
 * socket, shared ring, or a test harness) puts bytes into a connection's
 * input buffer and calls conn_process(); replies and watch events queue on
 * the connection and the transport drains them. Nothing in the core blocks.
 */
#ifndef LAMSTORED_STORE_H
#define LAMSTORED_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "quota.h"
#include "tree.h"
#include "xsproto.h"

#define DOMID_NONE 0xffffffffu
/* Domain ids from here up are Xen's special values (DOMID_SELF, ...). */
#define DOMID_FIRST_RESERVED 0x7ff0u

struct conn;
struct txn;

struct watch {
    struct watch *next;
    char *path; /* absolute, or "@..." */
    char *token;
    bool relative; /* registered with a relative path: events are relative too */
};

/* A queued outgoing message (header + payload, contiguous). */
struct outmsg {
    struct outmsg *next;
    uint32_t len, off;
    bool reply; /* a reply (counts against outstanding) rather than a watch event */
    char data[];
};

/* What the core needs from a transport. */
struct conn_transport {
    const char *name;
    /* Output was queued: arrange for it to be sent (may be NULL). */
    void (*wake)(struct conn *c);
    /* Called by the event loop for each woken connection: send queued
     * output, resume input held back, and close the connection if dead
     * (it may free c). */
    void (*flush)(struct conn *c);
};

#define CONN_RBUF 16384

struct conn {
    struct store *st;
    struct conn *next, *prev;
    uint32_t domid;
    bool privileged;
    bool readonly;
    bool dead;   /* violated the protocol or overflowed: transport closes it */
    bool queued; /* on the store's wake list */
    /* Raw input not yet processed. */
    char rbuf[CONN_RBUF];
    uint32_t rlen;
    /* Output queue. */
    struct outmsg *oh, *ot;
    size_t obytes;
    uint32_t oreplies;
    struct watch *watches;
    uint32_t nwatches;
    struct txn *txns;
    uint32_t ntxns;
    size_t txbytes; /* memory held by this connection's open transactions */
    const struct conn_transport *tp;
    void *tpriv;
    struct conn *wnext; /* wake list */
};

struct domain {
    uint32_t domid;
    bool introduced;
    bool shutdown_reported;
    uint64_t mfn;
    uint32_t port;
    uint32_t target;   /* DOMID_NONE, or the domain this one acts for */
    uint32_t nodes;    /* nodes it owns */
    uint64_t memory;   /* bytes of nodes it owns */
    int last_quota;    /* -1, or the enum quota_kind last exceeded */
    struct conn *conn; /* its ring connection, if mapped */
};

/* Hooks to the ring transport, absent on a host without Xen devices. */
struct ring_ops {
    int (*attach)(struct store *st, struct domain *d);
    void (*detach)(struct store *st, struct domain *d);
};

struct store {
    struct tree tree;
    struct quota_set q;
    struct domain ***doms; /* by domid: chunks of 256, allocated on demand */
    struct conn *conns;
    struct conn *wake_head;
    uint32_t next_txid;
    /* Output bytes one connection may hold before it is dropped (socket)
     * or loses watch events (ring). */
    size_t out_limit;
    const struct ring_ops *rings;
    /* Permissions of the special watch paths (index: enum special_node). */
    struct perm *special_perms[2];
    uint32_t special_nperms[2];
    /* Statistics for CONTROL. */
    uint64_t requests, conflicts;
};

enum special_node { SPECIAL_INTRODUCE, SPECIAL_RELEASE };
/* The special node named by path ("@introduceDomain"...), or -1. */
int special_node(const char *path);
/* Replaces a special node's permission list. */
void special_set_perms(struct store *st, int which, const struct perm *p, uint32_t np);

void store_init(struct store *st);
void store_free(struct store *st);

/* Domains. domain_get creates the record; ids must be < DOMID_FIRST_RESERVED. */
struct domain *domain_find(struct store *st, uint32_t domid);
struct domain *domain_get(struct store *st, uint32_t domid);
/* Disconnects a domain, removes the nodes it owned, fires @releaseDomain. */
void domain_release(struct store *st, struct domain *d);
/* What the hypervisor says of an introduced domain (domains_check_exits). */
enum domain_liveness { DOMAIN_ALIVE, DOMAIN_SHUT_DOWN, DOMAIN_GONE };
/*
 * Something happened to a domain (VIRQ_DOM_EXC): ask probe about every introduced domain
 * but dom0. A gone (or dying) one is released as on RELEASE; one that shut down fires
 * @releaseDomain once, so a toolstack watching it notices (Xen's xenstored does both).
 */
void domains_check_exits(struct store *st, enum domain_liveness (*probe)(uint32_t domid, void *ctx),
                         void *ctx);
/* Records that domain domid hit quota k and logs it. */
void domain_quota_hit(struct store *st, uint32_t domid, enum quota_kind k);

/* Connections. */
struct conn *conn_new(struct store *st, uint32_t domid, bool privileged, bool readonly,
                      const struct conn_transport *tp, void *tpriv);
void conn_free(struct conn *c);
/* Forgets everything a connection had: watches, transactions, input, output. */
void conn_reset(struct conn *c);
/* Processes complete messages in c->rbuf; keeps any partial one. */
void conn_process(struct conn *c);
/* True while the connection may take more input (outstanding quota). */
bool conn_wants_input(const struct conn *c);
void conn_queue(struct conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id, const void *payload,
                uint32_t len, bool reply);
/* Queues bytes that are already framed (restoring saved output). */
void conn_queue_raw(struct conn *c, const void *bytes, uint32_t len, bool reply);
/* Removes n bytes of sent output from the head of the queue. */
void conn_consumed(struct conn *c, size_t n);
/* Pops the store's list of connections with new output (NULL when empty). */
struct conn *store_next_woken(struct store *st);

/* Handles one complete request from c (in request.c). */
void request_handle(struct conn *c, const struct xs_msg_hdr *h, const char *payload);

#endif
