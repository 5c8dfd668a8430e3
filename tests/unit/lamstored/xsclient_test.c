/* SPDX-License-Identifier: GPL-2.0-only */
/* libxsclient against a running lamstored: xsclient_test SOCKET. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "xsclient.h"

static const char *sock;

static struct xsc *open_or_die(void)
{
    struct xsc *h = xsc_open(sock);
    if (!h) {
        perror("xsc_open");
        exit(1);
    }
    return h;
}

static void client_read_write(void)
{
    struct xsc *h = open_or_die();
    char *v = NULL;
    uint32_t len = 0;
    CHECK(xsc_write(h, XSC_NO_TX, "/c/a", "value", 5) == 0);
    CHECK(xsc_read(h, XSC_NO_TX, "/c/a", &v, &len) == 0 && len == 5 && strcmp(v, "value") == 0);
    free(v);
    CHECK(xsc_read(h, XSC_NO_TX, "/c/none", &v, &len) == ENOENT);
    CHECK(xsc_mkdir(h, XSC_NO_TX, "/c/dir") == 0);
    CHECK(xsc_rm(h, XSC_NO_TX, "/c/dir") == 0);
    CHECK(xsc_read(h, XSC_NO_TX, "/c//bad", &v, &len) == EINVAL);
    xsc_close(h);
}

static void client_long_directory(void)
{
    struct xsc *h = open_or_die();
    char path[128], **names = NULL;
    unsigned n = 0;
    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof(path), "/c/long/entry-number-%03d-with-padding-to-be-long", i);
        CHECK(xsc_write(h, XSC_NO_TX, path, "", 0) == 0);
    }
    CHECK(xsc_directory(h, XSC_NO_TX, "/c/long", &names, &n) == 0 && n == 300);
    CHECK(names && names[0] && names[299] && names[300] == NULL);
    CHECK(names && strncmp(names[299], "entry-number-299", 16) == 0);
    free(names);
    CHECK(xsc_directory(h, XSC_NO_TX, "/c/a", &names, &n) == 0 && n == 0);
    free(names);
    xsc_close(h);
}

static void client_perms(void)
{
    struct xsc *h = open_or_die();
    const char *set[] = {"n0", "r7"};
    char **perms = NULL;
    unsigned n = 0;
    CHECK(xsc_write(h, XSC_NO_TX, "/c/p", "x", 1) == 0);
    CHECK(xsc_set_perms(h, XSC_NO_TX, "/c/p", set, 2) == 0);
    CHECK(xsc_get_perms(h, XSC_NO_TX, "/c/p", &perms, &n) == 0 && n == 2);
    CHECK(perms && strcmp(perms[0], "n0") == 0 && strcmp(perms[1], "r7") == 0);
    free(perms);
    struct xsc *g = open_or_die();
    char *v;
    uint32_t len;
    CHECK(xsc_control(g, "restrict", "8", NULL, NULL) == 0);
    CHECK(xsc_read(g, XSC_NO_TX, "/c/p", &v, &len) == EACCES);
    xsc_close(g);
    xsc_close(h);
}

static void client_watch(void)
{
    struct xsc *h = open_or_die(), *w = open_or_die();
    char *path, *token;
    CHECK(xsc_watch(w, "/c/w", "tok") == 0);
    CHECK(xsc_read_watch(w, 2000, &path, &token) == 0 && strcmp(path, "/c/w") == 0 &&
          strcmp(token, "tok") == 0);
    free(path);
    free(token);
    CHECK(xsc_write(h, XSC_NO_TX, "/c/w", "1", 1) == 0);
    CHECK(xsc_read_watch(w, 2000, &path, &token) == 0 && strcmp(path, "/c/w") == 0);
    free(path);
    free(token);
    CHECK(xsc_read_watch(w, 100, &path, &token) == ETIMEDOUT);
    CHECK(xsc_unwatch(w, "/c/w", "tok") == 0);
    CHECK(xsc_unwatch(w, "/c/w", "tok") == ENOENT);
    xsc_close(w);
    xsc_close(h);
}

static void client_transactions(void)
{
    struct xsc *a = open_or_die(), *b = open_or_die();
    uint32_t t;
    char *v;
    uint32_t len;
    CHECK(xsc_transaction_start(a, &t) == 0 && t != 0);
    CHECK(xsc_write(a, t, "/c/t/x", "1", 1) == 0);
    CHECK(xsc_read(b, XSC_NO_TX, "/c/t/x", &v, &len) == ENOENT);
    CHECK(xsc_transaction_end(a, t, true) == 0);
    CHECK(xsc_read(b, XSC_NO_TX, "/c/t/x", &v, &len) == 0);
    free(v);
    CHECK(xsc_transaction_start(a, &t) == 0);
    CHECK(xsc_read(a, t, "/c/t/x", &v, &len) == 0);
    free(v);
    CHECK(xsc_write(b, XSC_NO_TX, "/c/t/x", "2", 1) == 0);
    CHECK(xsc_transaction_end(a, t, true) == EAGAIN);
    CHECK(xsc_transaction_end(a, t, true) == ENOENT);
    xsc_close(a);
    xsc_close(b);
}

/* Pipelined requests: 100 writes (more than one batch) in a transaction, then an error in
 * the middle of a batch is reported by xsc_batch_end, and a read in a batch sends the queue
 * first. Replies keep their order; a watch event arriving meanwhile is kept. */
static void client_batch(void)
{
    struct xsc *h = open_or_die();
    uint32_t t;
    char path[64], *v = NULL, *wpath = NULL, *tok = NULL;
    uint32_t len;
    CHECK(xsc_watch(h, "/c/batch/5", "tok") == 0);
    CHECK(xsc_read_watch(h, 1000, &wpath, &tok) == 0); /* the registration event */
    free(wpath);
    free(tok);
    CHECK(xsc_transaction_start(h, &t) == 0);
    xsc_batch_begin(h);
    for (int i = 0; i < 100; i++) {
        snprintf(path, sizeof(path), "/c/batch/%d", i);
        CHECK(xsc_write(h, t, path, path, (uint32_t)strlen(path)) == 0);
    }
    CHECK(xsc_batch_end(h) == 0);
    CHECK(xsc_transaction_end(h, t, true) == 0);
    CHECK(xsc_read(h, XSC_NO_TX, "/c/batch/99", &v, &len) == 0 && !strcmp(v, "/c/batch/99"));
    free(v);
    CHECK(xsc_read_watch(h, 1000, &wpath, &tok) == 0 && !strcmp(wpath, "/c/batch/5"));
    free(wpath);
    free(tok);

    xsc_batch_begin(h);
    CHECK(xsc_write(h, XSC_NO_TX, "/c/batch/a", "1", 1) == 0);
    CHECK(xsc_write(h, XSC_NO_TX, "/c//bad", "1", 1) == 0); /* queued: the error comes later */
    CHECK(xsc_write(h, XSC_NO_TX, "/c/batch/b", "2", 1) == 0);
    CHECK(xsc_read(h, XSC_NO_TX, "/c/batch/b", &v, &len) == EINVAL); /* the queue's error */
    CHECK(xsc_batch_end(h) == EINVAL);
    CHECK(xsc_read(h, XSC_NO_TX, "/c/batch/b", &v, &len) == 0 && !strcmp(v, "2"));
    free(v);
    xsc_batch_begin(h);
    CHECK(xsc_batch_end(h) == 0); /* nothing queued, no stale error */
    xsc_close(h);
}

/* Many reads pipelined: values in order, a missing node's error in its own slot, more
 * than one chunk, and a watch event arriving among the replies kept for read_watch. */
static void client_read_many(void)
{
    struct xsc *h = open_or_die(), *w = open_or_die();
    char paths[80][32], *values[80], *wpath = NULL, *tok = NULL;
    const char *pp[80];
    int errs[80];
    for (int i = 0; i < 80; i++) {
        snprintf(paths[i], sizeof(paths[i]), "/c/many/%d", i);
        pp[i] = paths[i];
        if (i != 7 && i != 70)
            CHECK(xsc_write(w, XSC_NO_TX, paths[i], paths[i], (uint32_t)strlen(paths[i])) == 0);
    }
    CHECK(xsc_watch(h, "/c/many/3", "tok") == 0);
    CHECK(xsc_read_watch(h, 1000, &wpath, &tok) == 0); /* the registration event */
    free(wpath);
    free(tok);
    CHECK(xsc_write(w, XSC_NO_TX, "/c/many/3", "/c/many/3", 9) == 0); /* fires the watch */
    CHECK(xsc_read_many(h, XSC_NO_TX, pp, 80, values, errs) == 0);
    int right = 0;
    for (int i = 0; i < 80; i++) {
        if (i == 7 || i == 70)
            right += errs[i] == ENOENT && values[i] == NULL;
        else
            right += errs[i] == 0 && values[i] && !strcmp(values[i], paths[i]);
        free(values[i]);
    }
    CHECK(right == 80);
    CHECK(xsc_read_watch(h, 1000, &wpath, &tok) == 0 && !strcmp(wpath, "/c/many/3"));
    free(wpath);
    free(tok);
    CHECK(xsc_read_many(h, XSC_NO_TX, pp, 0, values, errs) == 0);
    xsc_close(w);
    xsc_close(h);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: xsclient_test SOCKET\n");
        return 2;
    }
    sock = argv[1];
    RUN("store/client", client_read_write);
    RUN("store/client", client_long_directory);
    RUN("store/client", client_perms);
    RUN("store/client", client_watch);
    RUN("store/client", client_transactions);
    RUN("store/client", client_batch);
    RUN("store/client", client_read_many);
    return 0;
}
