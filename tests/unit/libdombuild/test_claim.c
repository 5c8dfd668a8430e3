/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libdombuild's name and UUID claims (src/claim.c) against a real lamstored on a temporary
 * socket ($LAMSTORED): a claim is exclusive while its builder lives, taken over once it is
 * gone, dropped without leaving nodes behind; and of many processes claiming the same name
 * at the same instant exactly one wins, while distinct names all succeed.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "claim.h"
#include "test_store.h"
#include "xsclient.h"

static struct test_store store;
static struct xsc *xs;

static int setup(void **state)
{
    (void)state;
    if (test_store_start(&store, "claim-test"))
        return -1;
    xs = xsc_open_socket(store.sock);
    return xs ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    xsc_close(xs);
    test_store_stop(&store);
    return 0;
}

/* The value at path, or "<none>"; static buffer. */
static const char *get(const char *path)
{
    static char out[256];
    char *v = NULL;
    uint32_t len;
    if (xsc_read(xs, XSC_NO_TX, path, &v, &len))
        return "<none>";
    snprintf(out, sizeof(out), "%s", v);
    free(v);
    return out;
}

static bool exists(const char *path)
{
    char **names = NULL;
    unsigned int n;
    int err = xsc_directory(xs, XSC_NO_TX, path, &names, &n);
    free(names);
    return err == 0;
}

#define UUID_A "6c1ba1e0-0b0b-4c7d-9a11-0000000000aa"
#define UUID_B "6c1ba1e0-0b0b-4c7d-9a11-0000000000bb"

static void test_take_and_release(void **state)
{
    (void)state;
    char why[256] = "", me[24];
    snprintf(me, sizeof(me), "%ld", (long)getpid());
    assert_int_equal(claim_take(xs, "web", UUID_A, why, sizeof(why)), 0);
    assert_string_equal(get("/lamina/name/web"), me);
    assert_string_equal(get("/lamina/uuid/" UUID_A), me);
    claim_release(xs, "web", UUID_A);
    assert_false(exists("/lamina/name/web"));
    assert_false(exists("/lamina")); /* nothing of the claims is left */
}

static void test_held_name_and_uuid_refused(void **state)
{
    (void)state;
    char why[256] = "";
    assert_int_equal(claim_take(xs, "web", UUID_A, why, sizeof(why)), 0);
    assert_int_equal(claim_take(xs, "web", UUID_B, why, sizeof(why)), -EEXIST);
    assert_non_null(strstr(why, "a domain named 'web' is being created right now"));
    assert_int_equal(claim_take(xs, "db", UUID_A, why, sizeof(why)), -EEXIST);
    assert_non_null(strstr(why, "a domain with UUID " UUID_A " is being created"));
    /* the refused attempts left no claim of their own */
    assert_false(exists("/lamina/name/db"));
    assert_false(exists("/lamina/uuid/" UUID_B));
    claim_release(xs, "web", UUID_A);
    assert_false(exists("/lamina"));
}

/* A builder killed mid-build leaves its claim; the next one takes it over. */
static void test_stale_claim_taken_over(void **state)
{
    (void)state;
    pid_t dead = fork();
    if (dead == 0)
        _exit(0);
    waitpid(dead, NULL, 0);
    char v[24], why[256] = "";
    snprintf(v, sizeof(v), "%ld", (long)dead);
    assert_int_equal(xsc_write(xs, XSC_NO_TX, "/lamina/name/web", v, (uint32_t)strlen(v)), 0);
    assert_int_equal(xsc_write(xs, XSC_NO_TX, "/lamina/uuid/" UUID_A, "junk", 4), 0);
    assert_int_equal(claim_take(xs, "web", UUID_A, why, sizeof(why)), 0);
    claim_release(xs, "web", UUID_A);
    assert_false(exists("/lamina"));
}

/* '.', '+' and ':' are name characters but not store path characters. */
static void test_name_encoding(void **state)
{
    (void)state;
    char why[256] = "";
    assert_int_equal(claim_take(xs, "a.b+c:d", UUID_A, why, sizeof(why)), 0);
    assert_true(exists("/lamina/name/a@2eb@2bc@3ad"));
    assert_int_equal(claim_take(xs, "a.b+c:d", UUID_B, why, sizeof(why)), -EEXIST);
    assert_int_equal(claim_take(xs, "a-b+c:d", UUID_B, why, sizeof(why)), 0);
    claim_release(xs, "a.b+c:d", UUID_A);
    claim_release(xs, "a-b+c:d", UUID_B);
    assert_false(exists("/lamina"));
}

/*
 * N processes released at once, each on its own store connection, claim name(i) with a
 * UUID of their own; they hold what they won until all have tried, then release it.
 * Returns how many won; *refused counts the clean EEXIST answers.
 */
#define RACERS 10
static int race(bool same_name, int *refused)
{
    int go[2], done[2], res[2];
    assert_int_equal(pipe(go), 0);
    assert_int_equal(pipe(done), 0);
    assert_int_equal(pipe(res), 0);
    pid_t kids[RACERS];
    for (int i = 0; i < RACERS; i++) {
        kids[i] = fork();
        assert_true(kids[i] >= 0);
        if (kids[i])
            continue;
        close(go[1]);
        close(done[1]);
        close(res[0]);
        struct xsc *h = xsc_open_socket(store.sock);
        char name[16], uuid[40], why[256] = "", c;
        snprintf(name, sizeof(name), same_name ? "same" : "web%d", i);
        snprintf(uuid, sizeof(uuid), "6c1ba1e0-0b0b-4c7d-9a11-0000000001%02d", i);
        if (read(go[0], &c, 1) < 0) /* EOF: the parent let everyone go */
            _exit(3);
        int rc = h ? claim_take(h, name, uuid, why, sizeof(why)) : -EIO;
        char r = rc == 0 ? 'W' : rc == -EEXIST && strstr(why, "being created") ? 'R' : 'E';
        if (write(res[1], &r, 1) != 1)
            _exit(3);
        if (read(done[0], &c, 1) < 0)
            _exit(3);
        if (rc == 0)
            claim_release(h, name, uuid);
        xsc_close(h);
        _exit(0);
    }
    close(go[0]);
    close(done[0]);
    close(res[1]);
    close(go[1]);
    int won = 0;
    *refused = 0;
    for (int i = 0; i < RACERS; i++) {
        char r = 0;
        assert_int_equal(read(res[0], &r, 1), 1);
        won += r == 'W';
        *refused += r == 'R';
    }
    close(done[1]);
    close(res[0]);
    for (int i = 0; i < RACERS; i++) {
        int st;
        assert_int_equal(waitpid(kids[i], &st, 0), kids[i]);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    return won;
}

static void test_race_same_name_one_wins(void **state)
{
    (void)state;
    int refused;
    assert_int_equal(race(true, &refused), 1);
    assert_int_equal(refused, RACERS - 1);
    assert_false(exists("/lamina"));
}

static void test_race_distinct_names_all_win(void **state)
{
    (void)state;
    int refused;
    assert_int_equal(race(false, &refused), RACERS);
    assert_int_equal(refused, 0);
    assert_false(exists("/lamina"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_take_and_release),
        cmocka_unit_test(test_held_name_and_uuid_refused),
        cmocka_unit_test(test_stale_claim_taken_over),
        cmocka_unit_test(test_name_encoding),
        cmocka_unit_test(test_race_same_name_one_wins),
        cmocka_unit_test(test_race_distinct_names_all_win),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
