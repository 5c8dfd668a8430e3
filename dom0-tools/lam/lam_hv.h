/* SPDX-License-Identifier: GPL-2.0-only */
/* lam's glue to libhvctl: reaching the hypervisor and naming running domains. */
#ifndef LAM_HV_H
#define LAM_HV_H

#include <stdint.h>

#include "hvctl.h"
#include "lam.h"

/* Open the hypervisor handle, or print why not ("lam: <cmd>: cannot reach the hypervisor: ...")
 * and return NULL. */
struct hvctl *lam_hv_open(const struct lam_args *args);

/* A running domain named on the command line: its numeric id (0..32751), or "Domain-0".
 * Prints a usage error and returns LAM_EXIT_USAGE when it is neither. */
int lam_parse_domid(const struct lam_args *args, const char *s, uint16_t *out);

/* A set of physical CPUs on the command line: "all", or numbers and ranges ("0,2-3"), each
 * below 64. Prints a usage error and returns LAM_EXIT_USAGE otherwise. */
int lam_parse_cpus(const struct lam_args *args, const char *s, uint64_t *mask);

/* Print "lam: <cmd>: <what> <domid>: <hypervisor's reason>"; returns LAM_EXIT_FAILURE. */
int lam_fail_hv(const struct lam_args *args, const char *what, uint16_t domid, int rc);

/* For commands whose only argument is the domain (argv[0]): its id, then the hypervisor
 * handle. LAM_EXIT_OK, or the exit code after printing why. */
int lam_open_domain(const struct lam_args *args, uint16_t *id, struct hvctl **h);

/* The whole of a command "lam <cmd> ID" that makes one call: parse ID, open the hypervisor,
 * call op, print "Domain <id> <done>" or "lam: <cmd>: <failed>: domain <id>: <why>". */
int lam_run_domain_op(const struct lam_args *args, int (*op)(struct hvctl *h, uint16_t domid),
                      const char *failed, const char *done);

/* The name `lam list` shows for a running domain. */
void lam_running_name(uint16_t domid, char *buf, unsigned int len);

#endif
