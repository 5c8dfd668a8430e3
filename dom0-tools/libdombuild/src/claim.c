/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Name and UUID claims: what makes "no running domain has this name or UUID" atomic when
 * several `lam create` run at once (claim.h).
 *
 * A build claims /lamina/name/NAME and /lamina/uuid/UUID in one store transaction that reads
 * both first. The store checks every node a transaction read at commit, so of two builds
 * claiming the same name at the same moment one commits and the other gets EAGAIN, retries,
 * and then sees the first one's claim. The claim's value is the builder's pid: a claim left
 * by a builder that died (killed mid-build) is taken over. The claim is dropped once the
 * domain's /local/domain/N/name is written (or the build failed); from then on the name is
 * found there, and check_unique's scan of /local/domain, made after the claim committed,
 * sees it. So every pair of racing builds meets either the other's claim or its name.
 */
#include "claim.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xsclient.h"

#define TX_RETRIES 32

static void say(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
}

/* Store paths allow [A-Za-z0-9_-]; a domain name may also hold '.', '+' and ':', written
 * as @XX (hex), '@' itself being no name character. */
static void claim_path(char *out, size_t len, const char *kind, const char *key)
{
    int n = snprintf(out, len, "/lamina/%s/", kind);
    for (const char *s = key; *s && n > 0 && (size_t)n + 4 < len; s++) {
        unsigned char ch = (unsigned char)*s;
        bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                     (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
        n += plain ? snprintf(out + n, len - (size_t)n, "%c", ch)
                   : snprintf(out + n, len - (size_t)n, "@%02x", ch);
    }
}

/* The pid of the live builder holding the claim at path, or 0 when there is none (absent,
 * malformed, or its builder is gone). -errno on a store error. */
static long holder(struct xsc *h, uint32_t tx, const char *path)
{
    char *v = NULL;
    uint32_t len;
    int err = xsc_read(h, tx, path, &v, &len);
    if (err == ENOENT)
        return 0;
    if (err)
        return -err;
    char *end;
    long pid = strtol(v, &end, 10);
    bool ok = end != v && !*end && pid > 0;
    free(v);
    if (!ok)
        return 0;
    return kill((pid_t)pid, 0) == 0 || errno == EPERM ? pid : 0;
}

int claim_take(struct xsc *h, const char *name, const char *uuid, char *why, size_t whylen)
{
    char np[CLAIM_PATH_MAX], up[CLAIM_PATH_MAX], me[24];
    claim_path(np, sizeof(np), "name", name);
    claim_path(up, sizeof(up), "uuid", uuid);
    snprintf(me, sizeof(me), "%ld", (long)getpid());
    for (int attempt = 0; attempt < TX_RETRIES; attempt++) {
        uint32_t tx;
        int err = xsc_transaction_start(h, &tx);
        if (err) {
            say(why, whylen, "claiming the name in the store: %s", strerror(err));
            return -err;
        }
        long by_name = holder(h, tx, np);
        long by_uuid = by_name ? 0 : holder(h, tx, up);
        if (by_name || by_uuid) {
            xsc_transaction_end(h, tx, false);
            if (by_name < 0 || by_uuid < 0) {
                err = (int)-(by_name < 0 ? by_name : by_uuid);
                say(why, whylen, "claiming the name in the store: %s", strerror(err));
                return -err;
            }
            if (by_name)
                say(why, whylen, "a domain named '%s' is being created right now (by process %ld)",
                    name, by_name);
            else
                say(why, whylen,
                    "a domain with UUID %s is being created right now (by process %ld)", uuid,
                    by_uuid);
            return -EEXIST;
        }
        err = xsc_write(h, tx, np, me, (uint32_t)strlen(me));
        if (!err)
            err = xsc_write(h, tx, up, me, (uint32_t)strlen(me));
        if (err) {
            xsc_transaction_end(h, tx, false);
            say(why, whylen, "claiming the name in the store: %s", strerror(err));
            return -err;
        }
        err = xsc_transaction_end(h, tx, true);
        if (!err)
            return 0;
        if (err != EAGAIN) {
            say(why, whylen, "claiming the name in the store: %s", strerror(err));
            return -err;
        }
        usleep((useconds_t)(1000 + (getpid() % 8) * 500)); /* let the winner's commit land */
    }
    say(why, whylen, "claiming the name in the store: still contended after %d tries", TX_RETRIES);
    return -EAGAIN;
}

/* Remove path when it still holds our pid, in a transaction (a stale claim that another
 * builder took over is its, not ours). Then the parent once it is empty. */
static void drop(struct xsc *h, const char *path)
{
    char me[24];
    snprintf(me, sizeof(me), "%ld", (long)getpid());
    for (int attempt = 0; attempt < TX_RETRIES; attempt++) {
        uint32_t tx;
        if (xsc_transaction_start(h, &tx))
            return;
        char *v = NULL;
        uint32_t len;
        bool ours = xsc_read(h, tx, path, &v, &len) == 0 && !strcmp(v, me);
        free(v);
        if (!ours) {
            xsc_transaction_end(h, tx, false);
            return;
        }
        xsc_rm(h, tx, path);
        if (xsc_transaction_end(h, tx, true) != EAGAIN)
            return;
    }
}

void claim_remove_if_empty(struct xsc *h, const char *path)
{
    for (int attempt = 0; attempt < TX_RETRIES; attempt++) {
        uint32_t tx;
        if (xsc_transaction_start(h, &tx))
            return;
        char **names = NULL;
        unsigned int n = 0;
        int err = xsc_directory(h, tx, path, &names, &n);
        free(names);
        if (err || n) {
            xsc_transaction_end(h, tx, false);
            return;
        }
        xsc_rm(h, tx, path);
        if (xsc_transaction_end(h, tx, true) != EAGAIN)
            return;
    }
}

void claim_release(struct xsc *h, const char *name, const char *uuid)
{
    char p[CLAIM_PATH_MAX];
    claim_path(p, sizeof(p), "name", name);
    drop(h, p);
    claim_path(p, sizeof(p), "uuid", uuid);
    drop(h, p);
    claim_remove_if_empty(h, "/lamina/name");
    claim_remove_if_empty(h, "/lamina/uuid");
    claim_remove_if_empty(h, "/lamina");
}
