/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libhvctl against a simulated hypervisor: a small domain table answering
 * domctl the way Lamina and Xen 4.17 do (getdomaininfo returns the first
 * domain at or above the id; the interface version is checked).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hvctl.h"
#include "lamina/domctl.h"
#include "lamina/hypercall-numbers.h"
#include "lamina/sysctl.h"

struct fake_dom {
    uint16_t id;
    uint32_t flags;
    uint64_t tot_pages;
    unsigned int weight, cap, pauses;
    uint64_t affinity[2]; /* two vCPUs; 0 = every CPU */
};

struct fake_hv {
    struct fake_dom doms[8];
    unsigned int nr;
    unsigned int calls;
    uint32_t last_cmd;
    long fail_from_call; /* > 0: answer -EIO from this call on */
    bool go_backwards;   /* getdomaininfo answers with id 0 whatever is asked */
    bool no_list_sysctl; /* sysctl getdomaininfolist answers -ENOSYS */
    unsigned int list_calls;
};

static struct fake_dom *find(struct fake_hv *hv, uint16_t id)
{
    for (unsigned int i = 0; i < hv->nr; i++)
        if (hv->doms[i].id == id)
            return &hv->doms[i];
    return NULL;
}

static long fake_domctl(struct fake_hv *hv, struct lam_domctl *op)
{
    if (op->interface_version != LAM_DOMCTL_INTERFACE_VERSION)
        return -EACCES;
    if (op->cmd == LAM_DOMCTL_getdomaininfo) {
        for (unsigned int i = 0; i < hv->nr; i++) {
            const struct fake_dom *d = &hv->doms[i];
            if (d->id < op->domain && !hv->go_backwards)
                continue;
            memset(&op->u.getdomaininfo, 0, sizeof(op->u.getdomaininfo));
            op->u.getdomaininfo.domain = d->id;
            op->u.getdomaininfo.flags = d->flags;
            op->u.getdomaininfo.tot_pages = d->tot_pages;
            op->u.getdomaininfo.nr_online_vcpus = 1;
            op->domain = d->id;
            return 0;
        }
        return -ESRCH;
    }
    struct fake_dom *d = find(hv, op->domain);
    if (!d)
        return -ESRCH;
    switch (op->cmd) {
    case LAM_DOMCTL_destroydomain:
        if (d->id == 0)
            return -EINVAL;
        d->flags |= LAM_DOMINF_dying;
        return 0;
    case LAM_DOMCTL_pausedomain:
        d->pauses++;
        d->flags |= LAM_DOMINF_paused;
        return 0;
    case LAM_DOMCTL_unpausedomain:
        if (!d->pauses)
            return -EINVAL;
        if (--d->pauses == 0)
            d->flags &= ~LAM_DOMINF_paused;
        return 0;
    case LAM_DOMCTL_scheduler_op: {
        struct lam_domctl_scheduler_op *s = &op->u.scheduler_op;
        if (s->sched_id != LAM_SCHEDULER_CREDIT)
            return -EINVAL;
        if (s->cmd == LAM_DOMCTL_SCHEDOP_getinfo) {
            s->u.credit.weight = (uint16_t)d->weight;
            s->u.credit.cap = (uint16_t)d->cap;
            return 0;
        }
        if (s->u.credit.weight)
            d->weight = s->u.credit.weight;
        if (s->u.credit.cap != 0xffff)
            d->cap = s->u.credit.cap;
        return 0;
    }
    case LAM_DOMCTL_setvcpuaffinity:
    case LAM_DOMCTL_getvcpuaffinity: {
        struct lam_domctl_vcpuaffinity *a = &op->u.vcpuaffinity;
        if (a->vcpu >= 2)
            return -EINVAL;
        uint8_t *map = (uint8_t *)(uintptr_t)a->cpumap_hard.bitmap;
        if (op->cmd == LAM_DOMCTL_setvcpuaffinity) {
            uint64_t m = 0;
            for (unsigned int i = 0; i < a->cpumap_hard.nr_bits / 8; i++)
                m |= (uint64_t)map[i] << (8 * i);
            if (!(m & 3)) /* two CPUs online */
                return -EINVAL;
            d->affinity[a->vcpu] = m & 3;
        }
        uint64_t m = d->affinity[a->vcpu] ? d->affinity[a->vcpu] : 3;
        for (unsigned int i = 0; i < a->cpumap_hard.nr_bits / 8; i++)
            map[i] = (uint8_t)(m >> (8 * i));
        return 0;
    }
    case LAM_DOMCTL_getvcpuinfo: {
        struct lam_domctl_getvcpuinfo *g = &op->u.getvcpuinfo;
        if (g->vcpu >= 2)
            return -EINVAL;
        uint64_t m = d->affinity[g->vcpu] ? d->affinity[g->vcpu] : 3;
        g->online = 1;
        g->cpu = (uint32_t)__builtin_ctzll(m);
        g->cpu_time = 1000;
        return 0;
    }
    case LAM_DOMCTL_max_mem:
        d->tot_pages = op->u.max_mem.max_memkb / 4;
        return 0;
    default:
        return -ENOSYS;
    }
}

/* getdomaininfolist: the domains from first_domain up, as many as the buffer holds. */
static long fake_sysctl(struct fake_hv *hv, struct lam_sysctl *op)
{
    if (op->interface_version != LAM_SYSCTL_INTERFACE_VERSION)
        return -EACCES;
    if (op->cmd != LAM_SYSCTL_getdomaininfolist || hv->no_list_sysctl)
        return -ENOSYS;
    hv->list_calls++;
    struct lam_sysctl_getdomaininfolist *l = &op->u.getdomaininfolist;
    struct lam_domctl_getdomaininfo *buf = (void *)(uintptr_t)l->buffer;
    uint32_t n = 0;
    for (unsigned int i = 0; i < hv->nr && n < l->max_domains; i++) {
        const struct fake_dom *d = &hv->doms[i];
        if (d->id < l->first_domain && !hv->go_backwards)
            continue;
        memset(&buf[n], 0, sizeof(buf[n]));
        buf[n].domain = hv->go_backwards ? 0 : d->id;
        buf[n].flags = d->flags;
        buf[n].tot_pages = d->tot_pages;
        buf[n].nr_online_vcpus = 1;
        n++;
    }
    l->num_domains = n;
    return 0;
}

static long fake_hypercall(void *ctx, unsigned long nr, const uint64_t args[5])
{
    struct fake_hv *hv = ctx;
    hv->calls++;
    if (hv->fail_from_call && hv->calls >= (unsigned long)hv->fail_from_call)
        return -EIO;
    if (nr == LAM_HYPERCALL_SYSCTL)
        return fake_sysctl(hv, (struct lam_sysctl *)(uintptr_t)args[0]);
    if (nr != LAM_HYPERCALL_DOMCTL)
        return -ENOSYS;
    struct lam_domctl *op = (struct lam_domctl *)(uintptr_t)args[0];
    hv->last_cmd = op->cmd;
    return fake_domctl(hv, op);
}

static struct fake_hv hv;

static int setup(void **state)
{
    memset(&hv, 0, sizeof(hv));
    hv.doms[0] =
        (struct fake_dom){.id = 0, .flags = LAM_DOMINF_running, .tot_pages = 65536, .weight = 256};
    hv.doms[1] =
        (struct fake_dom){.id = 1, .flags = LAM_DOMINF_blocked, .tot_pages = 4096, .weight = 256};
    hv.doms[2] = (struct fake_dom){
        .id = 3, .flags = LAM_DOMINF_shutdown | (3u << LAM_DOMINF_shutdown_shift), .weight = 512};
    hv.doms[3] =
        (struct fake_dom){.id = 7, .flags = LAM_DOMINF_dying | LAM_DOMINF_shutdown, .tot_pages = 1};
    hv.nr = 4;
    struct hvctl *h = hvctl_open_with(fake_hypercall, &hv);
    assert_non_null(h);
    *state = h;
    return 0;
}

static int teardown(void **state)
{
    hvctl_close(*state);
    return 0;
}

static void list_walks_every_domain_in_order(void **state)
{
    struct hvctl_dominfo *list = NULL;
    size_t n = 0;
    assert_int_equal(hvctl_domain_list(*state, &list, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(list[0].domid, 0);
    assert_true(list[0].running);
    assert_int_equal(list[0].tot_pages, 65536);
    assert_int_equal(list[1].domid, 1);
    assert_true(list[1].blocked);
    assert_int_equal(list[2].domid, 3);
    assert_true(list[2].shutdown);
    assert_int_equal(list[2].shutdown_reason, 3);
    assert_int_equal(list[3].domid, 7);
    assert_true(list[3].dying);
    /* One getdomaininfolist for all of them. */
    assert_int_equal(hv.calls, 1);
    assert_int_equal(hv.list_calls, 1);
    free(list);
}

static void without_the_list_sysctl_each_domain_is_asked_for(void **state)
{
    hv.no_list_sysctl = true;
    struct hvctl_dominfo *list = NULL;
    size_t n = 0;
    assert_int_equal(hvctl_domain_list(*state, &list, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(list[2].domid, 3);
    assert_int_equal(list[3].domid, 7);
    assert_true(list[3].dying);
    /* The refused sysctl, one getdomaininfo per domain, the one that finds nothing. */
    assert_int_equal(hv.calls, 6);
    free(list);
}

static void info_wants_the_exact_id(void **state)
{
    struct hvctl_dominfo d;
    assert_int_equal(hvctl_domain_info(*state, 2, &d), -ESRCH); /* the next one is d3 */
    assert_int_equal(hvctl_domain_info(*state, 3, &d), 0);
    assert_int_equal(d.domid, 3);
    assert_int_equal(hvctl_domain_info(*state, 8, &d), -ESRCH);
}

static void a_hypervisor_going_backwards_cannot_loop_the_list(void **state)
{
    hv.go_backwards = true;
    hv.no_list_sysctl = true;
    struct hvctl_dominfo *list = NULL;
    size_t n = 0;
    assert_int_equal(hvctl_domain_list(*state, &list, &n), -EIO);
    assert_true(hv.calls < 5);
}

static void a_list_sysctl_going_backwards_is_not_trusted(void **state)
{
    hv.go_backwards = true; /* every entry says domain 0: the second is out of order */
    struct hvctl_dominfo *list = NULL;
    size_t n = 0;
    assert_int_equal(hvctl_domain_list(*state, &list, &n), -EIO);
    assert_int_equal(hv.list_calls, 1);
}

static void an_error_in_the_middle_of_a_list_is_reported(void **state)
{
    hv.no_list_sysctl = true;
    hv.fail_from_call = 3;
    struct hvctl_dominfo *list = (void *)1;
    size_t n = 99;
    assert_int_equal(hvctl_domain_list(*state, &list, &n), -EIO);
    assert_int_equal(n, 99); /* outputs untouched on failure */
}

static void lifecycle_calls_reach_the_hypervisor(void **state)
{
    assert_int_equal(hvctl_domain_pause(*state, 1), 0);
    assert_int_equal(hv.last_cmd, LAM_DOMCTL_pausedomain);
    struct hvctl_dominfo d;
    assert_int_equal(hvctl_domain_info(*state, 1, &d), 0);
    assert_true(d.paused);
    assert_string_equal(hvctl_state_name(&d), "paused");
    assert_int_equal(hvctl_domain_unpause(*state, 1), 0);
    assert_int_equal(hvctl_domain_unpause(*state, 1), -EINVAL);
    assert_int_equal(hvctl_domain_destroy(*state, 0), -EINVAL);
    assert_int_equal(hvctl_domain_destroy(*state, 1), 0);
    assert_int_equal(hv.last_cmd, LAM_DOMCTL_destroydomain);
    assert_int_equal(hvctl_domain_info(*state, 1, &d), 0);
    assert_string_equal(hvctl_state_name(&d), "dying");
    assert_int_equal(hvctl_domain_destroy(*state, 42), -ESRCH);
    assert_int_equal(hvctl_domain_set_max_mem(*state, 1, 8192), 0);
    assert_int_equal(hv.doms[1].tot_pages, 2048);
}

static void sched_credit_encodes_leave_as_is(void **state)
{
    unsigned int w = 0, c = 0;
    assert_int_equal(hvctl_sched_credit_get(*state, 3, &w, &c), 0);
    assert_int_equal(w, 512);
    assert_int_equal(c, 0);
    assert_int_equal(hvctl_sched_credit_set(*state, 3, 0, 25), 0); /* weight unchanged */
    assert_int_equal(hvctl_sched_credit_get(*state, 3, &w, &c), 0);
    assert_int_equal(w, 512);
    assert_int_equal(c, 25);
    assert_int_equal(hvctl_sched_credit_set(*state, 3, 100, -1), 0); /* cap unchanged */
    assert_int_equal(hvctl_sched_credit_get(*state, 3, &w, &c), 0);
    assert_int_equal(w, 100);
    assert_int_equal(c, 25);
    unsigned int before = hv.calls;
    assert_int_equal(hvctl_sched_credit_set(*state, 3, 70000, 0), -EINVAL);
    assert_int_equal(hvctl_sched_credit_set(*state, 3, 1, -2), -EINVAL);
    assert_int_equal(hv.calls, before); /* refused without asking the hypervisor */
}

static void vcpu_pinning_round_trips_the_bitmap(void **state)
{
    uint64_t eff = 0, got = 0;
    struct hvctl_vcpuinfo vi;
    assert_int_equal(hvctl_vcpu_get_affinity(*state, 1, 1, &got), 0);
    assert_int_equal(got, 3);
    assert_int_equal(hvctl_vcpu_set_affinity(*state, 1, 1, 0x6, &eff), 0); /* CPU 2 is offline */
    assert_int_equal(eff, 0x2);
    assert_int_equal(hvctl_vcpu_get_affinity(*state, 1, 1, &got), 0);
    assert_int_equal(got, 0x2);
    assert_int_equal(hvctl_vcpu_info(*state, 1, 1, &vi), 0);
    assert_int_equal(vi.cpu, 1);
    assert_true(vi.online);
    assert_int_equal(hvctl_vcpu_set_affinity(*state, 1, 1, 0x4, NULL), -EINVAL);
    unsigned int before = hv.calls;
    assert_int_equal(hvctl_vcpu_set_affinity(*state, 1, 1, 0, NULL), -EINVAL);
    assert_int_equal(hv.calls, before); /* an empty mask is refused here */
    assert_int_equal(hvctl_vcpu_info(*state, 1, 7, &vi), -EINVAL);
    assert_int_equal(hvctl_vcpu_info(*state, 9, 0, &vi), -ESRCH);
}

static void names_and_messages(void **state)
{
    (void)state;
    struct hvctl_dominfo d = {.shutdown = true, .shutdown_reason = 3};
    assert_string_equal(hvctl_state_name(&d), "crashed");
    d.shutdown_reason = 0;
    assert_string_equal(hvctl_state_name(&d), "shutdown");
    assert_string_equal(hvctl_shutdown_name(1), "reboot");
    assert_string_equal(hvctl_shutdown_name(77), "unknown");
    assert_string_equal(hvctl_strerror(-ESRCH), "no such domain");
    assert_non_null(strstr(hvctl_strerror(-EPERM), "dom0"));
    assert_non_null(hvctl_strerror(-E2BIG));
}

static void privcmd_open_outside_dom0_fails_cleanly(void **state)
{
    (void)state;
    /* This host is not a Xen dom0: the device is missing and errno says so. */
    struct hvctl *h = hvctl_open();
    if (h) {
        hvctl_close(h);
        skip();
    }
    assert_true(errno == ENOENT || errno == EACCES || errno == ENODEV);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(list_walks_every_domain_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(without_the_list_sysctl_each_domain_is_asked_for, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_list_sysctl_going_backwards_is_not_trusted, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(info_wants_the_exact_id, setup, teardown),
        cmocka_unit_test_setup_teardown(a_hypervisor_going_backwards_cannot_loop_the_list, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(an_error_in_the_middle_of_a_list_is_reported, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(lifecycle_calls_reach_the_hypervisor, setup, teardown),
        cmocka_unit_test_setup_teardown(sched_credit_encodes_leave_as_is, setup, teardown),
        cmocka_unit_test_setup_teardown(vcpu_pinning_round_trips_the_bitmap, setup, teardown),
        cmocka_unit_test(names_and_messages),
        cmocka_unit_test(privcmd_open_outside_dom0_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
