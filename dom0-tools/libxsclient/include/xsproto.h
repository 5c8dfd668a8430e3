/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The xenstore wire protocol as Lamina speaks it: message header, message
 * types, size limits, error names and the shared ring page. Numbers and
 * layouts follow Xen's public io/xs_wire.h, which Linux's xenbus driver and
 * Debian's xenstore clients use; the names here are Lamina's.
 *
 * Every message, in both directions and on both transports (Unix socket,
 * shared ring), is a 16-byte header followed by `len` payload bytes, with
 * len <= XS_PAYLOAD_MAX. Requests are answered by a reply carrying the same
 * type, req_id and tx_id, or by an XS_ERROR reply whose payload is an errno
 * name ("ENOENT\0"). Watch events arrive unsolicited as XS_WATCH_EVENT with
 * req_id 0.
 */
#ifndef LAMINA_XSPROTO_H
#define LAMINA_XSPROTO_H

#include <stdint.h>

enum xs_msg_type {
    XS_CONTROL = 0, /* old name: XS_DEBUG */
    XS_DIRECTORY = 1,
    XS_READ = 2,
    XS_GET_PERMS = 3,
    XS_WATCH = 4,
    XS_UNWATCH = 5,
    XS_TRANSACTION_START = 6,
    XS_TRANSACTION_END = 7,
    XS_INTRODUCE = 8,
    XS_RELEASE = 9,
    XS_GET_DOMAIN_PATH = 10,
    XS_WRITE = 11,
    XS_MKDIR = 12,
    XS_RM = 13,
    XS_SET_PERMS = 14,
    XS_WATCH_EVENT = 15,
    XS_ERROR = 16,
    XS_IS_DOMAIN_INTRODUCED = 17,
    XS_RESUME = 18,
    XS_SET_TARGET = 19,
    /* 20 was XS_RESTRICT, withdrawn by Xen; answered with ENOSYS. */
    XS_RESET_WATCHES = 21,
    XS_DIRECTORY_PART = 22,
    XS_TYPE_COUNT = 23,
    XS_INVALID = 0xffff,
};

/* The 16-byte header that precedes every payload. */
struct xs_msg_hdr {
    uint32_t type;   /* enum xs_msg_type */
    uint32_t req_id; /* echoed in the reply */
    uint32_t tx_id;  /* transaction id, 0 outside a transaction */
    uint32_t len;    /* payload bytes that follow */
};
_Static_assert(sizeof(struct xs_msg_hdr) == 16, "xenstore header is 16 bytes");

/* A longer payload is a protocol violation: the connection is dropped. */
#define XS_PAYLOAD_MAX 4096
/* Longer paths are refused with EINVAL. */
#define XS_ABS_PATH_MAX 3072
#define XS_REL_PATH_MAX 2048

/* The store page shared with a domain (one 4 KiB page, offsets fixed). */
#define XS_RING_SIZE      1024
#define XS_RING_MASK(idx) ((idx) & (XS_RING_SIZE - 1))
struct xs_ring_page {
    char req[XS_RING_SIZE]; /* client -> daemon */
    char rsp[XS_RING_SIZE]; /* daemon -> client: replies and watch events */
    uint32_t req_cons, req_prod;
    uint32_t rsp_cons, rsp_prod;
    uint32_t server_features; /* XS_SERVER_FEATURE_* */
    uint32_t connection;      /* XS_RING_CONNECTED / XS_RING_RECONNECT */
    uint32_t error;
    uint32_t evtchn_port;
};
_Static_assert(sizeof(struct xs_ring_page) == 2080, "store page header layout");
_Static_assert(__builtin_offsetof(struct xs_ring_page, req_cons) == 2048, "req_cons @2048");
_Static_assert(__builtin_offsetof(struct xs_ring_page, rsp_prod) == 2060, "rsp_prod @2060");
_Static_assert(__builtin_offsetof(struct xs_ring_page, connection) == 2068, "connection @2068");

#define XS_SERVER_FEATURE_RECONNECTION 1u
#define XS_RING_CONNECTED              0u
#define XS_RING_RECONNECT              1u

/* Permission letters in GET_PERMS/SET_PERMS strings ("b0", "r3", ...). */
#define XS_PERM_NONE  0u
#define XS_PERM_READ  1u
#define XS_PERM_WRITE 2u
#define XS_PERM_BOTH  (XS_PERM_READ | XS_PERM_WRITE)
#define XS_PERM_OWNER 4u /* internal: what an owner gets */

/* Special watch paths fired by the daemon itself. */
#define XS_SPECIAL_INTRODUCE "@introduceDomain"
#define XS_SPECIAL_RELEASE   "@releaseDomain"

/*
 * Errno values travel as their names. Only the names in this table may
 * appear on the wire; xs_errno_name() maps any other errno to "EINVAL",
 * as Xen's daemon does.
 */
const char *xs_errno_name(int err);
/* Inverse of xs_errno_name(); returns EINVAL for an unknown name. */
int xs_errno_from_name(const char *name);
/* Printable name of a message type ("READ"), or "UNKNOWN". */
const char *xs_type_name(uint32_t type);

#endif /* LAMINA_XSPROTO_H */
