/* SPDX-License-Identifier: GPL-2.0-only */
/* Inside libdombuild: a domain's store nodes (store.c). */
#ifndef LAMINA_DOMBUILD_STORE_H
#define LAMINA_DOMBUILD_STORE_H

#include <stddef.h>
#include <stdint.h>

struct xsc;
struct dombuild_config;
struct dombuild_disk;

struct store_domain {
    const struct dombuild_config *cfg;
    char uuid[37];
    uint64_t store_mfn, console_mfn;
    unsigned int store_port, console_port;
};

/* The store daemon's socket (path, else $XENSTORED_PATH, else the default); NULL with why. */
struct xsc *store_open(const char *path, char *why, size_t whylen);
/* Every node of a new domain, in one transaction. 0 or -errno. */
int store_write_domain(struct xsc *h, unsigned int domid, const struct store_domain *s);
/* One disk's directories added to a running domain, in one transaction: -ENOENT without
 * the domain's directory, -EEXIST when either directory of the target is there. */
int store_attach_disk(struct xsc *h, unsigned int domid, const struct dombuild_disk *d, long devid);
/* Remove them all again (best effort: what is absent is skipped). */
void store_remove_domain(struct xsc *h, unsigned int domid);

struct store_entry {
    uint16_t domid;
    char name[65];
    char uuid[37];
};
/* The domUs with a /local/domain/N directory; *out malloc'd. 0 or -errno. */
int store_domains(struct xsc *h, struct store_entry **out, size_t *count);

#endif
