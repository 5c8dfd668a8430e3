/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lamconsoled: the console daemon. It serves every domU's console ring (Xen's
 * xencons_interface, mapped through its grant reference 0 with /dev/xen/gntdev, its port
 * bound with /dev/xen/evtchn), writes each domain's output to LOG_DIR/NAME.log and lets
 * `lam console` attach over a Unix socket. Domains are found as xenconsoled finds them:
 * the hypervisor's domain list, re-read when the store fires @introduceDomain or
 * @releaseDomain, and each domain's /local/domain/N/console/{ring-ref,port} and name.
 *
 * One thread, one epoll loop, every descriptor non-blocking and every buffer bounded, so
 * a guest that floods its ring, never drains its input or writes nonsense into its page
 * or store nodes costs a bounded share of the daemon and a log line, nothing more.
 */
#ifndef LAMCONSOLED_H
#define LAMCONSOLED_H

#include <stdbool.h>
#include <stdint.h>

#include "lamcons.h"

struct client;

/* Bounds (bytes). */
#define HISTORY_BYTES      (16 * 1024) /* replayed to a client that attaches */
#define INPUT_BYTES        4096        /* typed, not yet taken by the guest */
#define CLIENT_OUT_BYTES   (64 * 1024) /* output not yet read by a client */
#define MAX_CLIENTS        64
#define OUTPUT_BUDGET      (2 * LCONS_OUT_SIZE) /* taken per event, per domain */
#define ATTACH_DEADLINE_MS 5000                 /* to send the ATTACH line */

struct cdom {
    struct cdom *next;
    uint16_t domid;
    char name[LCONS_NAME_MAX + 1]; /* as the store says, or "dN" */
    char file[LCONS_NAME_MAX + 1]; /* the log's name: name when usable as a file name */
    /* Set up: the page is mapped and the port bound. */
    struct lcons_page *page;
    uint64_t gnt_index;
    uint32_t port, local_port;
    bool broken;         /* the guest's indices made no sense: no longer served */
    bool masked;         /* the rate limit holds the port masked */
    bool watching;       /* a watch on its console directory (waiting for the nodes) */
    char complaint[160]; /* the last thing wrong with its nodes, said once */
    bool seen;           /* in the hypervisor's list at the last scan */
    struct lcons_rate rate;
    struct lcons_buf history, input;
    struct lcons_log log;
    bool log_ok;
};

struct daemon {
    int epfd;
    struct cdom *doms;
    struct client *clients;
    struct client *closed; /* freed after the epoll batch that may still name them */
    unsigned nclients;
    const char *log_dir;
    long log_cap;
    const char *store_path;
    struct xsc *store; /* NULL while lamstored is not reachable */
    struct hvctl *hv;
};

/* "lamconsoled: ..." on stderr. */
void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t now_ms(void);

/* xen.c: the devices. */
int xen_open(void);
int xen_evtchn_fd(void);
/* Maps domid's grant reference 0 and binds its port; 0 or an errno value (why says what). */
int xen_attach(struct cdom *d, const char **why);
void xen_detach(struct cdom *d);
void xen_notify(const struct cdom *d);
void xen_unmask(uint32_t local_port);

/* domain.c: serving one domain's ring. */
struct cdom *dom_find(struct daemon *dm, uint16_t domid);
struct cdom *dom_by_name(struct daemon *dm, const char *name);
/* Takes the guest's output (at most OUTPUT_BUDGET) to the log, history and clients, and
 * puts pending input in; notifies the guest when anything moved. */
void dom_pump(struct daemon *dm, struct cdom *d);
/* A port fired: rate limit, pump, unmask (or leave masked until the window ends). */
void dom_event(struct daemon *dm, uint32_t local_port);
/* Ports the rate limit holds: served and unmasked once their window ended. Returns the
 * earliest time one is still held until (0: none). */
uint64_t dom_release_masked(struct daemon *dm);
/* Starts serving domid if its console nodes are there and sane. */
void dom_setup(struct daemon *dm, struct cdom *d);
void dom_remove(struct daemon *dm, struct cdom *d);

/* store.c: finding domains. */
void store_connect(struct daemon *dm);
int store_fd(const struct daemon *dm);
/* Handles the watch events that arrived; rescans when they ask for it. */
void store_events(struct daemon *dm);
/* Compares the hypervisor's domain list with ours: new ones set up, gone ones removed. */
void scan_domains(struct daemon *dm);
/* Reads /local/domain/N/<key> into buf (NUL-terminated); 0 or an errno value. */
int store_read(struct daemon *dm, uint16_t domid, const char *key, char *buf, unsigned len);
void store_watch_console(struct daemon *dm, struct cdom *d, bool on);

/* client.c: the attach socket. */
int clients_listen(struct daemon *dm, const char *path);
void clients_accept(struct daemon *dm);
void client_event(struct daemon *dm, struct client *c, uint32_t events);
/* New output for d's clients (bounded per client). */
void clients_output(struct daemon *dm, struct cdom *d, const char *buf, size_t n);
/* d's input queue has room again: listen to its clients' keyboards. */
void clients_input_room(struct daemon *dm, struct cdom *d);
/* d is gone: what is queued is sent as far as the clients take it, then they are closed. */
void clients_domain_gone(struct daemon *dm, struct cdom *d);
/* Clients that never said which domain they want. */
void clients_expire(struct daemon *dm);
/* Frees the clients closed during the last epoll batch. */
void clients_reap(struct daemon *dm);

/* The epoll tag of each descriptor. */
enum tag_kind { TAG_SIGNAL, TAG_EVTCHN, TAG_STORE, TAG_LISTEN, TAG_CLIENT };
struct tag {
    enum tag_kind kind;
    struct client *client;
};

#endif
