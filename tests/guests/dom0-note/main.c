/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Booted as the first domain with feature notes other than Linux's pair
 * (test.mk picks them: lib/features_*.S). Xen 4.17 demands XENFEAT_dom0 only
 * from a kernel that has a SUPPORTED_FEATURES note, so a kernel with only
 * the FEATURES string is dom0 like any other. The kernel reads its own notes
 * back (to prove it was built as intended), then checks that it really is
 * the hardware domain: start_info flags, XENFEAT_dom0 reported by
 * xen_version, and a privileged domctl that works.
 */
#include <lamina/domctl.h>
#include <lamina/elfnote.h>
#include <lamina/features.h>
#include <lamina/version.h>

#include "domctl_util.h"

const char lam_test_title[] = "dom0 from a kernel without XENFEAT_dom0 in SUPPORTED_FEATURES";

/* test.mk sets EXPECT_SUPPORTED_NOTE (the image has a SUPPORTED_FEATURES note) and
 * EXPECT_STRING_DOM0 (its FEATURES string names dom0) for each variant. */

extern const uint8_t __note_xen_start[], __note_xen_end[];

struct own_notes {
    int supported_present;
    uint32_t supported;
    const char *features;
};

/* Walk our own .note.Xen section (the builder read the same bytes). Linker-defined bounds:
 * offsets from the start, not pointer comparisons. */
static struct own_notes read_own_notes(void)
{
    struct own_notes n = {0};
    const uint8_t *base = __note_xen_start;
    size_t len = (uintptr_t)__note_xen_end - (uintptr_t)__note_xen_start;
    for (size_t off = 0; off + 12 <= len;) {
        uint32_t namesz, descsz, type;
        memcpy(&namesz, base + off, 4);
        memcpy(&descsz, base + off + 4, 4);
        memcpy(&type, base + off + 8, 4);
        size_t desc = off + 12 + ((namesz + 3) & ~3u);
        if (type == LAM_ELFNOTE_SUPPORTED_FEATURES && descsz >= 4) {
            n.supported_present = 1;
            memcpy(&n.supported, base + desc, 4);
        }
        if (type == LAM_ELFNOTE_FEATURES)
            n.features = (const char *)(base + desc);
        off = desc + ((descsz + 3) & ~3u);
    }
    return n;
}

static int names_dom0(const char *s)
{
    for (const char *p = s; p && (p = strstr(p, "dom0")) != NULL; p += 4)
        if ((p == s || p[-1] == '|' || p[-1] == '!') && (p[4] == '\0' || p[4] == '|'))
            return 1;
    return 0;
}

void test_main(void)
{
    struct own_notes n = read_own_notes();
    lam_printf("own notes: SUPPORTED_FEATURES %s (0x%x), FEATURES \"%s\"\n",
               n.supported_present ? "present" : "absent", n.supported,
               n.features ? n.features : "(none)");
    if (n.supported_present != EXPECT_SUPPORTED_NOTE || !n.features ||
        names_dom0(n.features) != EXPECT_STRING_DOM0 || (n.supported & (1u << LAM_XENFEAT_dom0))) {
        lam_error("the image's notes are not the ones this variant is built to have");
        return;
    }

    uint32_t flags = lam_start_info->flags;
    lam_printf("start_info flags 0x%x\n", flags);
    LAM_CHECK((flags & (LAM_SIF_PRIVILEGED | LAM_SIF_INITDOMAIN)) ==
                  (LAM_SIF_PRIVILEGED | LAM_SIF_INITDOMAIN),
              "start_info flags 0x%x: not privileged and initial domain", flags);

    struct lam_xen_feature_info fi = {.submap_idx = 0};
    long rc = hypercall_xen_version(LAM_XENVER_get_features, &fi);
    lam_printf("get_features(0): rc %ld submap 0x%x\n", rc, fi.submap);
    LAM_CHECK(rc == 0 && (fi.submap & (1u << LAM_XENFEAT_dom0)),
              "XENFEAT_dom0 not reported (rc %ld, submap 0x%x)", rc, fi.submap);

    static struct lam_domctl op;
    rc = lam_domctl(&op, LAM_DOMCTL_getdomaininfo, 0);
    lam_printf("domctl getdomaininfo(0): rc %ld, domain %u\n", rc,
               (unsigned)op.u.getdomaininfo.domain);
    LAM_CHECK(rc == 0 && op.u.getdomaininfo.domain == 0, "privileged domctl refused: %ld", rc);
}
