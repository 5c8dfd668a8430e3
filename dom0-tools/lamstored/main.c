/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lamstored: Lamina's store daemon (the xenstore protocol).
 *
 *   lamstored [--socket PATH] [--ro-socket PATH] [--state FILE]
 *             [--quota NAME=VALUE]... [--out-limit BYTES] [--no-rings]
 *
 * Xen xenstored's quota flags are accepted too: -E nodes, -S node-size,
 * -W watches, -t transactions, -A perms, -M path-length, -Q NAME=VALUE.
 *
 * With no --socket it listens on /run/xenstored/socket (and the read-only
 * variant /run/xenstored/socket_ro). In dom0 (when /proc/xen/xsd_kva
 * exists) it also serves dom0's kernel through the local ring page and,
 * once domains are introduced, their rings. SIGTERM/SIGINT end it cleanly:
 * with --state the store is saved and reloaded at the next start.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "loop.h"
#include "persist.h"
#include "ring_xen.h"
#include "sock.h"
#include "store.h"
#include "util.h"

static void usage(void)
{
    fputs("usage: lamstored [--socket PATH] [--ro-socket PATH] [--state FILE]\n"
          "                 [--quota NAME=VALUE]... [--out-limit BYTES] [--no-rings]\n"
          "Xen's flags: -E N (nodes) -S N (node-size) -W N (watches) -t N (transactions)\n"
          "             -A N (perms) -M N (path-length) -Q NAME=VALUE\n"
          "quota names:",
          stderr);
    for (int k = 0; k < Q_COUNT; k++)
        fprintf(stderr, " %s", quota_names[k]);
    fputc('\n', stderr);
}

/* Xen xenstored's single-letter quota options, as our quota names. */
static const char *xen_quota_flag(const char *a)
{
    static const char *const map[][2] = {
        {"-E", "nodes"},        {"-S", "node-size"}, {"-W", "watches"},
        {"-t", "transactions"}, {"-A", "perms"},     {"-M", "path-length"},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(a, map[i][0]) == 0)
            return map[i][1];
    return NULL;
}

static void on_signal(struct handler *h, uint32_t events)
{
    struct signalfd_siginfo si;
    (void)events;
    if (read(h->fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
        loop_stop();
}

int main(int argc, char **argv)
{
    static struct store st;
    const char *sock_path = NULL, *ro_path = NULL, *state = NULL;
    bool rings = true;

    store_init(&st);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--no-rings") == 0) {
            rings = false;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage();
            return 0;
        }
        if (!v) {
            usage();
            return 2;
        }
        i++;
        if (strcmp(a, "--socket") == 0) {
            sock_path = v;
        } else if (strcmp(a, "--ro-socket") == 0) {
            ro_path = v;
        } else if (strcmp(a, "--state") == 0) {
            state = v;
        } else if (xen_quota_flag(a)) {
            char q[64];
            snprintf(q, sizeof(q), "%s=%s", xen_quota_flag(a), v);
            if (quota_parse(&st.q, q)) {
                fprintf(stderr, "lamstored: bad value for %s: '%s'\n", a, v);
                return 2;
            }
        } else if (strcmp(a, "--quota") == 0 || strcmp(a, "-Q") == 0) {
            if (quota_parse(&st.q, v)) {
                fprintf(stderr, "lamstored: bad quota '%s'\n", v);
                usage();
                return 2;
            }
        } else if (strcmp(a, "--out-limit") == 0) {
            uint32_t n;
            if (parse_u32(v, &n) || n < 65536) {
                fprintf(stderr, "lamstored: --out-limit needs at least 65536\n");
                return 2;
            }
            st.out_limit = n;
        } else {
            usage();
            return 2;
        }
    }
    if (!sock_path && !ro_path) {
        sock_path = "/run/xenstored/socket";
        ro_path = "/run/xenstored/socket_ro";
    }

    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);
    static struct handler sig = {.fn = on_signal};
    sig.fd = signalfd(-1, &mask, SFD_CLOEXEC);

    if (loop_init() || sig.fd < 0 || loop_add(&sig, 1 /* EPOLLIN */)) {
        logmsg("cannot set up the event loop: %s", strerror(errno));
        return 1;
    }
    /* Rings first: restored watches and introduced domains attach to them. */
    if (rings && ring_xen_start(&st))
        logmsg("Xen devices present but the local ring could not be set up");
    if (state && persist_load(&st, state)) {
        logmsg("cannot load state from %s", state);
        return 1;
    }
    if ((sock_path && sock_listen(&st, sock_path, false)) ||
        (ro_path && sock_listen(&st, ro_path, true)))
        return 1;

    loop_run(&st);

    loop_flush(&st);
    int rc = 0;
    if (state && persist_save(&st, state)) {
        logmsg("cannot save state to %s", state);
        rc = 1;
    }
    sock_shutdown();
    if (sock_path)
        unlink(sock_path);
    if (ro_path)
        unlink(ro_path);
    store_free(&st);
    return rc;
}
