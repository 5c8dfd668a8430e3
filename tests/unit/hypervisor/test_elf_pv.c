/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PV kernel ELF parser on images built by elf_image.c: a Linux-like
 * kernel that must parse with every field right, and one corruption per
 * rule, each refused with its own error code.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "elf_image.h"
#include <hv/elf_pv.h>
#include <hv/errcodes.h>

#define CAP 65536

static uint8_t img[CAP];
static struct elf_image_spec spec;
static struct elf_pv_info info;

static size_t build(void)
{
    size_t len = elf_image_build(&spec, img, sizeof(img));

    assert_true(len > 0);
    return len;
}

static int parse_spec(void)
{
    return elf_pv_parse(img, build(), &info);
}

static void put64(size_t off, uint64_t v)
{
    memcpy(img + off, &v, 8);
}

static int setup(void **state)
{
    (void)state;
    elf_image_linux(&spec);
    return 0;
}

static void test_linux_like_kernel(void **state)
{
    (void)state;
    assert_int_equal(parse_spec(), 0);
    assert_int_equal(info.entry, 0xffffffff81000100ULL);
    assert_true(info.has_virt_base);
    assert_int_equal(info.virt_base, 0xffffffff80000000ULL);
    assert_true(info.has_paddr_offset);
    assert_int_equal(info.paddr_offset, 0);
    assert_true(info.has_hypercall_page);
    assert_int_equal(info.hypercall_page, 0xffffffff81001000ULL);
    assert_true(info.has_init_p2m);
    assert_int_equal(info.init_p2m, 0x8000000000ULL);
    assert_true(info.has_hv_start_low);
    assert_int_equal(info.hv_start_low, 0xffff800000000000ULL);
    assert_true(info.mod_start_pfn);
    assert_true(info.suspend_cancel);
    assert_int_equal(info.supported_features, 0x8801);
    assert_int_equal(info.features_required, 1u << LAM_XENFEAT_writable_page_tables);
    assert_int_equal(info.features_supported, 0x8801 | (1u << LAM_XENFEAT_pae_pgdir_above_4gb));
    assert_string_equal(info.guest_os, "linux");
    assert_string_equal(info.guest_version, "2.6");
    assert_string_equal(info.loader, "generic");
    assert_string_equal(info.xen_version, "xen-3.0");
    assert_int_equal(info.virt_offset, 0xffffffff80000000ULL);
    assert_int_equal(info.pstart, 0x1000000);
    assert_int_equal(info.pend, 0x1005000);
    assert_int_equal(info.virt_kstart, 0xffffffff81000000ULL);
    assert_int_equal(info.virt_kend, 0xffffffff81005000ULL);
    assert_int_equal(info.nr_segments, 2);
    assert_int_equal(info.segments[1].paddr, 0x1002000);
    assert_int_equal(info.segments[1].filesz, 0x800);
    assert_int_equal(info.segments[1].memsz, 0x3000);
    assert_int_equal(info.segments[1].flags, 6);
    /* Notes sit in both a PT_NOTE and an SHT_NOTE: only the segment counts. */
    assert_int_equal(info.nr_xen_notes, 15);
}

struct load_ctx {
    uint8_t mem[0x10000]; /* pseudo-physical 0x1000000.. */
    unsigned int calls;
};

static int load_write(void *ctx, uint64_t pseudo_phys, const void *src, size_t filesz, size_t memsz)
{
    struct load_ctx *c = ctx;

    if (pseudo_phys < 0x1000000 || pseudo_phys - 0x1000000 + memsz > sizeof(c->mem))
        return -EFAULT;
    memcpy(c->mem + (pseudo_phys - 0x1000000), src, filesz);
    memset(c->mem + (pseudo_phys - 0x1000000) + filesz, 0, memsz - filesz);
    c->calls++;
    return 0;
}

static int fail_write(void *ctx, uint64_t pseudo_phys, const void *src, size_t filesz, size_t memsz)
{
    (void)ctx;
    (void)pseudo_phys;
    (void)src;
    (void)filesz;
    (void)memsz;
    return -ENOMEM;
}

static void test_load_segments(void **state)
{
    struct load_ctx *c = malloc(sizeof(*c));
    size_t len = build();

    (void)state;
    memset(c, 0xcc, sizeof(*c));
    c->calls = 0;
    assert_int_equal(elf_pv_parse(img, len, &info), 0);
    assert_int_equal(elf_pv_load(img, len, &info, c, load_write), 0);
    assert_int_equal(c->calls, 2);
    for (uint64_t i = 0; i < 0x2000; i++)
        assert_int_equal(c->mem[i], elf_image_byte(0, i));
    for (uint64_t i = 0; i < 0x800; i++)
        assert_int_equal(c->mem[0x2000 + i], elf_image_byte(1, i));
    for (uint64_t i = 0x800; i < 0x3000; i++) /* bss */
        assert_int_equal(c->mem[0x2000 + i], 0);
    assert_int_equal(c->mem[0x5000], 0xcc); /* nothing past memsz */
    assert_int_equal(elf_pv_load(img, len, &info, c, fail_write), -ENOMEM);
    /* An info that does not match a (shorter) image is caught, not overread. */
    assert_int_equal(elf_pv_load(img, 0x100, &info, c, load_write), -EINVAL);
    free(c);
}

static uint64_t seen_phys[ELF_PV_MAX_SEGMENTS];
static unsigned int seen;

static int record_write(void *ctx, uint64_t pseudo_phys, const void *src, size_t filesz,
                        size_t memsz)
{
    (void)ctx;
    (void)src;
    (void)filesz;
    (void)memsz;
    seen_phys[seen++] = pseudo_phys;
    return 0;
}

/* PADDR_OFFSET moves the load: pseudo-physical = p_paddr - paddr_offset. */
static void test_paddr_offset(void **state)
{
    (void)state;
    /* virt_offset shrinks by 8 MiB, so ENTRY now lies above virt_kend. */
    elf_image_note_num(&spec, LAM_ELFNOTE_PADDR_OFFSET, 0x800000, 8);
    assert_int_equal(parse_spec(), -ERANGE);
    /* Move VIRT_BASE up by the same amount and it is consistent again. */
    elf_image_note_num(&spec, LAM_ELFNOTE_VIRT_BASE, 0xffffffff80800000ULL, 8);
    assert_int_equal(parse_spec(), 0);
    assert_int_equal(info.virt_offset, 0xffffffff80000000ULL);
    assert_int_equal(info.virt_kstart, 0xffffffff81000000ULL);
    seen = 0;
    assert_int_equal(elf_pv_load(img, build(), &info, NULL, record_write), 0);
    assert_int_equal(seen, 2);
    assert_int_equal(seen_phys[0], 0x800000);
    assert_int_equal(seen_phys[1], 0x802000);
    /* An offset above the lowest p_paddr would make addresses negative. */
    elf_image_note_num(&spec, LAM_ELFNOTE_PADDR_OFFSET, 0x1000001, 8);
    assert_int_equal(parse_spec(), -ERANGE);
}

/* Without VIRT_BASE and PADDR_OFFSET, Xen's defaults: both 0. */
static void test_defaults_without_virt_base(void **state)
{
    (void)state;
    spec.segs[0].vaddr = spec.segs[0].paddr = 0x400000;
    spec.segs[1].vaddr = spec.segs[1].paddr = 0x402000;
    spec.e_entry = 0x400010;
    elf_image_note_drop(&spec, LAM_ELFNOTE_VIRT_BASE);
    elf_image_note_drop(&spec, LAM_ELFNOTE_PADDR_OFFSET);
    elf_image_note_drop(&spec, LAM_ELFNOTE_ENTRY);
    elf_image_note_drop(&spec, LAM_ELFNOTE_HYPERCALL_PAGE);
    assert_int_equal(parse_spec(), 0);
    assert_false(info.has_virt_base);
    assert_false(info.has_paddr_offset);
    assert_int_equal(info.virt_base, 0);
    assert_int_equal(info.entry, 0x400010); /* e_entry */
    assert_int_equal(info.virt_kstart, 0x400000);
    assert_int_equal(info.virt_kend, 0x405000);
    /* PADDR_OFFSET without VIRT_BASE is refused, as in Xen. */
    elf_image_note_num(&spec, LAM_ELFNOTE_PADDR_OFFSET, 0, 8);
    assert_int_equal(parse_spec(), -EINVAL);
}

static void test_notes_from_sections(void **state)
{
    (void)state;
    spec.place = NOTES_IN_SECTION;
    assert_int_equal(parse_spec(), 0);
    assert_int_equal(info.nr_xen_notes, 15);
    assert_int_equal(info.entry, 0xffffffff81000100ULL);
    spec.place = NOTES_IN_SEGMENT;
    assert_int_equal(parse_spec(), 0);
    assert_int_equal(info.nr_xen_notes, 15);
}

static void test_numeric_sizes_and_strings(void **state)
{
    (void)state;
    elf_image_note_num(&spec, LAM_ELFNOTE_MOD_START_PFN, 1, 1);
    elf_image_note_num(&spec, LAM_ELFNOTE_SUSPEND_CANCEL, 0, 2);
    elf_image_note_num(&spec, LAM_ELFNOTE_INIT_P2M, 0x80000000, 4);
    elf_image_note_str(&spec, LAM_ELFNOTE_GUEST_VERSION,
                       "a-very-long-guest-version-string-that-gets-cut");
    assert_int_equal(parse_spec(), 0);
    assert_true(info.mod_start_pfn);
    assert_false(info.suspend_cancel);
    assert_int_equal(info.init_p2m, 0x80000000);
    assert_int_equal(strlen(info.guest_version), ELF_PV_STR_MAX - 1);
    assert_memory_equal(info.guest_version, "a-very-long-guest-version-strin", ELF_PV_STR_MAX - 1);
    elf_image_note_num(&spec, LAM_ELFNOTE_ENTRY, 0xffffffff81000100ULL, 3);
    assert_int_equal(parse_spec(), -EINVAL);
}

static void test_features(void **state)
{
    (void)state;
    elf_image_note_str(&spec, LAM_ELFNOTE_FEATURES, "dom0|!supervisor_mode_kernel|future_thing||");
    elf_image_note_num(&spec, LAM_ELFNOTE_SUPPORTED_FEATURES, 0, 8);
    assert_int_equal(parse_spec(), 0);
    assert_int_equal(info.features_supported,
                     (1u << LAM_XENFEAT_dom0) | (1u << LAM_XENFEAT_supervisor_mode_kernel));
    assert_int_equal(info.features_required, 1u << LAM_XENFEAT_supervisor_mode_kernel);
    elf_image_note_str(&spec, LAM_ELFNOTE_FEATURES, "writable_page_tables|!future_thing");
    assert_int_equal(parse_spec(), -EOPNOTSUPP);
    /* Only the seven names Xen 4.17's libelf knows: others are ignored, and refused when
     * required, although their bits exist. */
    elf_image_note_str(&spec, LAM_ELFNOTE_FEATURES,
                       "mmu_pt_update_preserve_ad|hvm_callback_vector");
    assert_int_equal(parse_spec(), 0);
    assert_int_equal(info.features_supported, 1u << LAM_XENFEAT_hvm_callback_vector);
    elf_image_note_str(&spec, LAM_ELFNOTE_FEATURES, "!gnttab_map_avail_bits");
    assert_int_equal(parse_spec(), -EOPNOTSUPP);
    elf_image_note_str(&spec, LAM_ELFNOTE_FEATURES,
                       "!writable_descriptor_tables|!auto_translated_physmap");
    assert_int_equal(parse_spec(), 0);
    assert_int_equal(info.features_required, (1u << LAM_XENFEAT_writable_descriptor_tables) |
                                                 (1u << LAM_XENFEAT_auto_translated_physmap));
    elf_image_note_num(&spec, LAM_ELFNOTE_FEATURES, 0, 0); /* empty string */
    assert_int_equal(parse_spec(), 0);
    assert_int_equal(info.features_supported, 0);
}

/* Names are read 63 characters at a time, as libelf does: the rest of a longer name is a
 * name of its own, required if it starts with '!'. */
static void test_feature_name_pieces(void **state)
{
    (void)state;
    char s[128];

    elf_image_note_drop(&spec, LAM_ELFNOTE_SUPPORTED_FEATURES);
    memset(s, 'x', 63);
    strcpy(s + 63, "!dom0");
    elf_image_note_str(&spec, LAM_ELFNOTE_FEATURES, s);
    assert_int_equal(parse_spec(), 0);
    assert_int_equal(info.features_supported, 1u << LAM_XENFEAT_dom0);
    assert_int_equal(info.features_required, 1u << LAM_XENFEAT_dom0);
    memset(s, 'x', 62);
    strcpy(s + 62, "!dom0"); /* the piece is "xx..x!" (63), then "dom0" */
    elf_image_note_str(&spec, LAM_ELFNOTE_FEATURES, s);
    assert_int_equal(parse_spec(), 0);
    assert_int_equal(info.features_supported, 1u << LAM_XENFEAT_dom0);
    assert_int_equal(info.features_required, 0);
    s[0] = '!'; /* a required 63-character piece nobody knows */
    elf_image_note_str(&spec, LAM_ELFNOTE_FEATURES, s);
    assert_int_equal(parse_spec(), -EOPNOTSUPP);
}

/* A SUPPORTED_FEATURES note of a size that is not a multiple of 4 is present but reads as 0. */
static void test_supported_features_sizes(void **state)
{
    (void)state;
    elf_image_note_num(&spec, LAM_ELFNOTE_SUPPORTED_FEATURES, 0x800, 6);
    assert_int_equal(parse_spec(), 0);
    assert_true(info.has_supported_features);
    assert_int_equal(info.supported_features, 0);
    elf_image_note_num(&spec, LAM_ELFNOTE_SUPPORTED_FEATURES, 0x800, 2);
    assert_int_equal(parse_spec(), 0);
    assert_int_equal(info.supported_features, 0);
    elf_image_note_num(&spec, LAM_ELFNOTE_SUPPORTED_FEATURES, 0x123456700000800ULL, 8);
    assert_int_equal(parse_spec(), 0);
    assert_int_equal(info.supported_features, 0x800);
}

/* Xen 4.17's dom0 rule: XENFEAT_dom0 is needed only when a SUPPORTED_FEATURES note exists. */
static void test_may_be_dom0(void **state)
{
    (void)state;
    assert_int_equal(parse_spec(), 0); /* Linux-like: the note names dom0 */
    assert_true(elf_pv_may_be_dom0(&info));
    elf_image_note_drop(&spec, LAM_ELFNOTE_SUPPORTED_FEATURES); /* only the FEATURES string */
    assert_int_equal(parse_spec(), 0);
    assert_false(info.has_supported_features);
    assert_false(info.features_supported & (1u << LAM_XENFEAT_dom0));
    assert_true(elf_pv_may_be_dom0(&info));
    elf_image_note_num(&spec, LAM_ELFNOTE_SUPPORTED_FEATURES, 1, 4); /* present, no dom0 bit */
    assert_int_equal(parse_spec(), 0);
    assert_false(elf_pv_may_be_dom0(&info));
    elf_image_note_str(&spec, LAM_ELFNOTE_FEATURES,
                       "pae_pgdir_above_4gb|dom0"); /* ... in the string */
    assert_int_equal(parse_spec(), 0);
    assert_true(elf_pv_may_be_dom0(&info));
    elf_image_note_str(&spec, LAM_ELFNOTE_FEATURES, "!dom0");
    assert_int_equal(parse_spec(), 0);
    assert_true(elf_pv_may_be_dom0(&info));
    elf_image_note_num(&spec, LAM_ELFNOTE_FEATURES, 0, 0);
    elf_image_note_num(&spec, LAM_ELFNOTE_SUPPORTED_FEATURES, 0x800, 3); /* bad size: 0 */
    assert_int_equal(parse_spec(), 0);
    assert_false(elf_pv_may_be_dom0(&info));
}

static void test_bad_headers(void **state)
{
    size_t len;

    (void)state;
    len = build();
    img[0] = 0x7e;
    assert_int_equal(elf_pv_parse(img, len, &info), -ENOEXEC);
    spec.ei_class = 1;
    assert_int_equal(parse_spec(), -ENOEXEC);
    elf_image_linux(&spec);
    spec.ei_data = 2;
    assert_int_equal(parse_spec(), -ENOEXEC);
    elf_image_linux(&spec);
    spec.e_machine = 3;
    assert_int_equal(parse_spec(), -ENOEXEC);
    elf_image_linux(&spec);
    spec.e_type = 3; /* ET_DYN */
    assert_int_equal(parse_spec(), -ENOEXEC);
    elf_image_linux(&spec);
    len = build();
    img[EHDR_PHENTSIZE] = 55;
    assert_int_equal(elf_pv_parse(img, len, &info), -EINVAL);
    len = build();
    put64(EHDR_PHOFF, len - 8); /* table runs off the end */
    assert_int_equal(elf_pv_parse(img, len, &info), -EINVAL);
    len = build();
    put64(EHDR_PHOFF, UINT64_MAX - 16); /* offset + size wraps */
    assert_int_equal(elf_pv_parse(img, len, &info), -EINVAL);
    assert_int_equal(elf_pv_parse(NULL, 0, &info), -EINVAL);
    assert_int_equal(elf_pv_parse(img, 10, &info), -ENOEXEC);
}

static void test_bad_segments(void **state)
{
    size_t len;

    (void)state;
    spec.segs[1].filesz = 0x4000; /* filesz > memsz */
    assert_int_equal(parse_spec(), -EINVAL);
    elf_image_linux(&spec);
    spec.segs[1].paddr = 0x1001000; /* overlaps the first */
    assert_int_equal(parse_spec(), -EINVAL);
    elf_image_linux(&spec);
    spec.segs[1].paddr = UINT64_MAX - 0x1000; /* wraps */
    assert_int_equal(parse_spec(), -EOVERFLOW);
    elf_image_linux(&spec);
    len = build();
    put64(PHDR_OFFSET(1) + 8, len - 0x10); /* file bytes past the end */
    assert_int_equal(elf_pv_parse(img, len, &info), -EINVAL);
    elf_image_linux(&spec);
    for (unsigned int i = 0; i < 2; i++)
        spec.segs[i].type = 6; /* PT_PHDR: nothing loadable */
    assert_int_equal(parse_spec(), -EINVAL);
    elf_image_linux(&spec);
    spec.nsegs = ELF_PV_MAX_SEGMENTS + 1;
    for (unsigned int i = 2; i < spec.nsegs; i++)
        spec.segs[i] = (struct elf_image_seg){
            1, 4, 0xffffffff82000000ULL + i * 0x1000, 0x2000000 + i * 0x1000, 0x10, 0x1000};
    assert_int_equal(parse_spec(), -E2BIG);
    spec.nsegs = ELF_PV_MAX_SEGMENTS; /* exactly the limit is fine */
    assert_int_equal(parse_spec(), 0);
    assert_int_equal(info.nr_segments, ELF_PV_MAX_SEGMENTS);
    /* A PT_LOAD without R/W/X (or empty) is not loadable and is skipped. */
    elf_image_linux(&spec);
    spec.nsegs = 3;
    spec.segs[2] = (struct elf_image_seg){1, 0, 0, 0x1001000, 0x10, 0x10};
    assert_int_equal(parse_spec(), 0);
    assert_int_equal(info.nr_segments, 2);
}

static void test_bad_notes(void **state)
{
    (void)state;
    /* No Xen notes at all: not a PV kernel. */
    spec.nnotes = 1; /* only the GNU note */
    assert_int_equal(parse_spec(), -ENODATA);
    elf_image_linux(&spec);
    elf_image_note_str(&spec, LAM_ELFNOTE_GUEST_OS, "plan9");
    assert_int_equal(parse_spec(), 0); /* LOADER generic is enough */
    elf_image_note_str(&spec, LAM_ELFNOTE_LOADER, "custom");
    assert_int_equal(parse_spec(), -EOPNOTSUPP);
    elf_image_linux(&spec);
    elf_image_note_str(&spec, LAM_ELFNOTE_XEN_VERSION, "xen-2.0");
    assert_int_equal(parse_spec(), -EOPNOTSUPP);
    elf_image_note_drop(&spec, LAM_ELFNOTE_XEN_VERSION);
    assert_int_equal(parse_spec(), -EOPNOTSUPP);
    /* A note whose descsz runs past its segment. */
    elf_image_linux(&spec);
    size_t len = build();
    uint32_t huge = 0x7fffffff;
    size_t notes_off = PHDR_OFFSET(3);
    memcpy(img + notes_off + 4, &huge, 4); /* first note's descsz */
    assert_int_equal(elf_pv_parse(img, len, &info), -EINVAL);
}

static void test_bad_addresses(void **state)
{
    (void)state;
    elf_image_note_num(&spec, LAM_ELFNOTE_ENTRY, 0xffffffff81005001ULL, 8);
    assert_int_equal(parse_spec(), -ERANGE);
    elf_image_note_num(&spec, LAM_ELFNOTE_ENTRY, 0xffffffff81005000ULL, 8); /* == kend: Xen ok */
    assert_int_equal(parse_spec(), 0);
    elf_image_note_num(&spec, LAM_ELFNOTE_ENTRY, 0xffffffff80ffffffULL, 8);
    assert_int_equal(parse_spec(), -ERANGE);
    elf_image_linux(&spec);
    elf_image_note_num(&spec, LAM_ELFNOTE_INIT_P2M, 0xffffffff81003000ULL, 8);
    assert_int_equal(parse_spec(), -ERANGE);
    elf_image_linux(&spec);
    elf_image_note_num(&spec, LAM_ELFNOTE_HYPERCALL_PAGE, 0xffffffff81004800ULL, 8);
    assert_int_equal(parse_spec(), -ERANGE); /* the page would run past kend */
    elf_image_note_num(&spec, LAM_ELFNOTE_HYPERCALL_PAGE, 0x1000, 8);
    assert_int_equal(parse_spec(), -ERANGE);
    elf_image_linux(&spec);
    elf_image_note_num(&spec, LAM_ELFNOTE_VIRT_BASE, 0xffffffff81800000ULL, 8);
    assert_int_equal(parse_spec(), -ERANGE); /* virt_base above virt_kstart */
}

/* Every proper prefix of a valid image is refused, without overreads. */
static void test_every_truncation_refused(void **state)
{
    size_t len = build();

    (void)state;
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1); /* exact size: ASan sees overreads */

        memcpy(copy, img, cut);
        assert_int_not_equal(elf_pv_parse(copy, cut, &info), 0);
        free(copy);
    }
}

/* Debian's kernel package ships a bzImage, not an ELF: refused cleanly. */
static void test_debian_kernel_refused(void **state)
{
    const char *path = getenv("LAMINA_DEBIAN_VMLINUZ");
    FILE *f = path ? fopen(path, "rb") : NULL;

    (void)state;
    if (!f)
        skip();

    uint8_t *buf = malloc(64 << 20);
    size_t len = fread(buf, 1, 64 << 20, f);
    fclose(f);
    assert_true(len > 1024);
    assert_memory_equal(buf + 0x202, "HdrS", 4); /* it is a bzImage */
    assert_int_equal(elf_pv_parse(buf, len, &info), -ENOEXEC);
    free(buf);
}

/* The fuzz seeds are valid kernels, so fuzzing starts deep in the format. */
static void test_fuzz_seeds_parse(void **state)
{
    static const char *const seeds[] = {"linux-both", "linux-sections", "linux-segment",
                                        "minimal-defaults"};
    const char *dir = getenv("LAMINA_ELF_SEEDS");

    (void)state;
    assert_non_null(dir);
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        char path[512];
        FILE *f;
        size_t len;

        snprintf(path, sizeof(path), "%s/%s", dir, seeds[i]);
        f = fopen(path, "rb");
        assert_non_null(f);
        len = fread(img, 1, sizeof(img), f);
        fclose(f);
        uint8_t *copy = malloc(len);
        memcpy(copy, img, len);
        assert_int_equal(elf_pv_parse(copy, len, &info), 0);
        free(copy);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_linux_like_kernel, setup),
        cmocka_unit_test_setup(test_load_segments, setup),
        cmocka_unit_test_setup(test_paddr_offset, setup),
        cmocka_unit_test_setup(test_defaults_without_virt_base, setup),
        cmocka_unit_test_setup(test_notes_from_sections, setup),
        cmocka_unit_test_setup(test_numeric_sizes_and_strings, setup),
        cmocka_unit_test_setup(test_features, setup),
        cmocka_unit_test_setup(test_feature_name_pieces, setup),
        cmocka_unit_test_setup(test_supported_features_sizes, setup),
        cmocka_unit_test_setup(test_may_be_dom0, setup),
        cmocka_unit_test_setup(test_bad_headers, setup),
        cmocka_unit_test_setup(test_bad_segments, setup),
        cmocka_unit_test_setup(test_bad_notes, setup),
        cmocka_unit_test_setup(test_bad_addresses, setup),
        cmocka_unit_test_setup(test_every_truncation_refused, setup),
        cmocka_unit_test_setup(test_debian_kernel_refused, setup),
        cmocka_unit_test_setup(test_fuzz_seeds_parse, setup),
    };

    return cmocka_run_group_tests_name("elf_pv", tests, NULL, NULL);
}
