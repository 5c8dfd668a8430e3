/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libdomlife against a simulated hypervisor (a domain table answering domctl as Lamina and
 * Xen 4.17 do) and a real lamstored on a temporary socket ($LAMSTORED). Store events are
 * scripted: each wait the library makes runs the next step of the test's script (a guest
 * shutting down, crashing, ignoring a request...), and a simulated clock advances.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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

#include "domlife.h"
#include "test_store.h"
#include "lamina/domctl.h"
#include "lamina/hypercall-numbers.h"
#include "lamina/sched.h"

/* ---- the simulated hypervisor ---- */

struct fake_dom {
    bool used;
    uint16_t id;
    uint32_t flags; /* LAM_DOMINF_* with the shutdown code in bits 16.. */
    uint64_t tot_pages, max_kib;
    unsigned int vcpus;
};

#define NR_DOMS 16
static struct fake_dom doms[NR_DOMS];
static uint16_t next_id;

static struct fake_dom *dom_by_id(uint16_t id)
{
    for (int i = 0; i < NR_DOMS; i++)
        if (doms[i].used && doms[i].id == id)
            return &doms[i];
    return NULL;
}

static long fake_hypercall(void *ctx, unsigned long op, const uint64_t args[5])
{
    (void)ctx;
    if (op != LAM_HYPERCALL_DOMCTL)
        return -ENOSYS;
    struct lam_domctl *d = (void *)(uintptr_t)args[0];
    if (d->interface_version != LAM_DOMCTL_INTERFACE_VERSION)
        return -EACCES;
    if (d->cmd == LAM_DOMCTL_getdomaininfo) {
        const struct fake_dom *best = NULL;
        for (int i = 0; i < NR_DOMS; i++)
            if (doms[i].used && doms[i].id >= d->domain && (!best || doms[i].id < best->id))
                best = &doms[i];
        if (!best)
            return -ESRCH;
        memset(&d->u.getdomaininfo, 0, sizeof(d->u.getdomaininfo));
        d->u.getdomaininfo.domain = best->id;
        d->u.getdomaininfo.flags = best->flags;
        d->u.getdomaininfo.tot_pages = best->tot_pages;
        d->u.getdomaininfo.max_pages = best->max_kib / 4;
        d->u.getdomaininfo.nr_online_vcpus = 1;
        d->u.getdomaininfo.max_vcpu_id = best->vcpus - 1;
        return 0;
    }
    struct fake_dom *f = dom_by_id(d->domain);
    if (!f)
        return -ESRCH;
    switch (d->cmd) {
    case LAM_DOMCTL_destroydomain:
        f->used = false;
        return 0;
    case LAM_DOMCTL_pausedomain:
        f->flags |= LAM_DOMINF_paused;
        return 0;
    case LAM_DOMCTL_max_mem:
        f->max_kib = d->u.max_mem.max_memkb;
        return 0;
    default:
        return -ENOSYS;
    }
}

static struct fake_dom *add_dom(uint16_t id, unsigned int vcpus)
{
    for (int i = 0; i < NR_DOMS; i++)
        if (!doms[i].used) {
            doms[i] = (struct fake_dom){.used = true,
                                        .id = id,
                                        .flags = LAM_DOMINF_blocked,
                                        .tot_pages = 32768,
                                        .max_kib = 132096,
                                        .vcpus = vcpus};
            return &doms[i];
        }
    fail_msg("simulated hypervisor full");
    return NULL;
}

static void shut_down(uint16_t id, unsigned int reason)
{
    struct fake_dom *f = dom_by_id(id);
    assert_non_null(f);
    f->flags = LAM_DOMINF_shutdown | LAM_DOMINF_paused | (reason << 16);
}

/* ---- the store: a real lamstored ---- */

static struct test_store store;
static struct xsc *xs;
static struct hvctl *hv;

static void put(const char *path, const char *value)
{
    assert_int_equal(xsc_write(xs, XSC_NO_TX, path, value, (uint32_t)strlen(value)), 0);
}

/* The value at path, or "<none>"; static buffer. */
static const char *get(const char *fmt, ...)
{
    static char out[4096];
    char path[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    char *v;
    uint32_t len;
    if (xsc_read(xs, XSC_NO_TX, path, &v, &len)) {
        snprintf(out, sizeof(out), "<none>");
    } else {
        snprintf(out, sizeof(out), "%s", v);
        free(v);
    }
    return out;
}

/* A domain as `lam create` leaves it: store nodes of §2.2 and the toolstack's records. */
static const char *const CONFIG = "<domain type='xen'><name>web</name></domain>\n";

static void make_domain(uint16_t id, const char *name, const char *uuid, unsigned int vcpus,
                        const struct life_actions *acts, struct life *l)
{
    char p[128], v[64];
    add_dom(id, vcpus);
    snprintf(p, sizeof(p), "/local/domain/%u/name", id);
    put(p, name);
    snprintf(p, sizeof(p), "/local/domain/%u/vm", id);
    snprintf(v, sizeof(v), "/vm/%s", uuid);
    put(p, v);
    snprintf(p, sizeof(p), "/local/domain/%u/memory/static-max", id);
    put(p, "131072");
    snprintf(p, sizeof(p), "/local/domain/%u/memory/target", id);
    put(p, "131072");
    for (unsigned k = 0; k < vcpus; k++) {
        snprintf(p, sizeof(p), "/local/domain/%u/cpu/%u/availability", id, k);
        put(p, k == 0 ? "online" : "offline");
    }
    snprintf(p, sizeof(p), "/vm/%s/start_time", uuid);
    put(p, "1700000000.25");
    if (acts)
        assert_int_equal(life_record(l, id, CONFIG, acts), 0);
}

/* ---- the scripted world: events, clock, builder, log ---- */

typedef void (*step_fn)(void);
static step_fn script[16];
static unsigned int script_len, script_pos, waits;
static uint64_t clock_ms;
static char logbuf[8192];
static unsigned int builds, destroys;
static struct life L;

static int timeouts[16];
static int scripted_wait(struct life *l, int timeout_ms)
{
    (void)l;
    if (waits < 16)
        timeouts[waits] = timeout_ms;
    waits++;
    if (script_pos < script_len) {
        clock_ms += 100;
        script[script_pos++]();
        return 0;
    }
    clock_ms += timeout_ms < 0 ? 60000 : (uint64_t)timeout_ms;
    return ETIMEDOUT;
}

static uint64_t fake_now(struct life *l)
{
    (void)l;
    return clock_ms;
}

static void capture_log(struct life *l, const char *line)
{
    (void)l;
    strncat(logbuf, line, sizeof(logbuf) - strlen(logbuf) - 2);
    strcat(logbuf, "\n");
}

static int fake_destroy(struct life *l, uint16_t domid)
{
    destroys++;
    return life_destroy(l, domid);
}

static struct life_actions build_actions;
static int fake_build(struct life *l, const char *xml, uint16_t *domid)
{
    assert_string_equal(xml, CONFIG);
    builds++;
    *domid = next_id++;
    make_domain(*domid, "web", "4dea22b3-1d52-d8f3-2516-782e98ab3fa0", 2, &build_actions, l);
    return 0;
}

static int setup(void **state)
{
    (void)state;
    memset(doms, 0, sizeof(doms));
    next_id = 10;
    script_len = script_pos = waits = builds = destroys = 0;
    clock_ms = 1000;
    logbuf[0] = '\0';
    if (test_store_start(&store, "domlife-test"))
        return -1;
    xs = xsc_open_socket(store.sock);
    hv = hvctl_open_with(fake_hypercall, NULL);
    if (!xs || !hv)
        return -1;
    add_dom(0, 1);
    const struct life_ops ops = {.wait = scripted_wait,
                                 .destroy = fake_destroy,
                                 .build = fake_build,
                                 .log = capture_log,
                                 .now_ms = fake_now};
    life_init(&L, hv, xs, &ops);
    build_actions = life_default_actions;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    xsc_close(xs);
    hvctl_close(hv);
    test_store_stop(&store);
    return 0;
}

static const char *const UUID1 = "4dea22b3-1d52-d8f3-2516-782e98ab3fa0";
static const char *const UUID2 = "11111111-2222-4333-8444-555555555555";

/* ---- actions ---- */

static void action_names_round_trip(void **state)
{
    (void)state;
    for (int a = LIFE_DESTROY; a <= LIFE_COREDUMP_RESTART; a++) {
        enum life_action back;
        assert_int_equal(life_action_parse(life_action_name((enum life_action)a), &back), 0);
        assert_int_equal(back, a);
    }
    enum life_action x = LIFE_PRESERVE;
    assert_int_equal(life_action_parse("reboot", &x), EINVAL);
    assert_int_equal(life_action_parse("", &x), EINVAL);
    assert_int_equal(x, LIFE_PRESERVE);
    assert_string_equal(life_action_name(LIFE_RENAME_RESTART), "rename-restart");
}

static void each_reason_picks_its_action(void **state)
{
    (void)state;
    const struct life_actions a = {LIFE_PRESERVE, LIFE_RENAME_RESTART, LIFE_COREDUMP_DESTROY};
    enum life_action got = LIFE_DESTROY;
    assert_true(life_action_for(&a, LAM_SHUTDOWN_poweroff, &got));
    assert_int_equal(got, LIFE_PRESERVE);
    assert_true(life_action_for(&a, LAM_SHUTDOWN_reboot, &got));
    assert_int_equal(got, LIFE_RENAME_RESTART);
    assert_true(life_action_for(&a, LAM_SHUTDOWN_crash, &got));
    assert_int_equal(got, LIFE_COREDUMP_DESTROY);
    got = LIFE_DESTROY;
    assert_true(life_action_for(&a, LAM_SHUTDOWN_watchdog, &got));
    assert_int_equal(got, LIFE_COREDUMP_DESTROY);
    assert_true(life_action_for(&a, 77, &got)); /* unknown: as a crash */
    assert_int_equal(got, LIFE_COREDUMP_DESTROY);
    assert_true(life_action_for(&a, LAM_SHUTDOWN_soft_reset, &got));
    assert_int_equal(got, LIFE_RESTART);
    got = LIFE_DESTROY;
    assert_false(life_action_for(&a, LAM_SHUTDOWN_suspend, &got));
    assert_int_equal(got, LIFE_DESTROY);
    assert_int_equal(life_default_actions.on_poweroff, LIFE_DESTROY);
    assert_int_equal(life_default_actions.on_reboot, LIFE_RESTART);
    assert_int_equal(life_default_actions.on_crash, LIFE_DESTROY);
}

/* ---- finding and describing ---- */

static void find_by_name_uuid_and_id(void **state)
{
    (void)state;
    make_domain(3, "web", UUID1, 2, &life_default_actions, &L);
    make_domain(5, "db", UUID2, 1, NULL, &L);
    uint16_t id = 0;
    assert_int_equal(life_find(&L, "web", &id), 0);
    assert_int_equal(id, 3);
    assert_int_equal(life_find(&L, UUID2, &id), 0);
    assert_int_equal(id, 5);
    assert_int_equal(life_find(&L, "5", &id), 0);
    assert_int_equal(id, 5);
    assert_int_equal(life_find(&L, "Domain-0", &id), 0);
    assert_int_equal(id, 0);
    assert_int_equal(life_find(&L, "4", &id), ENOENT);
    assert_int_equal(life_find(&L, "99999999", &id), ENOENT);
    assert_int_equal(life_find(&L, "nope", &id), ENOENT);
    /* A dying incarnation with the same name loses to the live one, even with a higher id. */
    make_domain(7, "web", UUID1, 1, NULL, &L);
    dom_by_id(7)->flags = LAM_DOMINF_dying;
    assert_int_equal(life_find(&L, "web", &id), 0);
    assert_int_equal(id, 3);
    /* Store entries of a domain the hypervisor no longer has do not count. */
    dom_by_id(3)->used = false;
    assert_int_equal(life_find(&L, "web", &id), ENOENT);
}

static void info_joins_hypervisor_and_store(void **state)
{
    (void)state;
    const struct life_actions acts = {LIFE_PRESERVE, LIFE_RESTART, LIFE_COREDUMP_DESTROY};
    make_domain(3, "web", UUID1, 4, &acts, &L);
    put("/local/domain/3/cpu/2/availability", "online");
    put("/lamina/domain/3/monitor", "4242");
    struct life_info i;
    assert_int_equal(life_get_info(&L, 3, &i), 0);
    assert_string_equal(i.name, "web");
    assert_string_equal(i.uuid, UUID1);
    assert_int_equal(i.target_kib, 131072);
    assert_int_equal(i.static_max_kib, 131072);
    assert_int_equal(i.vcpus_max, 4);
    assert_int_equal(i.vcpus_available, 2);
    assert_true(i.has_actions);
    assert_int_equal(i.actions.on_poweroff, LIFE_PRESERVE);
    assert_int_equal(i.actions.on_crash, LIFE_COREDUMP_DESTROY);
    assert_true(i.start_time > 1700000000.2 && i.start_time < 1700000000.3);
    assert_int_equal(i.monitor_pid, 4242);
    assert_int_equal(i.hv.tot_pages, 32768);
    char *xml;
    assert_int_equal(life_running_config(&L, 3, &xml), 0);
    assert_string_equal(xml, CONFIG);
    free(xml);
    /* The records are dom0's alone. */
    char **perms;
    unsigned n;
    assert_int_equal(xsc_get_perms(xs, XSC_NO_TX, "/lamina/domain/3", &perms, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(perms[0], "n0");
    free(perms);
    /* A boot-time domain with nothing in the store: hypervisor facts, defaults elsewhere. */
    add_dom(4, 1);
    assert_int_equal(life_get_info(&L, 4, &i), 0);
    assert_string_equal(i.name, "");
    assert_false(i.has_actions);
    assert_int_equal(i.actions.on_reboot, LIFE_RESTART);
    assert_int_equal(life_running_config(&L, 4, &xml), ENOENT);
    assert_int_equal(life_get_info(&L, 6, &i), ENOENT);
}

static void destroy_removes_what_create_wrote(void **state)
{
    (void)state;
    make_domain(3, "web", UUID1, 1, &life_default_actions, &L);
    make_domain(4, "web-copy", UUID1, 1, &life_default_actions, &L); /* a rename-restart */
    make_domain(5, "db", UUID2, 1, &life_default_actions, &L);
    assert_int_equal(life_destroy(&L, 3), 0);
    assert_null(dom_by_id(3));
    assert_string_equal(get("/local/domain/3/name"), "<none>");
    assert_string_equal(get("/lamina/domain/3/config"), "<none>");
    assert_string_equal(get("/vm/%s/start_time", UUID1), "1700000000.25"); /* 4 uses it */
    assert_int_equal(life_destroy(&L, 4), 0);
    assert_string_equal(get("/vm/%s/start_time", UUID1), "<none>");
    /* A domain the hypervisor lost: its leftover nodes go, and the caller hears ENOENT. */
    dom_by_id(5)->used = false;
    assert_int_equal(life_destroy(&L, 5), ENOENT);
    assert_string_equal(get("/local/domain/5/name"), "<none>");
    assert_string_equal(get("/vm/%s/start_time", UUID2), "<none>");
    assert_int_equal(life_destroy(&L, 0), EINVAL);
    assert_non_null(dom_by_id(0));
}

/* ---- asking the guest ---- */

static void mem_set_moves_target_and_ceiling(void **state)
{
    (void)state;
    make_domain(3, "web", UUID1, 2, &life_default_actions, &L);
    assert_int_equal(life_mem_set(&L, 3, 65536), 0);
    assert_string_equal(get("/local/domain/3/memory/target"), "65536");
    assert_string_equal(get("/vm/%s/memory", UUID1), "64");
    assert_int_equal(dom_by_id(3)->max_kib, 65536 + 1024);
    assert_int_equal(life_mem_set(&L, 3, 131072), 0);
    assert_string_equal(get("/local/domain/3/memory/target"), "131072");
    assert_int_equal(dom_by_id(3)->max_kib, 131072 + 1024);
    /* Above static-max or absurdly small: refused, nothing changed. */
    assert_int_equal(life_mem_set(&L, 3, 131073), ERANGE);
    assert_int_equal(life_mem_set(&L, 3, 512), ERANGE);
    assert_string_equal(get("/local/domain/3/memory/target"), "131072");
    assert_int_equal(dom_by_id(3)->max_kib, 131072 + 1024);
    assert_int_equal(life_mem_set(&L, 9, 65536), ENOENT);
}

static void mem_max_moves_static_max(void **state)
{
    (void)state;
    make_domain(3, "web", UUID1, 2, &life_default_actions, &L);
    assert_int_equal(life_mem_max(&L, 3, 262144), 0);
    assert_string_equal(get("/local/domain/3/memory/static-max"), "262144");
    assert_int_equal(dom_by_id(3)->max_kib, 262144 + 1024);
    assert_int_equal(life_mem_set(&L, 3, 200000), 0);      /* now allowed */
    assert_int_equal(life_mem_max(&L, 3, 131072), ERANGE); /* below the target */
    assert_string_equal(get("/local/domain/3/memory/static-max"), "262144");
}

static void vcpu_set_writes_availability(void **state)
{
    (void)state;
    make_domain(3, "web", UUID1, 3, &life_default_actions, &L);
    assert_int_equal(life_vcpu_set(&L, 3, 2), 0);
    assert_string_equal(get("/local/domain/3/cpu/0/availability"), "online");
    assert_string_equal(get("/local/domain/3/cpu/1/availability"), "online");
    assert_string_equal(get("/local/domain/3/cpu/2/availability"), "offline");
    assert_int_equal(life_vcpu_set(&L, 3, 1), 0);
    assert_string_equal(get("/local/domain/3/cpu/1/availability"), "offline");
    assert_int_equal(life_vcpu_set(&L, 3, 3), 0);
    assert_string_equal(get("/local/domain/3/cpu/2/availability"), "online");
    assert_int_equal(life_vcpu_set(&L, 3, 0), ERANGE);
    assert_int_equal(life_vcpu_set(&L, 3, 4), ERANGE);
    assert_string_equal(get("/local/domain/3/cpu/2/availability"), "online");
}

static void shutdown_request_goes_to_control(void **state)
{
    (void)state;
    make_domain(3, "web", UUID1, 1, &life_default_actions, &L);
    assert_int_equal(life_request_shutdown(&L, 3, "reboot"), 0);
    assert_string_equal(get("/local/domain/3/control/shutdown"), "reboot");
    assert_int_equal(life_request_shutdown(&L, 0, "poweroff"), EINVAL);
    assert_int_equal(life_sysrq(&L, 3, 'c'), 0);
    assert_string_equal(get("/local/domain/3/control/sysrq"), "c");
    assert_int_equal(life_sysrq(&L, 3, '\n'), EINVAL);
    assert_int_equal(life_sysrq(&L, 0, 'c'), EINVAL);
    assert_int_equal(life_sysrq(&L, 8, 'c'), ENOENT);
    assert_int_equal(life_request_shutdown(&L, 8, "poweroff"), ENOENT);
}

/* ---- waiting ---- */

static void guest_acks(void)
{
    put("/local/domain/3/control/shutdown", "");
}
static void guest_powers_off(void)
{
    shut_down(3, LAM_SHUTDOWN_poweroff);
}
static void monitor_destroys(void)
{
    assert_int_equal(fake_destroy(&L, 3), 0);
}

static void wait_down_follows_the_guest(void **state)
{
    (void)state;
    make_domain(3, "web", UUID1, 1, &life_default_actions, &L);
    put("/lamina/domain/3/monitor", "4242");
    script[0] = guest_acks;
    script[1] = guest_powers_off; /* shut down, but a monitor will destroy it: keep waiting */
    script[2] = monitor_destroys;
    script_len = 3;
    enum life_down st;
    unsigned int reason;
    assert_int_equal(life_wait_down(&L, 3, 60000, &st, &reason), 0);
    assert_int_equal(st, LIFE_GONE);
    assert_int_equal(waits, 3);
}

/* The monitor removes the store records before the hypervisor has the domain dying: the
 * waiter must not mistake that moment for a domain nobody watches. */
static void monitor_removes_records(void)
{
    assert_int_equal(xsc_rm(xs, XSC_NO_TX, "/lamina/domain/3"), 0);
    assert_int_equal(xsc_rm(xs, XSC_NO_TX, "/local/domain/3"), 0);
}

static void wait_down_survives_the_teardown_order(void **state)
{
    (void)state;
    make_domain(3, "web", UUID1, 1, &life_default_actions, &L);
    put("/lamina/domain/3/monitor", "4242");
    script[0] = guest_powers_off;
    script[1] = monitor_removes_records; /* still shut down in the hypervisor */
    script[2] = monitor_destroys;
    script_len = 3;
    enum life_down st;
    unsigned int reason;
    assert_int_equal(life_wait_down(&L, 3, 60000, &st, &reason), 0);
    assert_int_equal(st, LIFE_GONE);
    assert_int_equal(waits, 3);
}

static void wait_down_stops_at_a_preserved_shutdown(void **state)
{
    (void)state;
    const struct life_actions acts = {LIFE_PRESERVE, LIFE_RESTART, LIFE_DESTROY};
    make_domain(3, "web", UUID1, 1, &acts, &L);
    put("/lamina/domain/3/monitor", "4242");
    script[0] = guest_powers_off;
    script_len = 1;
    enum life_down st;
    unsigned int reason = 9;
    assert_int_equal(life_wait_down(&L, 3, 60000, &st, &reason), 0);
    assert_int_equal(st, LIFE_SHUTDOWN);
    assert_int_equal(reason, LAM_SHUTDOWN_poweroff);
}

static void a_guest_ignoring_the_request_times_out(void **state)
{
    (void)state;
    make_domain(3, "web", UUID1, 1, &life_default_actions, &L);
    assert_int_equal(life_request_shutdown(&L, 3, "poweroff"), 0);
    enum life_down st;
    unsigned int reason;
    uint64_t t0 = clock_ms;
    assert_int_equal(life_wait_down(&L, 3, 5000, &st, &reason), ETIMEDOUT);
    assert_int_equal(st, LIFE_UP);
    assert_true(clock_ms - t0 >= 5000 && clock_ms - t0 < 6000);
    assert_string_equal(get("/local/domain/3/control/shutdown"), "poweroff"); /* never acked */
    assert_non_null(dom_by_id(3)); /* not destroyed: the user decides */
}

/* ---- the monitor ---- */

static void guest_crashes(void)
{
    shut_down(3, LAM_SHUTDOWN_crash);
}

static void crash_with_destroy_is_logged_and_destroyed(void **state)
{
    (void)state;
    make_domain(3, "web", UUID1, 1, &life_default_actions, &L);
    struct life_monitor m;
    assert_int_equal(life_monitor_init(&L, &m, 3, 4242), 0);
    assert_string_equal(get("/lamina/domain/3/monitor"), "4242");
    script[0] = guest_crashes;
    script_len = 1;
    assert_int_equal(life_monitor_run(&L, &m), 0);
    assert_non_null(strstr(logbuf, "web (id 3): crashed (shutdown reason 3: crash); "
                                   "on_crash=destroy\n"));
    assert_non_null(strstr(logbuf, "web (id 3): destroyed\n"));
    assert_null(dom_by_id(3));
    assert_string_equal(get("/local/domain/3/name"), "<none>");
    assert_int_equal(builds, 0);
    life_monitor_free(&m);
}

static uint16_t current; /* the incarnation the script acts on */
static void current_reboots(void)
{
    shut_down(current, LAM_SHUTDOWN_reboot);
}
static void current_powers_off(void)
{
    shut_down(current, LAM_SHUTDOWN_poweroff);
}

static void reboot_restarts_with_a_new_id(void **state)
{
    (void)state;
    make_domain(3, "web", UUID1, 2, &life_default_actions, &L);
    struct life_monitor m;
    assert_int_equal(life_monitor_init(&L, &m, 3, 4242), 0);
    current = 3;
    script[0] = current_reboots;
    script_len = 1;
    clock_ms += 60000;                                               /* it ran a while */
    assert_int_equal(life_monitor_check(&L, &m), LIFE_MON_CONTINUE); /* running */
    assert_int_equal(life_wait_event(&L, -1), 0);
    assert_int_equal(life_monitor_check(&L, &m), LIFE_MON_CONTINUE);
    assert_int_equal(builds, 1);
    assert_int_equal(m.domid, 10);
    assert_int_equal(m.restarts, 1);
    assert_null(dom_by_id(3));
    assert_string_equal(get("/lamina/domain/10/monitor"), "4242");
    assert_string_equal(get("/local/domain/10/name"), "web");
    assert_non_null(strstr(logbuf, "web: restarted: id 3 -> 10\n"));
    uint16_t succ;
    assert_int_equal(life_wait_successor(&L, UUID1, 3, 1000, &succ), 0);
    assert_int_equal(succ, 10);
    assert_int_equal(life_wait_successor(&L, UUID1, 10, 1000, &succ), ETIMEDOUT);
    /* The new incarnation powers off: on_poweroff=destroy ends the monitor's work. */
    current = 10;
    script[1] = current_powers_off;
    script_len = 2;
    clock_ms += 60000;
    assert_int_equal(life_monitor_run(&L, &m), 0);
    assert_null(dom_by_id(10));
    assert_non_null(strstr(logbuf, "web (id 10): shut down (shutdown reason 0: poweroff); "
                                   "on_poweroff=destroy\n"));
    life_monitor_free(&m);
}

static void user_destroys(void)
{
    assert_int_equal(fake_destroy(&L, 3), 0);
}

static void preserve_keeps_the_domain_until_destroyed(void **state)
{
    (void)state;
    const struct life_actions acts = {LIFE_DESTROY, LIFE_RESTART, LIFE_PRESERVE};
    make_domain(3, "web", UUID1, 1, &acts, &L);
    struct life_monitor m;
    assert_int_equal(life_monitor_init(&L, &m, 3, 4242), 0);
    script[0] = guest_crashes;
    script[1] = user_destroys;
    script_len = 2;
    assert_int_equal(life_monitor_check(&L, &m), LIFE_MON_CONTINUE);
    assert_int_equal(life_wait_event(&L, -1), 0);
    assert_int_equal(life_monitor_check(&L, &m), LIFE_MON_CONTINUE);
    assert_true(m.preserved);
    assert_non_null(dom_by_id(3));
    assert_non_null(strstr(logbuf, "web (id 3): left shut down for inspection"));
    assert_int_equal(destroys, 0);
    /* Checking again does not act twice. */
    assert_int_equal(life_monitor_check(&L, &m), LIFE_MON_CONTINUE);
    assert_int_equal(destroys, 0);
    assert_int_equal(life_monitor_run(&L, &m), 0);
    assert_int_equal(destroys, 1); /* the user's */
    assert_non_null(strstr(logbuf, "web (id 3): gone\n"));
    life_monitor_free(&m);
}

static void crashes_newest(void)
{
    shut_down((uint16_t)(next_id - 1), LAM_SHUTDOWN_crash);
}

static void a_guest_crashing_at_boot_is_not_restarted_forever(void **state)
{
    (void)state;
    const struct life_actions acts = {LIFE_DESTROY, LIFE_RESTART, LIFE_RESTART};
    build_actions = acts;
    make_domain(3, "web", UUID1, 1, &acts, &L);
    next_id = 3;
    dom_by_id(3)->used = false;
    uint16_t first;
    assert_int_equal(fake_build(&L, CONFIG, &first), 0);
    struct life_monitor m;
    assert_int_equal(life_monitor_init(&L, &m, first, 4242), 0);
    for (unsigned i = 0; i < 10; i++)
        script[i] = crashes_newest;
    script_len = 10;
    builds = 0;
    assert_int_equal(life_monitor_check(&L, &m), LIFE_MON_CONTINUE);
    while (!m.preserved && script_pos < script_len) {
        assert_int_equal(life_wait_event(&L, -1), 0);
        life_monitor_check(&L, &m);
    }
    assert_true(m.preserved);
    assert_int_equal(builds, LIFE_FAST_MAX);
    assert_non_null(strstr(logbuf, "not restarting it again"));
    assert_non_null(dom_by_id(m.domid)); /* the last one is kept, shut down */
    life_monitor_free(&m);
}

static void restart_without_a_config_destroys(void **state)
{
    (void)state;
    make_domain(3, "web", UUID1, 1, NULL, &L); /* boot-time style: no records */
    put("/lamina/domain/3/on_reboot", "restart");
    struct life_monitor m;
    assert_int_equal(life_monitor_init(&L, &m, 3, 0), 0);
    assert_null(m.config);
    assert_string_equal(get("/lamina/domain/3/monitor"), "<none>"); /* pid 0: not recorded */
    current = 3;
    clock_ms += 60000;
    current_reboots();
    assert_int_equal(life_monitor_check(&L, &m), LIFE_MON_DONE);
    assert_int_equal(builds, 0);
    assert_null(dom_by_id(3));
    assert_non_null(strstr(logbuf, "cannot restart: its configuration is not in the store"));
    life_monitor_free(&m);
}

static void coredump_and_rename_variants(void **state)
{
    (void)state;
    const struct life_actions acts = {LIFE_COREDUMP_DESTROY, LIFE_RENAME_RESTART,
                                      LIFE_COREDUMP_RESTART};
    make_domain(3, "web", UUID1, 1, &acts, &L);
    struct life_monitor m;
    assert_int_equal(life_monitor_init(&L, &m, 3, 4242), 0);
    clock_ms += 60000;
    current = 3;
    current_reboots(); /* rename-restart: keep the old one renamed, start a new one */
    assert_int_equal(life_monitor_check(&L, &m), LIFE_MON_CONTINUE);
    assert_non_null(dom_by_id(3));
    assert_string_equal(get("/local/domain/3/name"), "web-3");
    assert_int_equal(m.domid, 10);
    uint16_t id;
    assert_int_equal(life_find(&L, "web", &id), 0);
    assert_int_equal(id, 10);
    /* The kept one has a UUID of its own (as libxl_domain_preserve gives it): the
     * configuration's UUID names the new incarnation only. */
    char kept_vm[64];
    snprintf(kept_vm, sizeof(kept_vm), "%s", get("/local/domain/3/vm"));
    assert_int_equal(strlen(kept_vm), 4 + 36);
    assert_string_not_equal(kept_vm + 4, UUID1);
    assert_string_equal(get("%s/name", kept_vm), "web-3");
    assert_int_equal(life_find(&L, UUID1, &id), 0);
    assert_int_equal(id, 10);
    assert_int_equal(life_find(&L, kept_vm + 4, &id), 0);
    assert_int_equal(id, 3);
    clock_ms += 60000;
    shut_down(10, LAM_SHUTDOWN_crash); /* coredump-restart */
    assert_int_equal(life_monitor_check(&L, &m), LIFE_MON_CONTINUE);
    assert_non_null(strstr(logbuf, "web (id 10): core dumps are not written by Lamina; "
                                   "restarting\n"));
    assert_int_equal(m.domid, 11);
    clock_ms += 60000;
    shut_down(11, LAM_SHUTDOWN_poweroff); /* build_actions: default, so destroy */
    m.actions = acts;                     /* as this monitor was told: coredump-destroy */
    assert_int_equal(life_monitor_check(&L, &m), LIFE_MON_DONE);
    assert_non_null(strstr(logbuf, "web (id 11): core dumps are not written by Lamina; "
                                   "destroying\n"));
    assert_null(dom_by_id(11));
    life_monitor_free(&m);
}

/* `lam destroy` run by the user: store nodes removed and the store's connection released
 * first (the store fires @releaseDomain then, while the domain still runs), destroydomain
 * after. The monitor must not wait its long safety poll to notice. */
static void user_releases(void)
{
    assert_int_equal(xsc_rm(xs, XSC_NO_TX, "/local/domain/3"), 0);
    assert_int_equal(xsc_rm(xs, XSC_NO_TX, "/lamina/domain/3"), 0);
}
static void user_destroys_in_the_hypervisor(void)
{
    dom_by_id(3)->used = false;
}

static void a_destroy_by_someone_else_is_seen_at_once(void **state)
{
    (void)state;
    make_domain(3, "web", UUID1, 1, &life_default_actions, &L);
    put("/local/domain/3/domid", "3");
    struct life_monitor m;
    assert_int_equal(life_monitor_init(&L, &m, 3, 4242), 0);
    script[0] = user_releases;
    script[1] = user_destroys_in_the_hypervisor;
    script_len = 2;
    assert_int_equal(life_monitor_run(&L, &m), 0);
    assert_int_equal(waits, 2);
    assert_int_equal(timeouts[0], 30000); /* nothing going on: the safety poll */
    assert_int_equal(timeouts[1], 200);   /* its store home gone: look again soon */
    assert_non_null(strstr(logbuf, "web (id 3): gone\n"));
    life_monitor_free(&m);
}

static void suspend_is_not_an_end(void **state)
{
    (void)state;
    make_domain(3, "web", UUID1, 1, &life_default_actions, &L);
    struct life_monitor m;
    assert_int_equal(life_monitor_init(&L, &m, 3, 4242), 0);
    shut_down(3, LAM_SHUTDOWN_suspend);
    assert_int_equal(life_monitor_check(&L, &m), LIFE_MON_CONTINUE);
    assert_int_equal(destroys + builds, 0);
    assert_false(m.preserved);
    life_monitor_free(&m);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(action_names_round_trip),
        cmocka_unit_test(each_reason_picks_its_action),
        T(find_by_name_uuid_and_id),
        T(info_joins_hypervisor_and_store),
        T(destroy_removes_what_create_wrote),
        T(mem_set_moves_target_and_ceiling),
        T(mem_max_moves_static_max),
        T(vcpu_set_writes_availability),
        T(shutdown_request_goes_to_control),
        T(wait_down_follows_the_guest),
        T(wait_down_survives_the_teardown_order),
        T(wait_down_stops_at_a_preserved_shutdown),
        T(a_guest_ignoring_the_request_times_out),
        T(crash_with_destroy_is_logged_and_destroyed),
        T(reboot_restarts_with_a_new_id),
        T(preserve_keeps_the_domain_until_destroyed),
        T(a_guest_crashing_at_boot_is_not_restarted_forever),
        T(restart_without_a_config_destroys),
        T(coredump_and_rename_variants),
        T(a_destroy_by_someone_else_is_seen_at_once),
        T(suspend_is_not_an_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
