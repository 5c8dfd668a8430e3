/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer harness for the PV kernel ELF parser and loader: any input
 * must either be refused or parse into an info whose segments load within
 * the image, never read outside it (ASan) nor trip UBSan.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hv/elf_pv.h>
#include "../fuzz_target.h"

struct sink {
    uint8_t window[1 << 16]; /* pseudo-physical [base, base + 64 KiB) */
    uint64_t base;
    uint64_t sum;
};

static int sink_write(void *ctx, uint64_t pseudo_phys, const void *src, size_t filesz, size_t memsz)
{
    struct sink *s = ctx;
    const uint8_t *p = src;

    if (filesz > memsz)
        abort();                        /* the parser promised filesz <= memsz */
    for (size_t i = 0; i < filesz; i++) /* touch every source byte */
        s->sum += p[i];
    if (pseudo_phys >= s->base && pseudo_phys - s->base <= sizeof(s->window) &&
        memsz <= sizeof(s->window) - (pseudo_phys - s->base)) {
        memcpy(s->window + (pseudo_phys - s->base), src, filesz);
        memset(s->window + (pseudo_phys - s->base) + filesz, 0, memsz - filesz);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sink sink;
    struct elf_pv_info info;

    if (elf_pv_parse(data, size, &info) != 0)
        return 0;
    if (info.nr_segments == 0 || info.nr_segments > ELF_PV_MAX_SEGMENTS)
        abort();
    if (info.entry < info.virt_kstart || info.entry > info.virt_kend)
        abort();
    for (unsigned int i = 0; i < info.nr_segments; i++) {
        if (info.segments[i].offset > size ||
            info.segments[i].filesz > size - info.segments[i].offset)
            abort();
    }
    if (info.guest_os[ELF_PV_STR_MAX - 1] || info.loader[ELF_PV_STR_MAX - 1])
        abort(); /* bounded copies stay NUL-terminated */
    sink.base = info.pstart - info.paddr_offset;
    if (elf_pv_load(data, size, &info, &sink, sink_write) != 0)
        abort(); /* a parsed image always loads */
    return 0;
}
