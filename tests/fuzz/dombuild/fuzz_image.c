/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer harness for libdombuild's kernel image parser: bzImage headers, gzip, xz, lzma,
 * zstd and bzip2 payloads (through the system libraries), whole-file compression and the
 * ELF notes of the result (PT_NOTE segments and SHT_NOTE sections). A kernel that parses is
 * also laid out and its page tables written into plain memory, so the layout code sees
 * every shape of kernel the parser lets through. Seeds: corpus/ (make_corpus.sh).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dombuild.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct mem {
    uint8_t *pages;
    uint64_t n;
};

static void *page(void *ctx, uint64_t pfn)
{
    struct mem *m = ctx;
    return pfn < m->n ? m->pages + pfn * DOMBUILD_PAGE_SIZE : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dombuild_kernel k;
    char why[DOMBUILD_WHY_MAX];
    if (dombuild_kernel_parse(data, size, &k, why, sizeof(why)))
        return 0;
    struct dombuild_layout l;
    /* 64 MiB of guest memory at most: the boot data must fit, or the layout says no. */
    if (dombuild_layout_compute(&k.info, 16384, size, &l) == 0 && l.end_pfn <= 16384) {
        struct mem m = {calloc(l.end_pfn, DOMBUILD_PAGE_SIZE), l.end_pfn};
        uint64_t *p2m = malloc(l.nr_pages * sizeof(uint64_t));
        if (m.pages && p2m) {
            for (uint64_t i = 0; i < l.nr_pages; i++)
                p2m[i] = i + 0x100;
            (void)dombuild_load_kernel(&k, &l, page, &m);
            (void)dombuild_write_pagetables(&l, &k.info, p2m, page, &m);
        }
        free(p2m);
        free(m.pages);
    }
    dombuild_kernel_free(&k);
    return 0;
}
