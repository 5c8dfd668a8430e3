/* SPDX-License-Identifier: GPL-2.0-only */
/* Private to libdomcfg: shared helpers of the passes. */
#ifndef DOMCFG_INTERNAL_H
#define DOMCFG_INTERNAL_H

#include "domcfg.h"

#include <libxml/tree.h>
#include <stdarg.h>

/* ---- enum <-> string tables (enums.c) ---- */
struct domcfg_enum_name {
    int value;
    const char *name;
};
extern const struct domcfg_enum_name domcfg_lifecycle_names[];
extern const struct domcfg_enum_name domcfg_placement_names[];
extern const struct domcfg_enum_name domcfg_clock_names[];
extern const struct domcfg_enum_name domcfg_os_type_names[];
extern const struct domcfg_enum_name domcfg_disk_type_names[];
extern const struct domcfg_enum_name domcfg_disk_device_names[];
extern const struct domcfg_enum_name domcfg_driver_names[];
extern const struct domcfg_enum_name domcfg_format_names[];
extern const struct domcfg_enum_name domcfg_net_type_names[];
extern const struct domcfg_enum_name domcfg_balloon_names[];
/* Returns the value, or -1 when `name` is not in the table. */
int domcfg_enum_parse(const struct domcfg_enum_name *table, const char *name);
/* Returns the name, or "?" for a value not in the table (a bug). */
const char *domcfg_enum_name(const struct domcfg_enum_name *table, int value);
/* "a, b, c" for messages; static storage. */
const char *domcfg_enum_list(const struct domcfg_enum_name *table, char *buf, size_t len);

/* ---- small value parsers and printers (values.c) ---- */
/* Decimal unsigned without sign, spaces or overflow. */
int domcfg_parse_u64(const char *s, uint64_t *out);
/* Memory size in libvirt units -> KiB, rounded up. Returns 0, -1 bad unit, -2 overflow. */
int domcfg_memory_to_kib(uint64_t value, const char *unit, uint64_t *kib);
/* "0-3,^2,8" -> bitmap. Returns 0 or -1 (with *why set) on syntax or range errors. */
int domcfg_cpuset_parse(const char *s, struct domcfg_cpuset *set, const char **why);
/* bitmap -> "0-1,3" into buf. */
void domcfg_cpuset_format(const struct domcfg_cpuset *set, char *buf, size_t len);
bool domcfg_cpuset_empty(const struct domcfg_cpuset *set);
/* "00:16:3e:01:02:03" (one or two hex digits each) -> bytes. */
int domcfg_mac_parse(const char *s, uint8_t mac[6]);
void domcfg_mac_format(const uint8_t mac[6], char buf[18]);
/* Text XML 1.0 can carry: strict UTF-8 without control characters (tab, CR, LF allowed). */
bool domcfg_text_ok(const char *s);
/* UUID with or without dashes -> bytes. */
int domcfg_uuid_parse(const char *s, uint8_t uuid[16]);
void domcfg_uuid_format(const uint8_t uuid[16], char buf[37]);

/* ---- growable string (strbuf.c) ---- */
struct domcfg_strbuf {
    char *data;
    size_t len;
    size_t cap;
    bool oom;
};
void domcfg_sb_init(struct domcfg_strbuf *sb);
void domcfg_sb_add(struct domcfg_strbuf *sb, const char *s);
void domcfg_sb_addn(struct domcfg_strbuf *sb, const char *s, size_t n);
void domcfg_sb_printf(struct domcfg_strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* XML-escape for text (quote=false) or a single-quoted attribute value (quote=true). */
void domcfg_sb_escape(struct domcfg_strbuf *sb, const char *s, bool quote);
/* The string, ownership to the caller; NULL when an allocation failed. */
char *domcfg_sb_finish(struct domcfg_strbuf *sb);

/* ---- extras (domain.c) ---- */
/* True unless a test installed its own random source. */
bool domcfg_random_is_default(void);

int domcfg_extras_add(struct domcfg_extras *ex, char *xml); /* takes ownership */
void domcfg_extras_free(struct domcfg_extras *ex);

/* Domain names (and backend domain names): 1-64 of [A-Za-z0-9_.+:-], not starting with '.'. */
bool domcfg_name_ok(const char *s);

/* Xen PV disk names: "xvd" and 1 to 13 lowercase letters ("xvda", "xvdaa"). */
bool domcfg_disk_target_ok(const char *s);

/* ---- messages ---- */
/* "source:line: " or "source: " when line is 0. */
void domcfg_diag_at(struct domcfg_diags *d, enum domcfg_severity sev, const char *source, int line,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Whole file into memory (NUL-terminated), at most max bytes; NULL + error otherwise. */
char *domcfg_read_file(const char *path, size_t max, size_t *len, struct domcfg_diags *diags);

/* ---- per-thread libxml2 contexts (thread_state.c); NULL when out of memory ---- */
#include <libxml/parser.h>
#include <libxml/relaxng.h>
xmlParserCtxtPtr domcfg_thread_parser(void);
xmlRelaxNGValidCtxtPtr domcfg_thread_validator(xmlRelaxNGPtr schema);

/* ---- schema (schema.c) ---- */
/* The text of domain.rng, generated into schema_data.c by the Makefile. */
extern const char domcfg_schema_text[];
/* Validate a document against the cached schema; returns the number of errors added. */
int domcfg_schema_check(xmlDocPtr doc, const char *source, struct domcfg_diags *diags);

/* ---- libvirt elements Lamina keeps but does not model (extras_known.c) ---- */
/* True when libvirt accepts <name> inside <parent>. */
bool domcfg_libvirt_knows(const char *parent, const char *name);

#endif
