/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The RelaxNG schema (domain.rng). It is compiled into the library at build time
 * (schema_data.c, generated from domain.rng by the Makefile) so that lam, the tests and the
 * fuzzer need no installed file; $LAMINA_SCHEMA points at another copy, for trying a schema
 * change without rebuilding. The compiled schema is cached for the process: compiling it
 * costs far more than validating a document.
 *
 * The parser checks structure and values first, with messages that name the element and the
 * expectation; the schema is the formal definition of what we accept and runs afterwards as
 * the gate. Its messages (libxml2's) are only seen when the two disagree, which is a bug the
 * fuzzer looks for.
 */
#include "domcfg_internal.h"

#include <libxml/relaxng.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The compiled schema is shared (read-only once built); validation contexts are per thread
 * (thread_state.c). */
static pthread_mutex_t schema_lock = PTHREAD_MUTEX_INITIALIZER;
static xmlRelaxNGPtr schema;

struct schema_errors {
    const char *source;
    struct domcfg_diags *diags;
    int count;
};

static void collect_error(void *data, xmlErrorPtr err)
{
    struct schema_errors *se = data;
    char msg[512];
    const char *elem = NULL;

    if (!err || !err->message)
        return;
    snprintf(msg, sizeof(msg), "%s", err->message);
    msg[strcspn(msg, "\n")] = '\0';
    if (err->node && ((xmlNodePtr)err->node)->type == XML_ELEMENT_NODE)
        elem = (const char *)((xmlNodePtr)err->node)->name;
    if (elem)
        domcfg_diag_at(se->diags, DOMCFG_ERROR, se->source, err->line, "<%s> %s (schema)", elem,
                       msg);
    else
        domcfg_diag_at(se->diags, DOMCFG_ERROR, se->source, err->line, "%s (schema)", msg);
    se->count++;
}

static void collect_load_error(void *data, xmlErrorPtr err)
{
    struct schema_errors *se = data;

    if (err && err->message) {
        domcfg_diag_add(se->diags, DOMCFG_ERROR, "%s:%d: %.*s", se->source, err->line,
                        (int)strcspn(err->message, "\n"), err->message);
        se->count++;
    }
}

static xmlRelaxNGPtr compile_schema(struct domcfg_diags *diags)
{
    const char *path = getenv("LAMINA_SCHEMA");
    struct schema_errors se = {path && *path ? path : "domain.rng (built in)", diags, 0};
    xmlRelaxNGParserCtxtPtr pctx =
        path && *path
            ? xmlRelaxNGNewParserCtxt(path)
            : xmlRelaxNGNewMemParserCtxt(domcfg_schema_text, (int)strlen(domcfg_schema_text));
    if (!pctx) {
        domcfg_diag_add(diags, DOMCFG_ERROR, "%s: cannot read the schema", se.source);
        return NULL;
    }
    xmlRelaxNGSetParserStructuredErrors(pctx, collect_load_error, &se);
    xmlRelaxNGPtr compiled = xmlRelaxNGParse(pctx);
    xmlRelaxNGFreeParserCtxt(pctx);
    if (!compiled && se.count == 0)
        domcfg_diag_add(diags, DOMCFG_ERROR, "%s: the schema does not compile", se.source);
    return compiled;
}

int domcfg_schema_load(struct domcfg_diags *diags)
{
    pthread_mutex_lock(&schema_lock);
    if (!schema)
        schema = compile_schema(diags);
    xmlRelaxNGPtr compiled = schema;
    pthread_mutex_unlock(&schema_lock);
    return compiled ? 0 : -1;
}

int domcfg_schema_check(xmlDocPtr doc, const char *source, struct domcfg_diags *diags)
{
    struct schema_errors se = {source, diags, 0};

    if (domcfg_schema_load(diags) < 0)
        return 1;
    xmlRelaxNGValidCtxtPtr schema_validator = domcfg_thread_validator(schema);
    if (!schema_validator) {
        domcfg_diag_at(diags, DOMCFG_ERROR, source, 0, "out of memory");
        return 1;
    }
    xmlRelaxNGSetValidStructuredErrors(schema_validator, collect_error, &se);
    int rc = xmlRelaxNGValidateDoc(schema_validator, doc);
    xmlRelaxNGSetValidStructuredErrors(schema_validator, NULL, NULL);
    diags->schema_errors += (size_t)se.count;
    if (rc != 0 && se.count == 0) {
        domcfg_diag_at(diags, DOMCFG_ERROR, source, 0, "the document does not match the schema");
        se.count = 1;
    }
    return se.count;
}
