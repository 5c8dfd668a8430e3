/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * attach-disk and detach-disk (disk_hotplug.c): where a change goes, virsh's way, and the
 * pieces both commands share (the running domain by name in the store, the definition and
 * the running domain's recorded XML edited through libdomcfg).
 */
#ifndef LAM_DISK_H
#define LAM_DISK_H

#include <stdbool.h>
#include <stdint.h>

#include "domcfg.h"
#include "lam.h"

struct xsc;

/* The options every hot-plug command has: --live, --config, --persistent, --current. */
#define LAM_DISK_SCOPE_OPTIONS                                                                     \
    {"live", 0, NULL, "the running domain only (it must be running)", LAM_COMPLETE_NONE, NULL},    \
        {"config",          0,   NULL, "the definition only (it must be defined; next start)",     \
         LAM_COMPLETE_NONE, NULL},                                                                 \
        {"persistent",                                                                             \
         0,                                                                                        \
         NULL,                                                                                     \
         "the running domain and its definition (virsh's --persistent)",                           \
         LAM_COMPLETE_NONE,                                                                        \
         NULL},                                                                                    \
        {"current",                                                                                \
         0,                                                                                        \
         NULL,                                                                                     \
         "the running domain if it runs, else its definition (default)",                           \
         LAM_COMPLETE_NONE,                                                                        \
         NULL},                                                                                    \
        LAM_OPTION_STATE_DIR

/* Where a change goes, decided from the options and from whether the domain runs and is
 * defined. */
struct lam_disk_scope {
    bool live, config;
    bool running;
    uint16_t domid;
    struct domcfg_domain *def; /* the definition, when config (freed by lam_disk_scope_free) */
    struct xsc *xs;            /* the store, when live */
};

/* The options alone (before anything is looked at): LAM_EXIT_USAGE after a message. */
int lam_disk_scope_check(const struct lam_args *args);
/* Decides the scope (prints why not and returns LAM_EXIT_USAGE or LAM_EXIT_FAILURE: an
 * unknown domain, --live on one that is not running, --config on one not defined). */
int lam_disk_scope(const struct lam_args *args, const char *name, struct lam_disk_scope *s);
void lam_disk_scope_free(struct lam_disk_scope *s);

/* The definition with the disk added (or the disk whose target is TARGET removed), saved. */
int lam_disk_config_add(const struct lam_args *args, struct lam_disk_scope *s,
                        const struct domcfg_disk *d);
int lam_disk_config_remove(const struct lam_args *args, struct lam_disk_scope *s,
                           const char *target);
/* The running domain's recorded XML (what dumpxml shows) edited the same way; a warning
 * only when it cannot be (the disk itself is attached or detached by then). */
void lam_disk_record_add(const struct lam_args *args, struct lam_disk_scope *s,
                         const struct domcfg_disk *d);
void lam_disk_record_remove(const struct lam_args *args, struct lam_disk_scope *s,
                            const char *target);

#endif
