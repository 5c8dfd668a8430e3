/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libxsclient: a small blocking client of the store daemon for Lamina's
 * tools (lam, the backends). One handle is one connection, used by one
 * thread. Calls return 0 or a positive errno (the daemon's error name
 * mapped back: ENOENT, EACCES, EAGAIN, ...). Watch events that arrive while
 * a call waits for its reply are queued for xsc_read_watch().
 */
#ifndef LAMINA_XSCLIENT_H
#define LAMINA_XSCLIENT_H

#include <stdbool.h>
#include <stdint.h>

struct xsc;

/* No transaction. */
#define XSC_NO_TX 0u

#define XSC_DEFAULT_SOCKET "/run/xenstored/socket"
/* The kernel's xenbus device in a Xen domain (xenfs offers the same at XSC_XENBUS_PROC). */
#define XSC_XENBUS_DEVICE "/dev/xen/xenbus"
#define XSC_XENBUS_PROC   "/proc/xen/xenbus"

/*
 * Connects to path: a Unix socket, or a device speaking the protocol such as
 * XSC_XENBUS_DEVICE (requests then go through the kernel's xenbus). Without
 * path: $XENSTORED_PATH or XSC_DEFAULT_SOCKET, and when no daemon listens
 * there, the kernel's xenbus device as Xen's libxenstore does. NULL with errno set.
 */
struct xsc *xsc_open(const char *path);
/* Connects to the Unix socket at path, never falling back to a device. */
struct xsc *xsc_open_socket(const char *path);
/*
 * As xsc_open(), with every wait bounded by timeout_ms (-1: none, which is what
 * xsc_open() gives): connecting, sending a request and waiting for its reply. A
 * request that gets no reply in time fails with ETIMEDOUT (a socket nobody serves, or
 * the kernel's xenbus device while no daemon serves dom0's ring), and the handle is
 * then unusable (every later call fails with ETIMEDOUT too): the reply may still come.
 */
struct xsc *xsc_open_timeout(const char *path, int timeout_ms);
/* Changes the bound for later requests (-1: none). */
void xsc_set_timeout(struct xsc *h, int timeout_ms);
void xsc_close(struct xsc *h);
/* The socket or device, for poll() when waiting for watch events alongside other work. */
int xsc_fd(const struct xsc *h);

/* *value is malloc'd and NUL-terminated (not counted in *len). */
int xsc_read(struct xsc *h, uint32_t tx, const char *path, char **value, uint32_t *len);
/*
 * n reads pipelined: sent together (a few dozen per write), their replies read in order,
 * so n values cost one round trip to the daemon instead of n. values[i] is malloc'd and
 * NUL-terminated with errs[i] = 0, or NULL with errs[i] the error of that read (ENOENT,
 * EACCES, ...). Returns 0, or an error of the connection itself (then every value is NULL).
 */
int xsc_read_many(struct xsc *h, uint32_t tx, const char *const *paths, unsigned n, char **values,
                  int *errs);
int xsc_write(struct xsc *h, uint32_t tx, const char *path, const void *value, uint32_t len);
int xsc_mkdir(struct xsc *h, uint32_t tx, const char *path);
int xsc_rm(struct xsc *h, uint32_t tx, const char *path);
/* Child names; *names is one malloc'd block (free(*names) frees all). Lists
 * longer than one message are fetched with DIRECTORY_PART. */
int xsc_directory(struct xsc *h, uint32_t tx, const char *path, char ***names, unsigned *count);
/* Permission strings ("b0", "r5"); same allocation rule as xsc_directory. */
int xsc_get_perms(struct xsc *h, uint32_t tx, const char *path, char ***perms, unsigned *count);
int xsc_set_perms(struct xsc *h, uint32_t tx, const char *path, const char *const *perms,
                  unsigned count);

int xsc_watch(struct xsc *h, const char *path, const char *token);
int xsc_unwatch(struct xsc *h, const char *path, const char *token);
/* Waits up to timeout_ms (-1: forever) for an event; ETIMEDOUT when none came.
 * *path and *token are malloc'd. */
int xsc_read_watch(struct xsc *h, int timeout_ms, char **path, char **token);

int xsc_transaction_start(struct xsc *h, uint32_t *tx);
/* commit=false abandons; EAGAIN on commit means: run the transaction again. */
int xsc_transaction_end(struct xsc *h, uint32_t tx, bool commit);

/*
 * Pipelining: after xsc_batch_begin, requests whose answer is only success or an error
 * (write, mkdir, rm, set_perms) are queued and sent together; xsc_batch_end sends what is
 * left, reads every reply and returns the first error (0 if none). A call that needs an
 * answer (read, directory, ...) sends the queue first. Meant for many writes in one
 * transaction, where the first error aborts it anyway.
 */
void xsc_batch_begin(struct xsc *h);
int xsc_batch_end(struct xsc *h);

/* INTRODUCE: the daemon starts serving domid's store ring (page mfn, its port) and fires
 * @introduceDomain. RELEASE: it stops, the domain's nodes pass to dom0, @releaseDomain
 * fires. What a toolstack sends after building a domain and after destroying it. */
int xsc_introduce(struct xsc *h, unsigned domid, unsigned long mfn, unsigned port);
int xsc_release(struct xsc *h, unsigned domid);

/* CONTROL request; *reply malloc'd (may be NULL when not wanted). */
int xsc_control(struct xsc *h, const char *cmd, const char *arg, char **reply, uint32_t *len);

#endif
