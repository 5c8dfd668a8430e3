/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Turning a boot module into a kernel ELF image: an ELF is used in place; a
 * bzImage (Debian's vmlinuz) has its compressed payload decompressed into
 * frames mapped contiguously through vmap, released again once the domain
 * is built.
 */
#include <hv/bzimage.h>
#include <hv/console.h>
#include <hv/errcodes.h>
#include <hv/kernel_image.h>
#include <hv/lib.h>
#include <asm/mm.h>
#include <asm/vmap.h>
#include <hv/xmalloc.h>

#define MAX_KERNEL_BYTES (256ull << 20)

static void release(struct kernel_image *k)
{
    if (k->mapped)
        vunmap(k->mapped, k->nr_frames);
    for (uint64_t i = 0; i < k->nr_frames; i++)
        if (k->frames[i] != INVALID_MFN)
            frames_free(k->frames[i], 0);
    xfree(k->frames);
    memset(k, 0, sizeof(*k));
}

int kernel_image_open(struct kernel_image *k, const void *module, size_t len)
{
    static const uint8_t elf_magic[4] = {0x7f, 'E', 'L', 'F'};
    memset(k, 0, sizeof(*k));
    if (len >= 4 && !memcmp(module, elf_magic, 4)) {
        k->elf = module;
        k->elf_len = len;
        return 0;
    }
    if (!bzimage_probe(module, len)) {
        log_printf(LOG_ERR, "kernel: the module is neither an ELF image nor a bzImage");
        return -ENOEXEC;
    }
    const void *payload;
    size_t payload_len = 0, size = 0;
    int rc = bzimage_payload(module, len, &payload, &payload_len);
    if (!rc)
        rc = bzimage_uncompressed_size(payload, payload_len, &size);
    if (rc || size == 0 || size > MAX_KERNEL_BYTES) {
        log_printf(LOG_ERR, "kernel: unusable bzImage payload (error %d, %lu bytes)", rc,
                   (unsigned long)size);
        return rc ? rc : -EINVAL;
    }
    k->nr_frames = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
    k->frames = xmalloc_array_bytes(sizeof(mfn_t), k->nr_frames, 8);
    if (!k->frames)
        return -ENOMEM;
    for (uint64_t i = 0; i < k->nr_frames; i++)
        k->frames[i] = INVALID_MFN;
    for (uint64_t i = 0; i < k->nr_frames; i++) {
        k->frames[i] = frames_alloc(0);
        if (k->frames[i] == INVALID_MFN) {
            release(k);
            log_printf(LOG_ERR, "kernel: out of memory decompressing %lu MiB",
                       (unsigned long)(size >> 20));
            return -ENOMEM;
        }
    }
    k->mapped = vmap(k->frames, k->nr_frames);
    if (!k->mapped) {
        release(k);
        return -ENOMEM;
    }
    size_t out_len = 0;
    rc = bzimage_decompress(module, len, k->mapped, k->nr_frames << PAGE_SHIFT, &out_len);
    if (rc) {
        log_printf(LOG_ERR, "kernel: decompressing the bzImage payload failed (error %d)", rc);
        release(k);
        return rc;
    }
    k->elf = k->mapped;
    k->elf_len = out_len;
    printk("kernel: bzImage payload decompressed to %lu KiB", (unsigned long)(out_len >> 10));
    return 0;
}

void kernel_image_close(struct kernel_image *k)
{
    release(k);
}
