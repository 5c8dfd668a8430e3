/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-thread libxml2 state: a parser context (reset between documents, it keeps its name
 * dictionary, which saves most of a parse's allocations) and a RelaxNG validation context
 * (it holds per-run state; the compiled schema itself is shared). Freed when the thread exits.
 */
#include "domcfg_internal.h"

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <pthread.h>
#include <stdlib.h>

struct thread_state {
    xmlParserCtxtPtr parser;
    xmlRelaxNGValidCtxtPtr validator;
};

static pthread_key_t state_key;
static pthread_once_t state_once = PTHREAD_ONCE_INIT;
static bool key_ok;

static void state_free(void *p)
{
    struct thread_state *ts = p;
    if (ts->parser)
        xmlFreeParserCtxt(ts->parser);
    if (ts->validator)
        xmlRelaxNGFreeValidCtxt(ts->validator);
    free(ts);
}

static void make_key(void)
{
    key_ok = pthread_key_create(&state_key, state_free) == 0;
}

static struct thread_state *state_get(void)
{
    pthread_once(&state_once, make_key);
    if (!key_ok)
        return NULL;
    struct thread_state *ts = pthread_getspecific(state_key);
    if (!ts) {
        ts = calloc(1, sizeof(*ts));
        if (!ts || pthread_setspecific(state_key, ts) != 0) {
            free(ts);
            return NULL;
        }
    }
    return ts;
}

xmlParserCtxtPtr domcfg_thread_parser(void)
{
    struct thread_state *ts = state_get();
    if (ts && !ts->parser)
        ts->parser = xmlNewParserCtxt();
    return ts ? ts->parser : NULL;
}

xmlRelaxNGValidCtxtPtr domcfg_thread_validator(xmlRelaxNGPtr schema)
{
    struct thread_state *ts = state_get();
    if (ts && !ts->validator)
        ts->validator = xmlRelaxNGNewValidCtxt(schema);
    return ts ? ts->validator : NULL;
}

/* The main thread does not run key destructors: release its state at exit too, so leak
 * checkers see a clean process. */
__attribute__((destructor)) static void state_free_main(void)
{
    if (!key_ok)
        return;
    struct thread_state *ts = pthread_getspecific(state_key);
    if (ts) {
        pthread_setspecific(state_key, NULL);
        state_free(ts);
    }
}
