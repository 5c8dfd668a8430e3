/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libdombuild's pure parts: payload decompression (every format against the system
 * libraries' own encoders), kernel images (the elf_pv seed kernels raw, compressed whole
 * and wrapped in bzImages; Debian's vmlinuz when the build has it), bad images, the layout
 * for Linux-like and minimal kernels, the boot page tables walked back like an MMU,
 * start_info and vCPU 0.
 */
#include <bzlib.h>
#include <errno.h>
#include <lzma.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include <cmocka.h>

#include "dombuild.h"
#include "region.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <lamina/start_info.h>
#include <lamina/vcpu.h>

#ifndef SEED_DIR
#define SEED_DIR "tests/fuzz/elf_pv/corpus"
#endif

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

static uint8_t *seed(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", SEED_DIR, name);
    uint8_t *b = slurp(path, len);
    assert_non_null(b);
    return b;
}

/* ---- compressors (the libraries' own encoders), with Linux's 4-byte size trailer ---- */

static uint8_t *pack(enum dombuild_compression c, const uint8_t *in, size_t len, size_t *out_len)
{
    size_t cap = len * 2 + 1024;
    uint8_t *out = malloc(cap + 4);
    assert_non_null(out);
    size_t n = 0;
    switch (c) {
    case DOMBUILD_COMP_GZIP: {
        z_stream z;
        memset(&z, 0, sizeof(z));
        assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
                         Z_OK);
        z.next_in = (Bytef *)(uintptr_t)in;
        z.avail_in = (uInt)len;
        z.next_out = out;
        z.avail_out = (uInt)cap;
        assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
        n = z.total_out;
        deflateEnd(&z);
        break;
    }
    case DOMBUILD_COMP_XZ:
        assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, in, len, out, &n, cap),
                         LZMA_OK);
        break;
    case DOMBUILD_COMP_LZMA: {
        lzma_options_lzma o;
        lzma_lzma_preset(&o, 6);
        lzma_stream s = LZMA_STREAM_INIT;
        assert_int_equal(lzma_alone_encoder(&s, &o), LZMA_OK);
        s.next_in = in;
        s.avail_in = len;
        s.next_out = out;
        s.avail_out = cap;
        assert_int_equal(lzma_code(&s, LZMA_FINISH), LZMA_STREAM_END);
        n = s.total_out;
        lzma_end(&s);
        break;
    }
    case DOMBUILD_COMP_ZSTD:
        n = ZSTD_compress(out, cap, in, len, 19);
        assert_false(ZSTD_isError(n));
        break;
    case DOMBUILD_COMP_BZIP2: {
        unsigned int bn = (unsigned int)cap;
        assert_int_equal(BZ2_bzBuffToBuffCompress((char *)out, &bn, (char *)(uintptr_t)in,
                                                  (unsigned int)len, 9, 0, 0),
                         BZ_OK);
        n = bn;
        break;
    }
    default:
        fail();
    }
    for (int i = 0; i < 4; i++)
        out[n + i] = (uint8_t)(len >> (8 * i));
    *out_len = n + 4;
    return out;
}

static const enum dombuild_compression all_formats[] = {DOMBUILD_COMP_GZIP, DOMBUILD_COMP_XZ,
                                                        DOMBUILD_COMP_LZMA, DOMBUILD_COMP_ZSTD,
                                                        DOMBUILD_COMP_BZIP2};
#define NFORMATS (sizeof(all_formats) / sizeof(all_formats[0]))

static void test_decompress_round_trip(void **state)
{
    (void)state;
    size_t len = 300000;
    uint8_t *in = malloc(len);
    for (size_t i = 0; i < len; i++)
        in[i] = (uint8_t)((i * 2654435761u) >> 13 ^ (i / 1000));
    for (size_t f = 0; f < NFORMATS; f++) {
        size_t clen;
        uint8_t *c = pack(all_formats[f], in, len, &clen);
        assert_int_equal(dombuild_detect_compression(c, clen), all_formats[f]);
        uint8_t *out;
        size_t olen;
        assert_int_equal(dombuild_decompress(all_formats[f], c, clen, len, &out, &olen), 0);
        assert_int_equal(olen, len);
        assert_memory_equal(out, in, len);
        free(out);
        /* one byte less room than it needs */
        assert_int_equal(dombuild_decompress(all_formats[f], c, clen, len - 1, &out, &olen),
                         -EFBIG);
        /* cut in half: an error, never a short success */
        assert_int_equal(dombuild_decompress(all_formats[f], c, clen / 2, len, &out, &olen),
                         -EINVAL);
        /* a flipped byte in the middle of the stream */
        c[clen / 2] ^= 0x55;
        int rc = dombuild_decompress(all_formats[f], c, clen, len, &out, &olen);
        if (rc == 0) {
            /* formats without a checksum over everything may decode to other bytes */
            assert_true(olen != len || memcmp(out, in, len) != 0 ||
                        all_formats[f] == DOMBUILD_COMP_LZMA);
            free(out);
        } else {
            assert_true(rc == -EINVAL || rc == -EFBIG);
        }
        free(c);
    }
    free(in);
}

static void test_detect(void **state)
{
    (void)state;
    assert_int_equal(dombuild_detect_compression("\x7f"
                                                 "ELF",
                                                 4),
                     DOMBUILD_COMP_NONE);
    assert_int_equal(dombuild_detect_compression("\x89LZO\0", 5), DOMBUILD_COMP_UNKNOWN);
    assert_int_equal(dombuild_detect_compression("\x02\x21\x4c\x18", 4), DOMBUILD_COMP_UNKNOWN);
    assert_int_equal(dombuild_detect_compression("\x1f", 1), DOMBUILD_COMP_NONE);
    assert_int_equal(dombuild_decompress(DOMBUILD_COMP_UNKNOWN, "x", 1, 10, NULL, NULL),
                     -EOPNOTSUPP);
}

/* ---- images ---- */

/* A bzImage (protocol 2.15, 4 setup sectors) around payload. */
static uint8_t *make_bzimage(const uint8_t *payload, size_t plen, size_t *len)
{
    size_t setup = 5 * 512, pad = 0x100;
    *len = setup + pad + plen;
    uint8_t *b = calloc(1, *len);
    b[0x1f1] = 4;
    b[0x1fe] = 0x55;
    b[0x1ff] = 0xaa;
    memcpy(b + 0x202, "HdrS", 4);
    b[0x206] = 0x0f;
    b[0x207] = 0x02;
    for (int i = 0; i < 4; i++) {
        b[0x248 + i] = (uint8_t)(pad >> (8 * i));
        b[0x24c + i] = (uint8_t)(plen >> (8 * i));
    }
    memcpy(b + setup + pad, payload, plen);
    return b;
}

static void expect_linux_seed(const struct dombuild_kernel *k)
{
    assert_true(k->info.nr_segments >= 1);
    assert_true(k->info.entry >= k->info.virt_kstart && k->info.entry < k->info.virt_kend);
    assert_true(k->info.virt_base <= k->info.virt_kstart);
    assert_string_equal(k->guest_os, "linux");
}

static void test_seed_kernels(void **state)
{
    (void)state;
    static const char *const seeds[] = {"linux-both", "linux-sections", "linux-segment"};
    char why[DOMBUILD_WHY_MAX];
    for (size_t s = 0; s < 3; s++) {
        size_t len;
        uint8_t *elf = seed(seeds[s], &len);
        struct dombuild_kernel k;
        assert_int_equal(dombuild_kernel_parse(elf, len, &k, why, sizeof(why)), 0);
        assert_false(k.bzimage);
        expect_linux_seed(&k);
        dombuild_kernel_free(&k);
        for (size_t f = 0; f < NFORMATS; f++) {
            size_t clen, blen;
            uint8_t *c = pack(all_formats[f], elf, len, &clen);
            /* the ELF compressed as a whole (vmlinux.gz): no size trailer expected */
            assert_int_equal(dombuild_kernel_parse(c, clen, &k, why, sizeof(why)), 0);
            assert_int_equal(k.compression, all_formats[f]);
            expect_linux_seed(&k);
            dombuild_kernel_free(&k);
            uint8_t *bz = make_bzimage(c, clen, &blen);
            assert_int_equal(dombuild_kernel_parse(bz, blen, &k, why, sizeof(why)), 0);
            assert_true(k.bzimage);
            assert_int_equal(k.compression, all_formats[f]);
            assert_int_equal(k.elf_len, len);
            expect_linux_seed(&k);
            dombuild_kernel_free(&k);
            /* the trailer says one byte more than the payload gives */
            bz[blen - 4]++;
            assert_int_equal(dombuild_kernel_parse(bz, blen, &k, why, sizeof(why)), -EINVAL);
            assert_non_null(strstr(why, "corrupt"));
            free(bz);
            free(c);
        }
        free(elf);
    }
}

static void test_bad_images(void **state)
{
    (void)state;
    char why[DOMBUILD_WHY_MAX];
    struct dombuild_kernel k;
    const char text[] = "#!/bin/sh\necho not a kernel\n";
    assert_int_equal(dombuild_kernel_parse(text, sizeof(text), &k, why, sizeof(why)), -ENOEXEC);
    assert_non_null(strstr(why, "not a PV kernel image"));
    assert_int_equal(dombuild_kernel_parse("", 0, &k, why, sizeof(why)), -ENOEXEC);

    /* an ELF without Xen notes: the seed with every note's name changed */
    size_t len;
    uint8_t *elf = seed("linux-segment", &len);
    for (size_t i = 0; i + 4 <= len; i++)
        if (!memcmp(elf + i, "Xen\0", 4))
            memcpy(elf + i, "Nex\0", 4);
    assert_int_equal(dombuild_kernel_parse(elf, len, &k, why, sizeof(why)), -ENODATA);
    assert_non_null(strstr(why, "not a PV kernel"));
    free(elf);

    /* a truncated ELF */
    elf = seed("linux-both", &len);
    assert_int_equal(dombuild_kernel_parse(elf, 100, &k, why, sizeof(why)), -EINVAL);

    /* bzImages: payload outside the file, an unknown payload, a truncated xz payload */
    size_t clen, blen;
    uint8_t *c = pack(DOMBUILD_COMP_XZ, elf, len, &clen);
    uint8_t *bz = make_bzimage(c, clen, &blen);
    bz[0x24c + 2] = 0x10; /* payload_length + 1 MiB */
    assert_int_equal(dombuild_kernel_parse(bz, blen, &k, why, sizeof(why)), -EINVAL);
    assert_non_null(strstr(why, "not inside the file"));
    free(bz);
    uint8_t lzo[64] = "\x89LZO";
    lzo[60] = 100; /* the size trailer */
    bz = make_bzimage(lzo, sizeof(lzo), &blen);
    assert_int_equal(dombuild_kernel_parse(bz, blen, &k, why, sizeof(why)), -EOPNOTSUPP);
    free(bz);
    memcpy(c + clen / 2, c + clen - 4, 4); /* trailer in the middle, rest cut */
    bz = make_bzimage(c, clen / 2 + 4, &blen);
    assert_int_equal(dombuild_kernel_parse(bz, blen, &k, why, sizeof(why)), -EINVAL);
    free(bz);
    bz = make_bzimage(c, clen, &blen);
    bz[0x206] = 0x07; /* protocol 2.07: no payload fields */
    assert_int_equal(dombuild_kernel_parse(bz, blen, &k, why, sizeof(why)), -EOPNOTSUPP);
    free(bz);
    free(c);
    free(elf);
}

static void test_debian_vmlinuz(void **state)
{
    (void)state;
    const char *path = getenv("LAMINA_DEBIAN_VMLINUZ");
    size_t len;
    uint8_t *img = path ? slurp(path, &len) : NULL;
    if (!img)
        skip();
    char why[DOMBUILD_WHY_MAX];
    struct dombuild_kernel k;
    assert_int_equal(dombuild_kernel_parse(img, len, &k, why, sizeof(why)), 0);
    assert_true(k.bzimage);
    assert_true(k.compression == DOMBUILD_COMP_XZ || k.compression == DOMBUILD_COMP_ZSTD ||
                k.compression == DOMBUILD_COMP_GZIP);
    assert_int_equal(k.info.virt_base, 0xffffffff80000000ull);
    assert_true(k.info.has_init_p2m && k.info.mod_start_pfn);
    expect_linux_seed(&k);
    struct dombuild_layout l;
    assert_int_equal(dombuild_layout_compute(&k.info, 128 * 256, 4 << 20, &l), 0);
    assert_int_equal(dombuild_layout_compute(&k.info, 32 * 256, 0, &l), -ENOSPC);
    dombuild_kernel_free(&k);
    free(img);
}

/* ---- layout ---- */

static const struct dombuild_kinfo linux_like = {
    .entry = 0xffffffff83079000ull,
    .virt_base = 0xffffffff80000000ull,
    .virt_kstart = 0xffffffff81000000ull,
    .virt_kend = 0xffffffff84a00000ull,
    .init_p2m = 0x8000000000ull,
    .has_init_p2m = true,
    .mod_start_pfn = true,
    .nr_segments = 0,
};

static const struct dombuild_kinfo minimal = {
    .entry = 0x400000,
    .virt_base = 0,
    .virt_kstart = 0x400000,
    .virt_kend = 0x402000,
};

static void check_layout(const struct dombuild_kinfo *k, const struct dombuild_layout *l,
                         uint64_t initrd_len)
{
    assert_int_equal(l->v_end % (4 << 20), 0);
    assert_true(l->v_end - (l->virt_base + (l->stack_pfn + 1) * 4096) >= 512 * 1024);
    assert_true(l->start_info_pfn >= l->kernel_end_pfn);
    assert_int_equal(l->store_pfn, l->start_info_pfn + 1);
    assert_int_equal(l->console_pfn, l->start_info_pfn + 2);
    assert_true(l->pt_pfn > l->console_pfn);
    assert_int_equal(l->stack_pfn, l->pt_pfn + l->nr_pt);
    assert_true(l->stack_pfn < l->nr_mapped);
    assert_true(l->end_pfn <= l->nr_pages);
    assert_int_equal(l->initrd_pages, (initrd_len + 4095) / 4096);
    if (initrd_len && k->mod_start_pfn)
        assert_int_equal(l->initrd_pfn, l->nr_mapped);
    if (initrd_len && !k->mod_start_pfn)
        assert_true(l->initrd_pfn >= l->kernel_end_pfn && l->initrd_pfn < l->start_info_pfn);
    assert_int_equal(l->p2m_pages, (l->nr_pages * 8 + 4095) / 4096);
    if (k->has_init_p2m) {
        assert_int_equal(l->p2m_va, k->init_p2m);
        assert_int_equal(l->first_p2m_pfn, l->nr_mapped + (k->mod_start_pfn ? l->initrd_pages : 0));
        assert_true(l->nr_p2m_frames > l->p2m_pages);
    } else {
        assert_int_equal(l->p2m_va, l->virt_base + l->p2m_pfn * 4096);
        assert_true(l->p2m_pfn < l->start_info_pfn);
    }
}

static void test_layout(void **state)
{
    (void)state;
    struct dombuild_layout l;
    assert_int_equal(dombuild_layout_compute(&linux_like, 32768, 3 << 20, &l), 0);
    check_layout(&linux_like, &l, 3 << 20);
    /* 74 MiB of kernel and the boot data: a 76 MiB mapping, 1 L4 + 1 L3 + 1 L2 + 38 L1 */
    assert_int_equal(l.v_end - l.virt_base, 76ull << 20);
    assert_int_equal(l.nr_pt, 1 + 1 + 1 + 38);
    assert_int_equal(dombuild_layout_compute(&linux_like, 32768, 0, &l), 0);
    check_layout(&linux_like, &l, 0);
    /* too little memory for the kernel; an initrd that does not fit beside it */
    assert_int_equal(dombuild_layout_compute(&linux_like, 19000, 0, &l), -ENOSPC);
    assert_int_equal(dombuild_layout_compute(&linux_like, 32768, 0, &l), 0);
    assert_int_equal(dombuild_layout_compute(&linux_like, 32768, 60ull << 20, &l), -ENOSPC);
    assert_int_equal(dombuild_layout_compute(&minimal, 4096, 10000, &l), 0);
    check_layout(&minimal, &l, 10000);
    assert_int_equal(dombuild_layout_compute(&minimal, 4096, 0, &l), 0);
    check_layout(&minimal, &l, 0);
    struct dombuild_kinfo huge = linux_like;
    huge.virt_kend = huge.virt_base + (1100ull << 20);
    assert_int_equal(dombuild_layout_compute(&huge, 1 << 20, 0, &l), -E2BIG);
}

/* ---- page tables, walked back ---- */

struct mem {
    uint8_t *pages;
    uint64_t n;
};

static void *mem_page(void *ctx, uint64_t pfn)
{
    struct mem *m = ctx;
    return pfn < m->n ? m->pages + pfn * 4096 : NULL;
}

#define MFN_BIAS 0x12345ull

/* The pfn an L1 entry names, through the identity-plus-bias p2m. */
static int walk(const struct mem *m, uint64_t l4_pfn, uint64_t va, uint64_t *pte)
{
    uint64_t pfn = l4_pfn;
    for (int shift = 39; shift >= 12; shift -= 9) {
        const uint64_t *t = (const uint64_t *)(m->pages + pfn * 4096);
        uint64_t e = t[(va >> shift) & 511];
        if (!(e & 1))
            return -1;
        if (shift == 12) {
            *pte = e;
            return 0;
        }
        assert_int_equal(e & 0xfff, 0x067); /* P RW U A D */
        pfn = ((e >> 12) & 0xffffffffffull) - MFN_BIAS;
        assert_true(pfn < m->n);
    }
    return -1;
}

static void check_tables(const struct dombuild_kinfo *k, uint64_t nr_pages)
{
    struct dombuild_layout l;
    assert_int_equal(dombuild_layout_compute(k, nr_pages, 5 << 20, &l), 0);
    uint64_t *p2m = malloc(nr_pages * 8);
    for (uint64_t i = 0; i < nr_pages; i++)
        p2m[i] = i + MFN_BIAS;
    struct mem m = {calloc(l.end_pfn, 4096), l.end_pfn};
    assert_int_equal(dombuild_write_pagetables(&l, k, p2m, mem_page, &m), 0);
    for (uint64_t pfn = 0; pfn < l.nr_mapped; pfn++) {
        uint64_t pte;
        assert_int_equal(walk(&m, l.pt_pfn, l.virt_base + pfn * 4096, &pte), 0);
        assert_int_equal(pte >> 12, pfn + MFN_BIAS);
        bool is_pt = pfn >= l.pt_pfn && pfn < l.pt_pfn + l.nr_pt;
        assert_int_equal(pte & 0xfff, is_pt ? 0x021 : 0x023);
    }
    uint64_t pte;
    assert_int_equal(walk(&m, l.pt_pfn, l.v_end, &pte), -1); /* nothing past the end */
    if (k->has_init_p2m) {
        for (uint64_t i = 0; i < l.p2m_pages; i++) {
            assert_int_equal(walk(&m, l.pt_pfn, k->init_p2m + i * 4096, &pte), 0);
            assert_int_equal(pte >> 12, l.first_p2m_pfn + i + MFN_BIAS);
        }
        assert_int_equal(walk(&m, l.pt_pfn, k->init_p2m + l.p2m_pages * 4096, &pte), -1);
    }
    /* A mapping of too few reserved frames is refused, not overrun. */
    struct dombuild_layout short_l = l;
    short_l.nr_pt = 2;
    assert_int_equal(dombuild_write_pagetables(&short_l, k, p2m, mem_page, &m), -ENOSPC);
    free(m.pages);
    free(p2m);
}

static void test_pagetables(void **state)
{
    (void)state;
    check_tables(&linux_like, 32768);
    check_tables(&minimal, 8192);
}

static void test_start_info_and_vcpu(void **state)
{
    (void)state;
    struct dombuild_layout l;
    assert_int_equal(dombuild_layout_compute(&linux_like, 32768, 3 << 20, &l), 0);
    static uint8_t page[4096];
    char cmdline[1100];
    memset(cmdline, 'x', sizeof(cmdline) - 1);
    cmdline[sizeof(cmdline) - 1] = 0;
    struct dombuild_boot_params p = {.shared_info_mfn = 0x777,
                                     .store_mfn = 0x1001,
                                     .console_mfn = 0x1002,
                                     .store_port = 3,
                                     .console_port = 4,
                                     .initrd_len = 3 << 20,
                                     .cmdline = cmdline};
    memset(page, 0xee, sizeof(page));
    dombuild_fill_start_info(page, &l, &p);
    const struct lam_start_info *si = (const void *)page;
    assert_string_equal(si->magic, "xen-3.0-x86_64");
    assert_int_equal(si->nr_pages, 32768);
    assert_int_equal(si->shared_info, 0x777000);
    assert_int_equal(si->flags, LAM_SIF_MOD_START_PFN);
    assert_int_equal(si->store_mfn, 0x1001);
    assert_int_equal(si->store_evtchn, 3);
    assert_int_equal(si->console.domU.mfn, 0x1002);
    assert_int_equal(si->console.domU.evtchn, 4);
    assert_int_equal(si->pt_base, l.virt_base + l.pt_pfn * 4096);
    assert_int_equal(si->nr_pt_frames, l.nr_pt);
    assert_int_equal(si->mfn_list, 0x8000000000ull);
    assert_int_equal(si->mod_start, l.nr_mapped);
    assert_int_equal(si->mod_len, 3 << 20);
    assert_int_equal(strlen((const char *)si->cmd_line), 1023);
    assert_int_equal(si->first_p2m_pfn, l.first_p2m_pfn);
    assert_int_equal(si->nr_p2m_frames, l.nr_p2m_frames);
    assert_int_equal(page[4095], 0);

    static struct lam_vcpu_guest_context c;
    dombuild_fill_vcpu0(&c, &l, &linux_like, 0x4242);
    assert_int_equal(c.flags, LAM_VGCF_in_kernel | LAM_VGCF_online);
    assert_int_equal(c.user_regs.rip, linux_like.entry);
    assert_int_equal(c.user_regs.rsp, l.virt_base + (l.stack_pfn + 1) * 4096);
    assert_int_equal(c.user_regs.rsi, l.virt_base + l.start_info_pfn * 4096);
    assert_int_equal(c.user_regs.cs, 0xe033);
    assert_int_equal(c.user_regs.ss, 0xe02b);
    assert_int_equal(c.kernel_sp, c.user_regs.rsp);
    assert_int_equal(c.ctrlreg[3], 0x4242000);
    assert_int_equal(c.user_regs.rflags, 0x200);
}

static void test_load_kernel(void **state)
{
    (void)state;
    size_t len;
    uint8_t *elf = seed("linux-both", &len);
    char why[DOMBUILD_WHY_MAX];
    struct dombuild_kernel k;
    assert_int_equal(dombuild_kernel_parse(elf, len, &k, why, sizeof(why)), 0);
    struct dombuild_layout l;
    assert_int_equal(dombuild_layout_compute(&k.info, 32768, 0, &l), 0);
    struct mem m = {malloc(l.nr_mapped * 4096), l.nr_mapped};
    memset(m.pages, 0xaa, l.nr_mapped * 4096);
    assert_int_equal(dombuild_load_kernel(&k, &l, mem_page, &m), 0);
    for (unsigned int s = 0; s < k.info.nr_segments; s++) {
        const struct dombuild_segment *seg = &k.info.segments[s];
        assert_memory_equal(m.pages + seg->pfn_addr, k.elf + seg->offset, seg->filesz);
        for (uint64_t i = seg->filesz; i < seg->memsz; i++)
            assert_int_equal(m.pages[seg->pfn_addr + i], 0);
    }
    /* a layout too small for the segments is refused */
    l.nr_mapped = 1;
    m.n = 1;
    int rc = dombuild_load_kernel(&k, &l, mem_page, &m);
    assert_true(rc == -ENOSPC || rc == 0);
    dombuild_kernel_free(&k);
    free(m.pages);
    free(elf);
}

/* The virtual-device numbers libxl gives Xen disk names (xvda = 51712, as blkfront sees). */
static void test_disk_devid(void **state)
{
    (void)state;
    assert_int_equal(dombuild_disk_devid("xvda"), 51712);
    assert_int_equal(dombuild_disk_devid("xvdb"), 51728);
    assert_int_equal(dombuild_disk_devid("xvda1"), 51713);
    assert_int_equal(dombuild_disk_devid("xvdp15"), (202 << 8) | (15 << 4) | 15);
    assert_int_equal(dombuild_disk_devid("xvdq"), (1 << 28) | (16 << 8));
    assert_int_equal(dombuild_disk_devid("xvdaa"), (1 << 28) | (26 << 8));
    assert_int_equal(dombuild_disk_devid("xvda16"), (1 << 28) | 16);
    assert_int_equal(dombuild_disk_devid("xvd"), -EINVAL);
    assert_int_equal(dombuild_disk_devid("hda"), -EINVAL);
    assert_int_equal(dombuild_disk_devid("xvdA"), -EINVAL);
    assert_int_equal(dombuild_disk_devid("xvda0"), -EINVAL);
    assert_int_equal(dombuild_disk_devid("xvda256"), -EINVAL);
    assert_int_equal(dombuild_disk_devid("xvdaaaa"), -EINVAL);
    assert_int_equal(dombuild_disk_devid("xvda1x"), -EINVAL);
    assert_int_equal(dombuild_disk_devid(NULL), -EINVAL);
}

/* Pages wanted in a region, as a bit string "0100..." over pfns [0, n). */
static void wanted(const struct region *r, char *out, unsigned int n)
{
    for (unsigned int p = 0; p < n; p++)
        out[p] = (r->flags[p] & REGION_WANT) ? '1' : '0';
    out[n] = '\0';
}

/* "Map" what is wanted with anonymous memory, as region_map would with the guest's. */
static void fake_map(struct region *r)
{
    for (uint64_t p = 0; p < r->nr; p++)
        if (r->flags[p] & REGION_WANT) {
            void *m = mmap(r->base + p * 4096, 4096, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
            assert_true(m != MAP_FAILED);
            r->flags[p] |= REGION_MAPPED;
        }
}

/*
 * The sparse boot region: only pages that will hold non-zero bytes are wanted (a kernel
 * in memory: its non-zero pages; a cached kernel: its file's data extents), a segment not
 * page aligned marks each guest page it touches, copying needs the page mapped, and what
 * is copied lands at the right place.
 */
static void test_region_wants_only_data(void **state)
{
    (void)state;
    struct region r;
    char bits[16];
    assert_int_equal(region_init(&r, 12), 0);
    uint8_t *src = calloc(5, 4096);
    src[10] = 1;            /* page 0 */
    src[3 * 4096 + 7] = 2;  /* page 3 */
    src[4 * 4096 + 99] = 3; /* page 4, the last, partial below */
    assert_int_equal(region_segment_mem(&r, src, 4 * 4096 + 100, 2 * 4096, false), 0);
    wanted(&r, bits, 12);
    assert_string_equal(bits, "001001100000");
    /* Not page aligned: bytes at 0x800 of page 8 spill into page 9. */
    assert_int_equal(region_segment_mem(&r, src, 4096, 8 * 4096 + 0x800, false), 0);
    wanted(&r, bits, 12);
    assert_string_equal(bits, "001001101000");
    uint8_t one[4096] = {0};
    one[4095] = 9; /* the byte that lands at page 9 + 0x7ff */
    assert_int_equal(region_segment_mem(&r, one, 4096, 8 * 4096 + 0x800, false), 0);
    wanted(&r, bits, 12);
    assert_string_equal(bits, "001001101100");
    assert_int_equal(region_segment_mem(&r, src, 4 * 4096 + 100, 2 * 4096, true), -EFAULT);
    assert_null(region_page(&r, 2));
    fake_map(&r);
    assert_int_equal(region_segment_mem(&r, src, 4 * 4096 + 100, 2 * 4096, true), 0);
    assert_int_equal(((uint8_t *)region_page(&r, 2))[10], 1);
    assert_int_equal(((uint8_t *)region_page(&r, 5))[7], 2);
    assert_int_equal(((uint8_t *)region_page(&r, 6))[99], 3);
    assert_null(region_page(&r, 3)); /* a zero page: never mapped, never written */
    region_free(&r);
    free(src);
}

static void test_region_follows_file_holes(void **state)
{
    (void)state;
    char path[] = "/tmp/dombuild-sparse.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    uint8_t page[4096];
    memset(page, 0xab, sizeof(page));
    assert_int_equal(ftruncate(fd, 6 * 4096), 0);
    assert_int_equal(pwrite(fd, page, 4096, 1 * 4096), 4096); /* data: file page 1 */
    assert_int_equal(pwrite(fd, page, 4096, 4 * 4096), 4096); /* data: file page 4 */
    bool holes = lseek(fd, 0, SEEK_DATA) == 4096 && lseek(fd, 4096, SEEK_HOLE) == 2 * 4096;
    struct region r;
    char bits[16];
    assert_int_equal(region_init(&r, 10), 0);
    /* The segment is file pages 1..5, going to pfn 3. */
    assert_int_equal(region_segment_file(&r, fd, 4096, 5 * 4096, 3 * 4096, false), 0);
    wanted(&r, bits, 10);
    /* Where the file system reports holes only the data pages; elsewhere all of them. */
    assert_string_equal(bits, holes ? "0001001000" : "0001111100");
    fake_map(&r);
    assert_int_equal(region_segment_file(&r, fd, 4096, 5 * 4096, 3 * 4096, true), 0);
    assert_int_equal(((uint8_t *)region_page(&r, 3))[0], 0xab);
    assert_int_equal(((uint8_t *)region_page(&r, 6))[4095], 0xab);
    region_free(&r);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_decompress_round_trip),
        cmocka_unit_test(test_seed_kernels),
        cmocka_unit_test(test_bad_images),
        cmocka_unit_test(test_debian_vmlinuz),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_pagetables),
        cmocka_unit_test(test_start_info_and_vcpu),
        cmocka_unit_test(test_load_kernel),
        cmocka_unit_test(test_disk_devid),
        cmocka_unit_test(test_region_wants_only_data),
        cmocka_unit_test(test_region_follows_file_holes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
