/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * createdomain's configuration check (hypervisor/common/domctl_config.c, unchanged): each
 * refusal Xen 4.17 gives a 64-bit PV domain on a host without HVM, with its error code; the
 * order of the checks where a configuration breaks two rules (the first one Xen looks at
 * decides the answer); the defaults and limits it hands to domain_create; and that a refused
 * configuration leaves the output untouched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/domctl.h>
#include <hv/errcodes.h>

#define EMU_PIT       (1U << 8)  /* XEN_X86_EMU_PIT */
#define EMU_LAPIC     (1U << 0)  /* XEN_X86_EMU_LAPIC, an HVM one */
#define EMU_BEYOND    (1U << 11) /* past XEN_X86_EMU_ALL */
#define MSR_RELAXED   (1U << 0)  /* XEN_X86_MSR_RELAXED */
#define OUT_UNTOUCHED 0xa5

static const struct createdomain_limits lim = {
    .max_vcpus = 32,
    .max_grant_frames = 64,
    .max_maptrack_frames = 1024,
    .max_grant_version = 1,
    .max_evtchns = 4096,
};

/* What xl asks for a small PV guest. */
static struct lam_domctl_createdomain good(void)
{
    return (struct lam_domctl_createdomain){
        .max_vcpus = 2,
        .max_evtchn_port = 1023,
        .max_grant_frames = 32,
        .max_maptrack_frames = 1024,
        .grant_opts = 1,
    };
}

/* The check's answer for c; a refusal must not have written *out. */
static int check(const struct lam_domctl_createdomain *c, struct domain_config *out)
{
    memset(out, OUT_UNTOUCHED, sizeof(*out));
    int rc = createdomain_check(c, &lim, out);
    if (rc) {
        const unsigned char *p = (const unsigned char *)out;
        for (size_t i = 0; i < sizeof(*out); i++)
            assert_int_equal(p[i], OUT_UNTOUCHED);
    }
    return rc;
}

static int rc_of(const struct lam_domctl_createdomain *c)
{
    struct domain_config out;
    return check(c, &out);
}

static void test_pv_config_taken(void **state)
{
    (void)state;
    struct lam_domctl_createdomain c = good();
    struct domain_config out;
    assert_int_equal(check(&c, &out), 0);
    assert_int_equal(out.max_vcpus, 2);
    assert_int_equal(out.max_evtchns, 1024);
    assert_int_equal(out.max_grant_frames, 32);
    assert_int_equal(out.max_maptrack_frames, 1024);
    /* Flags a PV domain may carry: shadow out-of-sync off, xenstore domain. */
    c.flags = LAM_DOMCTL_CDF_oos_off | LAM_DOMCTL_CDF_xs_domain;
    c.arch_emulation_flags = EMU_PIT;
    c.arch_misc_flags = MSR_RELAXED;
    assert_int_equal(check(&c, &out), 0);
}

static void test_unknown_flags_first(void **state)
{
    (void)state;
    struct lam_domctl_createdomain c = good();
    c.flags = 1U << 8;
    assert_int_equal(rc_of(&c), -EINVAL);
    /* An unknown flag decides before HVM's -EOPNOTSUPP. */
    c.flags |= LAM_DOMCTL_CDF_hvm;
    assert_int_equal(rc_of(&c), -EINVAL);
}

static void test_hvm_not_supported(void **state)
{
    (void)state;
    struct lam_domctl_createdomain c = good();
    c.flags = LAM_DOMCTL_CDF_hvm;
    assert_int_equal(rc_of(&c), -EOPNOTSUPP);
    /* ... before the rest of the configuration is looked at. */
    c.flags = LAM_DOMCTL_CDF_hvm | LAM_DOMCTL_CDF_hap | LAM_DOMCTL_CDF_iommu;
    c.max_vcpus = 0;
    c.grant_opts = 0xf0;
    c.arch_emulation_flags = EMU_LAPIC;
    assert_int_equal(rc_of(&c), -EOPNOTSUPP);
}

static void test_unavailable_features(void **state)
{
    (void)state;
    const uint32_t refused[] = {LAM_DOMCTL_CDF_hap, LAM_DOMCTL_CDF_s3_integrity,
                                LAM_DOMCTL_CDF_iommu, LAM_DOMCTL_CDF_nested_virt,
                                LAM_DOMCTL_CDF_vpmu};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        struct lam_domctl_createdomain c = good();
        c.flags = refused[i];
        assert_int_equal(rc_of(&c), -EINVAL);
    }
    struct lam_domctl_createdomain c = good();
    c.iommu_opts = 1;
    assert_int_equal(rc_of(&c), -EINVAL);
    c = good();
    c.vmtrace_size = 4096;
    assert_int_equal(rc_of(&c), -EINVAL);
}

static void test_vcpus(void **state)
{
    (void)state;
    struct lam_domctl_createdomain c = good();
    c.max_vcpus = 0;
    assert_int_equal(rc_of(&c), -EINVAL);
    c.max_vcpus = lim.max_vcpus;
    assert_int_equal(rc_of(&c), 0);
    c.max_vcpus = lim.max_vcpus + 1;
    assert_int_equal(rc_of(&c), -EINVAL);
    c.max_vcpus = UINT32_MAX;
    assert_int_equal(rc_of(&c), -EINVAL);
}

static void test_arch_flags(void **state)
{
    (void)state;
    struct lam_domctl_createdomain c = good();
    c.arch_emulation_flags = EMU_BEYOND;
    assert_int_equal(rc_of(&c), -EINVAL); /* not an emulation flag at all */
    c.arch_emulation_flags = EMU_LAPIC;
    assert_int_equal(rc_of(&c), -EOPNOTSUPP); /* one, but not for PV */
    c.arch_emulation_flags = EMU_LAPIC | EMU_PIT;
    assert_int_equal(rc_of(&c), -EOPNOTSUPP);
    c = good();
    c.arch_misc_flags = 1U << 1;
    assert_int_equal(rc_of(&c), -EINVAL);
    /* The misc flags are looked at before the emulation flags' PV rule. */
    c.arch_emulation_flags = EMU_LAPIC;
    assert_int_equal(rc_of(&c), -EINVAL);
}

static void test_grant_version(void **state)
{
    (void)state;
    struct lam_domctl_createdomain c = good();
    c.grant_opts = 0;
    assert_int_equal(rc_of(&c), -EINVAL);
    c.grant_opts = 2; /* above the host's max-ver */
    assert_int_equal(rc_of(&c), -EINVAL);
    c.grant_opts = 1 | 0x10; /* bits outside the version */
    assert_int_equal(rc_of(&c), -EINVAL);
    /* A version the host allows is taken (a host with max-ver 2). */
    struct createdomain_limits v2 = lim;
    v2.max_grant_version = 2;
    struct domain_config out;
    c.grant_opts = 2;
    assert_int_equal(createdomain_check(&c, &v2, &out), 0);
}

static void test_grant_frames(void **state)
{
    (void)state;
    struct lam_domctl_createdomain c = good();
    struct domain_config out;
    /* Negative: the host's defaults. */
    c.max_grant_frames = -1;
    c.max_maptrack_frames = -1;
    assert_int_equal(check(&c, &out), 0);
    assert_int_equal(out.max_grant_frames, (int)lim.max_grant_frames);
    assert_int_equal(out.max_maptrack_frames, (int)lim.max_maptrack_frames);
    c = good();
    c.max_grant_frames = 0; /* fewer than the one frame a table starts with */
    assert_int_equal(rc_of(&c), -EINVAL);
    c.max_grant_frames = (int)lim.max_grant_frames;
    assert_int_equal(rc_of(&c), 0);
    c.max_grant_frames = (int)lim.max_grant_frames + 1;
    assert_int_equal(rc_of(&c), -EINVAL);
    c = good();
    c.max_maptrack_frames = 0; /* a domain that maps no grants */
    assert_int_equal(check(&c, &out), 0);
    assert_int_equal(out.max_maptrack_frames, 0);
    c.max_maptrack_frames = (int)lim.max_maptrack_frames + 1;
    assert_int_equal(rc_of(&c), -EINVAL);
}

static void test_event_channels(void **state)
{
    (void)state;
    struct lam_domctl_createdomain c = good();
    struct domain_config out;
    c.max_evtchn_port = 0; /* port 0 only */
    assert_int_equal(check(&c, &out), 0);
    assert_int_equal(out.max_evtchns, 1);
    c.max_evtchn_port = lim.max_evtchns - 1;
    assert_int_equal(check(&c, &out), 0);
    assert_int_equal(out.max_evtchns, lim.max_evtchns);
    /* More than the 2-level ABI has: clamped, without wrapping at 2^32. */
    c.max_evtchn_port = lim.max_evtchns;
    assert_int_equal(check(&c, &out), 0);
    assert_int_equal(out.max_evtchns, lim.max_evtchns);
    c.max_evtchn_port = UINT32_MAX;
    assert_int_equal(check(&c, &out), 0);
    assert_int_equal(out.max_evtchns, lim.max_evtchns);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pv_config_taken),
        cmocka_unit_test(test_unknown_flags_first),
        cmocka_unit_test(test_hvm_not_supported),
        cmocka_unit_test(test_unavailable_features),
        cmocka_unit_test(test_vcpus),
        cmocka_unit_test(test_arch_flags),
        cmocka_unit_test(test_grant_version),
        cmocka_unit_test(test_grant_frames),
        cmocka_unit_test(test_event_channels),
    };

    return cmocka_run_group_tests_name("domctl_config", tests, NULL, NULL);
}
