/* SPDX-License-Identifier: GPL-2.0-only */
/* lam's glue to libdomlife: the hypervisor and the store together, names of running domains,
 * the lifecycle log and the per-domain monitor process. */
#ifndef LAM_LIFE_H
#define LAM_LIFE_H

#include <stdint.h>

#include "domlife.h"
#include "lam.h"

struct lam_life {
    struct hvctl *hv;
    struct xsc *xs;
    struct life l;
};

/* Open the hypervisor and the store, or print why not and return LAM_EXIT_FAILURE. */
int lam_life_open(const struct lam_args *args, struct lam_life *ll);
void lam_life_close(struct lam_life *ll);

/* A running domain by name, UUID or id; prints "no running domain ..." when none. */
int lam_life_domain(const struct lam_args *args, struct lam_life *ll, const char *what,
                    uint16_t *domid);

/* Open ll, find the running domain argv[0] and read its facts into *info. LAM_EXIT_OK with
 * ll open (the caller closes it); otherwise the failure is printed and ll is closed. */
int lam_life_domain_info(const struct lam_args *args, struct lam_life *ll, uint16_t *domid,
                         struct life_info *info);

/*
 * A change to a running domain's resources (mem-set, mem-max, vcpu-set): opens the hypervisor
 * and the store, finds the running domain argv[0], applies change(l, domid, value) and closes.
 * LAM_EXIT_OK with *domid set when it was applied; LAM_LIFE_OUT_OF_RANGE when libdomlife
 * refused the value (ERANGE), with the domain's *info for the caller to name the limit;
 * otherwise the failure is printed and LAM_EXIT_FAILURE returned.
 */
#define LAM_LIFE_OUT_OF_RANGE (-1)
typedef int (*lam_life_change_fn)(struct life *l, uint16_t domid, uint64_t value);
int lam_life_change(const struct lam_args *args, lam_life_change_fn change, uint64_t value,
                    uint16_t *domid, struct life_info *info);

/* The name to show for a running domain: its store name, else "Domain-0" or "d<id>". */
void lam_life_name(struct lam_life *ll, uint16_t domid, char *buf, unsigned int len);

/* Print "lam: <cmd>: <what>: <why>" for an errno from libdomlife (naming lamstored when it
 * did not answer); returns LAM_EXIT_FAILURE. */
int lam_life_fail(const struct lam_args *args, const char *what, int err);

/* The store socket lam uses for names in listings, quietly: NULL when no store daemon
 * answers (within LAM_DAEMON_TIMEOUT_MS). */
struct xsc *lam_store_try_open(void);

/* Sizes on the command line, as xl takes them: a number with an optional unit k, m, g or t
 * (also K/KiB/M/MiB...; none: MiB). Prints a usage error and returns LAM_EXIT_USAGE. */
int lam_parse_size_kib(const struct lam_args *args, const char *s, uint64_t *kib);
/* A positive count. */
int lam_parse_count(const struct lam_args *args, const char *what, const char *s,
                    unsigned int *out);

/* The lifecycle log: $LAMINA_LOG_DIR (default /var/log/lamina) /lifecycle.log. */
void lam_life_log_line(struct life *l, const char *line);

/* The domain builder (libdombuild): builds, records the config and starts a domain from its
 * XML; and the toolstack's destroy (store nodes, XS_RELEASE, destroydomain). Positive errno. */
extern int (*const lam_builder)(struct life *l, const char *xml, uint16_t *domid);
extern int (*const lam_destroyer)(struct life *l, uint16_t domid);

/* Start a monitor process for domid, detached from the terminal (xl forks one per domain the
 * same way). Returns once it watches the domain (its pid in *pid), or LAM_EXIT_FAILURE after
 * printing why. */
int lam_monitor_spawn(const struct lam_args *args, uint16_t domid, int *pid);
/* Run the monitor in this process until the domain's life is over; writes one byte to
 * ready_fd (if >= 0) once it is watching. Returns an exit status. */
int lam_monitor_serve(uint16_t domid, int ready_fd);

#endif
