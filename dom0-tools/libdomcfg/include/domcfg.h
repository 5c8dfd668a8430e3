/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libdomcfg: Lamina domain configuration (libvirt-style domain XML for Xen PV guests).
 *
 * A domain travels through separate passes, as in libvirt (domain_conf / postparse /
 * validate):
 *   parse     XML text -> struct domcfg_domain (schema check with our RelaxNG schema first)
 *   defaults  fill what the user left out (UUID, MACs, currentMemory, console, ...)
 *   validate  semantic rules the schema cannot express (vCPU counts, unique targets, MACs)
 *   format    struct -> normalised XML (elements we do not model are written back verbatim)
 * plus conversion from and to Xen's xl.cfg format and a persistent definitions store.
 *
 * Problems are collected in a struct domcfg_diags rather than printed, each rendered as
 * "file:line: <element attr='value'> what was expected", so a caller can print them all.
 */
#ifndef DOMCFG_H
#define DOMCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domcfg_types.h"

/* ---- diagnostics ---- */

enum domcfg_severity { DOMCFG_WARNING, DOMCFG_ERROR };

struct domcfg_diag {
    enum domcfg_severity severity;
    char *text; /* complete message, e.g. "web.xml:12: <vcpu current='4'> exceeds ..." */
};

struct domcfg_diags {
    struct domcfg_diag *items;
    size_t count;
    size_t cap;
    size_t errors; /* number of DOMCFG_ERROR items */
    /* Errors the schema found in a document the parser had accepted. The parser checks
     * everything the schema does (with better messages), so a non-zero count is a parser
     * bug; the fuzzer watches it. */
    size_t schema_errors;
};

void domcfg_diags_init(struct domcfg_diags *d);
void domcfg_diags_free(struct domcfg_diags *d);
void domcfg_diag_add(struct domcfg_diags *d, enum domcfg_severity sev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- the passes ---- */

/* Parse XML text. `source` names the input in messages (a file name). Returns NULL with at
 * least one error in diags on failure. Warnings (ignored elements) may be added either way. */
struct domcfg_domain *domcfg_parse_xml(const char *buf, size_t len, const char *source,
                                       struct domcfg_diags *diags);
struct domcfg_domain *domcfg_parse_xml_file(const char *path, struct domcfg_diags *diags);

/* Fill defaults. Returns 0, or -1 (with an error) when randomness is unavailable. */
int domcfg_fill_defaults(struct domcfg_domain *dom, struct domcfg_diags *diags);

/* Semantic checks; returns the number of errors added. */
int domcfg_validate(const struct domcfg_domain *dom, struct domcfg_diags *diags);

/* parse + defaults + validate: what every command that reads a file wants. */
struct domcfg_domain *domcfg_load_file(const char *path, struct domcfg_diags *diags);
struct domcfg_domain *domcfg_load_xml(const char *buf, size_t len, const char *source,
                                      struct domcfg_diags *diags);

/* Normalised XML, malloc'd, NUL-terminated; NULL only when out of memory. */
char *domcfg_format_xml(const struct domcfg_domain *dom);

void domcfg_domain_free(struct domcfg_domain *dom);

/* ---- xl.cfg ---- */

/* Parse an xl.cfg text into a domain (defaults not yet filled). */
struct domcfg_domain *domcfg_parse_xl(const char *buf, size_t len, const char *source,
                                      struct domcfg_diags *diags);
/* Write a domain as xl.cfg; settings xl cannot express become warnings. */
char *domcfg_format_xl(const struct domcfg_domain *dom, struct domcfg_diags *diags);

/* "4dea22b3-1d52-d8f3-2516-782e98ab3fa0" */
void domcfg_uuid_to_string(const uint8_t uuid[16], char buf[37]);

/* ---- randomness (UUIDs, MACs) ---- */

/* Fill buf with random bytes; returns 0 or -1. The default reads the kernel's generator;
 * tests install a deterministic source for golden output. NULL restores the default. */
typedef int (*domcfg_random_fn)(void *buf, size_t len);
void domcfg_set_random_source(domcfg_random_fn fn);
int domcfg_random_bytes(void *buf, size_t len);

/* ---- schema ---- */

/* Where the RelaxNG schema comes from: $LAMINA_SCHEMA when set, otherwise the copy compiled
 * into the library (generated at build time from domain.rng). Returns 0, or -1 with an error
 * when the schema cannot be loaded. Loaded once per process and cached. */
int domcfg_schema_load(struct domcfg_diags *diags);

/* ---- definitions store ---- */

/* One definition per file <state-dir>/domains/<name>.xml, written atomically (temp file in
 * the same directory, fsync, rename, fsync of the directory): a crash leaves either the old
 * or the new definition, never half of one. */
struct domcfg_store;

struct domcfg_store *domcfg_store_open(const char *state_dir, struct domcfg_diags *diags);
void domcfg_store_close(struct domcfg_store *store);

/* Define (or redefine, same name and UUID) a validated domain. Refused when another
 * definition has the same name with a different UUID, or the same UUID under another name. */
int domcfg_store_define(struct domcfg_store *store, const struct domcfg_domain *dom,
                        struct domcfg_diags *diags);
/* Remove by name or UUID string. */
int domcfg_store_undefine(struct domcfg_store *store, const char *name_or_uuid,
                          struct domcfg_diags *diags);
/* Load one definition by name or UUID string; NULL with an error when absent. */
struct domcfg_domain *domcfg_store_lookup(struct domcfg_store *store, const char *name_or_uuid,
                                          struct domcfg_diags *diags);

struct domcfg_store_entry {
    char name[DOMCFG_NAME_MAX + 1];
    char uuid[37];
};
/* All definitions sorted by name; *entries is malloc'd. Returns 0 or -1. */
int domcfg_store_list(struct domcfg_store *store, struct domcfg_store_entry **entries,
                      size_t *count, struct domcfg_diags *diags);

#endif
