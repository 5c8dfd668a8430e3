/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libdomlife: the lifecycle of running domains, between the hypervisor (libhvctl) and the
 * store (libxsclient), following Xen's toolstack contract:
 *
 *   finding     a running domain by name, UUID or id (/local/domain/N/{name,vm});
 *   asking      the guest to power off or reboot (control/shutdown), to balloon
 *               (memory/target), to hot(un)plug vCPUs (cpu/K/availability);
 *   observing   its answer through @releaseDomain and getdomaininfo's shutdown flag/reason;
 *   monitoring  one domain for its whole life and applying <on_poweroff>, <on_reboot> and
 *               <on_crash> (destroy, restart, preserve, ...) when it stops.
 *
 * What the toolstack keeps about a running domain lives in the store, dom0-only:
 * /lamina/domain/N/config (its normalised XML), /lamina/domain/N/on_{poweroff,reboot,crash}
 * and /lamina/domain/N/monitor (the pid of the process watching it).
 *
 * Building and tearing down domains is not done here: the caller supplies them (struct
 * life_ops), as it supplies how to wait for store events, so tests can run the whole
 * logic against a simulated hypervisor and a scripted event source.
 *
 * Calls return 0 or a positive errno value: ENOENT no such domain (or node), ERANGE a value
 * outside what the domain allows, ETIMEDOUT the wait ran out, others from the store or the
 * hypervisor (negative hypervisor results are turned positive).
 */
#ifndef DOMLIFE_H
#define DOMLIFE_H

#include <stdbool.h>
#include <stdint.h>

#include "hvctl.h"
#include "xsclient.h"

#define LIFE_NAME_MAX 64

/* What to do when a domain stops: libvirt's <on_*> values. */
enum life_action {
    LIFE_DESTROY,
    LIFE_RESTART,
    LIFE_PRESERVE,
    LIFE_RENAME_RESTART,
    LIFE_COREDUMP_DESTROY,
    LIFE_COREDUMP_RESTART,
};

struct life_actions {
    enum life_action on_poweroff, on_reboot, on_crash;
};

/* libvirt's defaults: destroy, restart, destroy. */
extern const struct life_actions life_default_actions;

/* "destroy", "restart", "preserve", "rename-restart", "coredump-destroy", "coredump-restart". */
const char *life_action_name(enum life_action a);
int life_action_parse(const char *s, enum life_action *out);

/* The action a shutdown reason (LAM_SHUTDOWN_*) calls for: poweroff -> on_poweroff, reboot
 * -> on_reboot, crash and watchdog -> on_crash, soft_reset -> restart. suspend is not an end
 * of life (a save in progress): *act is left alone and false returned. */
bool life_action_for(const struct life_actions *acts, unsigned int reason, enum life_action *act);

struct life;

/* Supplied by the caller. Every function gets ops->ctx. */
struct life_ops {
    /* Wait up to timeout_ms (-1 forever) for a store event that may mean a domain changed
     * (@releaseDomain, @introduceDomain). 0 when one came, ETIMEDOUT, or an errno. NULL: the
     * library's own, reading the watches life_watch_domains() set. */
    int (*wait)(struct life *l, int timeout_ms);
    /* Tear a domain down: its store nodes, the store's connection to it, the domain. */
    int (*destroy)(struct life *l, uint16_t domid);
    /* Build and start a domain from its normalised XML; its id in *domid. NULL: restarting
     * is not possible (the monitor says so and destroys instead). */
    int (*build)(struct life *l, const char *xml, uint16_t *domid);
    /* One line of the lifecycle log (no newline). NULL: stderr. */
    void (*log)(struct life *l, const char *line);
    /* Milliseconds of a monotonic clock. NULL: CLOCK_MONOTONIC. */
    uint64_t (*now_ms)(struct life *l);
    void *ctx;
};

struct life {
    struct hvctl *hv;
    struct xsc *xs;
    struct life_ops ops;
    bool watching; /* life_watch_domains() done */
};

/* Set up l (no allocation): hv and xs stay the caller's. */
void life_init(struct life *l, struct hvctl *hv, struct xsc *xs, const struct life_ops *ops);
/* Watch @releaseDomain and @introduceDomain on l->xs (once). The store fires each watch once
 * when it is set, so a change that happened just before is not missed. */
int life_watch_domains(struct life *l);
/* Watch @releaseDomain only (once), and count that as life_watch_domains() done: what a
 * monitor needs (a domain that shuts down, crashes or dies fires it). Not watching
 * @introduceDomain spares every monitor a wakeup at each create, which made the create
 * time grow with the number of running domains. */
int life_watch_releases(struct life *l);
/* ops->wait, or the library's wait on l->xs. */
int life_wait_event(struct life *l, int timeout_ms);
/* ops->now_ms, or CLOCK_MONOTONIC in milliseconds. */
uint64_t life_now_ms(struct life *l);
/* printf into the lifecycle log. */
void life_log(struct life *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- finding and describing running domains ---- */

/* A running domain by name, UUID, or id ("Domain-0" is 0). ENOENT when none. */
int life_find(struct life *l, const char *what, uint16_t *domid);

struct life_info {
    struct hvctl_dominfo hv;
    char name[LIFE_NAME_MAX + 1]; /* "" when the store has none (a boot-time domain) */
    char uuid[37];                /* "" when unknown */
    uint64_t target_kib;          /* memory/target; 0 unknown */
    uint64_t static_max_kib;      /* memory/static-max; 0 unknown */
    unsigned int vcpus_max;       /* max_vcpu_id + 1 */
    unsigned int vcpus_available; /* cpu/K/availability = online; 0 unknown */
    bool has_actions;             /* /lamina/domain/N/on_* were found */
    struct life_actions actions;  /* life_default_actions when not */
    double start_time;            /* /vm/UUID/start_time (seconds since the epoch); 0 unknown */
    int monitor_pid;              /* 0 none recorded */
};

/* Everything the hypervisor and the store know about one domain (ENOENT if it is gone). */
int life_get_info(struct life *l, uint16_t domid, struct life_info *out);

/* /lamina/domain/N/config, malloc'd (ENOENT: the domain was not started by lam). */
int life_running_config(struct life *l, uint16_t domid, char **xml);

/* Record what the toolstack keeps for domain N (config, actions) under /lamina/domain/N,
 * readable by dom0 only. Called by whoever starts a domain. */
int life_record(struct life *l, uint16_t domid, const char *xml, const struct life_actions *acts);

/* The toolstack's destroy (Xen's libxl order): pause, remove /local/domain/N, /vm/UUID (unless
 * another live domain still uses that UUID) and /lamina/domain/N, then destroydomain. The
 * store daemon notices the dying domain and drops its connection. ENOENT when no such domain;
 * store nodes of a domain the hypervisor no longer has are removed all the same. */
int life_destroy(struct life *l, uint16_t domid);

/* ---- asking the guest ---- */

/* control/shutdown = "poweroff" | "reboot" | "halt". */
int life_request_shutdown(struct life *l, uint16_t domid, const char *what);
/* control/sysrq = key (one printable character), as `xl sysrq`: Linux runs that magic SysRq
 * (e.g. 'c' crashes it, 's' syncs) and clears the node. EINVAL for another key. */
int life_sysrq(struct life *l, uint16_t domid, char key);
/* Balloon target in KiB: max_mem follows (target + 1 MiB, as xl does), then memory/target
 * and /vm/UUID/memory (MiB). ERANGE above memory/static-max or below 1 MiB. */
int life_mem_set(struct life *l, uint16_t domid, uint64_t kib);
/* Memory ceiling in KiB: domctl max_mem (kib + 1 MiB) and memory/static-max. ERANGE below
 * the current memory/target. */
int life_mem_max(struct life *l, uint16_t domid, uint64_t kib);
/* vCPUs 0..n-1 online, the rest offline (cpu/K/availability). ERANGE when n is 0 or above
 * the domain's maximum. */
int life_vcpu_set(struct life *l, uint16_t domid, unsigned int n);

/* ---- waiting for the answer ---- */

enum life_down {
    LIFE_UP,       /* still running (or paused) */
    LIFE_SHUTDOWN, /* shut down, not yet destroyed: reason in *reason */
    LIFE_GONE,     /* dying or no longer there */
};

/* Where the domain is now. */
int life_state(struct life *l, uint16_t domid, enum life_down *st, unsigned int *reason);

/* Wait until domain domid is gone, or shut down for a reason its actions preserve (the
 * domain will then stay), for up to timeout_ms. *st and *reason say which. ETIMEDOUT when
 * it is still running then. */
int life_wait_down(struct life *l, uint16_t domid, int timeout_ms, enum life_down *st,
                   unsigned int *reason);

/* Wait for a running domain with this UUID and an id other than old_id (a restart); its id
 * in *domid. ETIMEDOUT. */
int life_wait_successor(struct life *l, const char *uuid, uint16_t old_id, int timeout_ms,
                        uint16_t *domid);

/* ---- the monitor: one domain, its whole life ---- */

struct life_monitor {
    uint16_t domid;
    int pid; /* recorded as /lamina/domain/N/monitor for each incarnation; 0: none */
    char name[LIFE_NAME_MAX + 1];
    char uuid[37];
    char *config; /* the normalised XML (for restarts); may be NULL */
    struct life_actions actions;
    uint64_t started_ms; /* when the current incarnation started (ops->now_ms) */
    unsigned int fast;   /* consecutive restarts of incarnations that lived < LIFE_FAST_MS */
    unsigned int restarts;
    bool preserved; /* the domain is kept shut down until someone destroys it */
};

/* An incarnation that stops within this many ms of starting counts as a fast restart;
 * after LIFE_FAST_MAX of them in a row the monitor preserves the domain instead of
 * restarting it again (a guest crashing at boot would otherwise loop forever). */
#define LIFE_FAST_MS  10000
#define LIFE_FAST_MAX 5

/* Read what the store keeps about domid into m (and record this process as its monitor in
 * /lamina/domain/N/monitor). */
int life_monitor_init(struct life *l, struct life_monitor *m, uint16_t domid, int pid);
void life_monitor_free(struct life_monitor *m);

enum life_step {
    LIFE_MON_CONTINUE, /* still something to watch (m->domid may have changed) */
    LIFE_MON_DONE,     /* the domain is gone: the monitor's work is over */
};

/* Look at the domain once and act on what it shows. */
enum life_step life_monitor_check(struct life *l, struct life_monitor *m);
/* check, wait for an event, check... until DONE. Returns 0, or an errno when waiting fails. */
int life_monitor_run(struct life *l, struct life_monitor *m);

#endif
