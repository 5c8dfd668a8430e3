/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xen_version: every sub-operation a guest may use, with the values a 64-bit
 * PV control domain must see (Linux panics without feature bits 5 and 7).
 */
#include <lamina/errno.h>
#include <lamina/features.h>
#include <lamina/memory_layout.h>
#include <lamina/version.h>

#include "lam.h"

const char lam_test_title[] = "xen_version sub-operations and feature bits";

static void check_version(void)
{
    long v = hypercall_xen_version(LAM_XENVER_version, NULL);
    lam_printf("version: %lu.%lu\n", (unsigned long)LAM_XENVER_MAJOR(v),
               (unsigned long)LAM_XENVER_MINOR(v));
    /* Linux requires at least 4.0. */
    LAM_CHECK(v > 0 && LAM_XENVER_MAJOR(v) >= 4, "XENVER_version returned %lx", v);

    char extra[LAM_XENVER_EXTRAVERSION_LEN + 1];
    memset(extra, 0x55, sizeof(extra));
    long rc = hypercall_xen_version(LAM_XENVER_extraversion, extra);
    LAM_CHECK(rc == 0, "XENVER_extraversion returned %ld", rc);
    LAM_CHECK(strnlen(extra, LAM_XENVER_EXTRAVERSION_LEN) < LAM_XENVER_EXTRAVERSION_LEN,
              "extraversion is not NUL-terminated within 16 bytes");
    LAM_CHECK(extra[LAM_XENVER_EXTRAVERSION_LEN] == 0x55, "extraversion wrote past 16 bytes");
    lam_printf("extraversion: \"%s\"\n", extra);
}

static void check_strings(void)
{
    static char caps[LAM_XENVER_CAPABILITIES_LEN];
    long rc = hypercall_xen_version(LAM_XENVER_capabilities, caps);
    LAM_CHECK(rc == 0, "XENVER_capabilities returned %ld", rc);
    caps[sizeof(caps) - 1] = 0;
    lam_printf("capabilities: \"%s\"\n", caps);
    LAM_CHECK(strstr(caps, "xen-3.0-x86_64") != NULL, "capabilities lack xen-3.0-x86_64");

    struct lam_xen_compile_info ci;
    memset(&ci, 0, sizeof(ci));
    rc = hypercall_xen_version(LAM_XENVER_compile_info, &ci);
    LAM_CHECK(rc == 0, "XENVER_compile_info returned %ld", rc);
    ci.compiler[sizeof(ci.compiler) - 1] = 0;
    LAM_CHECK(ci.compiler[0] != 0, "compile_info.compiler is empty");

    char changeset[LAM_XENVER_CHANGESET_LEN];
    memset(changeset, 0, sizeof(changeset));
    rc = hypercall_xen_version(LAM_XENVER_changeset, changeset);
    LAM_CHECK(rc == 0, "XENVER_changeset returned %ld", rc);
    changeset[sizeof(changeset) - 1] = 0;
    /* May be empty: Debian's Xen 4.17 is built without a changeset. */
    lam_printf("changeset: \"%s\"\n", changeset);

    /* The control domain may read the hypervisor command line. */
    static char cmdline[LAM_XENVER_COMMANDLINE_LEN];
    rc = hypercall_xen_version(LAM_XENVER_commandline, cmdline);
    LAM_CHECK(rc == 0, "XENVER_commandline returned %ld", rc);
    cmdline[sizeof(cmdline) - 1] = 0;
    lam_printf("commandline: \"%s\"\n", cmdline);
    LAM_CHECK(strstr(cmdline, "dom0_mem=64M") != NULL, "commandline lacks dom0_mem=64M");

    uint8_t handle[LAM_XENVER_GUEST_HANDLE_LEN];
    rc = hypercall_xen_version(LAM_XENVER_guest_handle, handle);
    LAM_CHECK(rc == 0, "XENVER_guest_handle returned %ld", rc);
}

static void check_numbers(void)
{
    struct lam_xen_platform_parameters pp = {0};
    long rc = hypercall_xen_version(LAM_XENVER_platform_parameters, &pp);
    LAM_CHECK(rc == 0, "XENVER_platform_parameters returned %ld", rc);
    LAM_CHECK(pp.virt_start == LAM_HYPERVISOR_VIRT_START, "virt_start %lx, expected %llx",
              pp.virt_start, LAM_HYPERVISOR_VIRT_START);

    rc = hypercall_xen_version(LAM_XENVER_pagesize, NULL);
    LAM_CHECK(rc == (long)LAM_PAGE_SIZE, "XENVER_pagesize returned %ld", rc);

    /* With no buffer, build_id reports its size (or that there is none). */
    rc = hypercall_xen_version(LAM_XENVER_build_id, NULL);
    lam_printf("build_id size: %ld\n", rc);
    LAM_CHECK(rc > 0 || rc == -LAM_ENODATA, "XENVER_build_id(NULL) returned %ld", rc);

    rc = hypercall_xen_version(0x7fff, NULL);
    LAM_CHECK(rc == -LAM_ENOSYS, "unknown xen_version cmd returned %ld", rc);
}

static void check_features(void)
{
    struct lam_xen_feature_info fi = {.submap_idx = 0, .submap = 0};
    long rc = hypercall_xen_version(LAM_XENVER_get_features, &fi);
    LAM_CHECK(rc == 0, "XENVER_get_features returned %ld", rc);
    lam_printf("features[0]: %08x\n", fi.submap);

    static const struct {
        unsigned bit;
        int want;
        const char *name;
    } rules[] = {
        {LAM_XENFEAT_writable_page_tables, 0, "writable_page_tables (translated guests only)"},
        {LAM_XENFEAT_writable_descriptor_tables, 0, "writable_descriptor_tables"},
        {LAM_XENFEAT_auto_translated_physmap, 0, "auto_translated_physmap"},
        {LAM_XENFEAT_supervisor_mode_kernel, 0, "supervisor_mode_kernel"},
        {LAM_XENFEAT_mmu_pt_update_preserve_ad, 1, "mmu_pt_update_preserve_ad"},
        {LAM_XENFEAT_gnttab_map_avail_bits, 1, "gnttab_map_avail_bits"},
        {LAM_XENFEAT_hvm_callback_vector, 0, "hvm_callback_vector"},
        {LAM_XENFEAT_dom0, 1, "dom0 (we are the hardware domain)"},
        {LAM_XENFEAT_not_direct_mapped, 0, "not_direct_mapped"},
        {LAM_XENFEAT_direct_mapped, 1, "direct_mapped (a PV guest is not translated)"},
    };
    for (unsigned i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        int has = (fi.submap >> rules[i].bit) & 1;
        LAM_CHECK(has == rules[i].want, "feature bit %u %s is %s", rules[i].bit, rules[i].name,
                  has ? "set" : "clear");
    }

    fi.submap_idx = LAM_XENFEAT_NR_SUBMAPS;
    rc = hypercall_xen_version(LAM_XENVER_get_features, &fi);
    LAM_CHECK(rc == -LAM_EINVAL, "get_features of submap %u returned %ld", LAM_XENFEAT_NR_SUBMAPS,
              rc);
}

void test_main(void)
{
    check_version();
    check_strings();
    check_numbers();
    check_features();
}
