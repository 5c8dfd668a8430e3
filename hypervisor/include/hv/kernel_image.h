/* SPDX-License-Identifier: GPL-2.0-only */
/* A kernel ELF image ready for the domain builder (common/kernel_image.c). */
#ifndef LAMINA_HV_KERNEL_IMAGE_H
#define LAMINA_HV_KERNEL_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <asm/frame.h>

struct kernel_image {
    const void *elf;
    size_t elf_len;
    /* set when decompressed from a bzImage */
    mfn_t *frames;
    uint64_t nr_frames;
    void *mapped;
};

int kernel_image_open(struct kernel_image *k, const void *module, size_t len);
void kernel_image_close(struct kernel_image *k);

#endif
