/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest kernel image. Accepted, as Xen 4.17's libxc loaders do:
 *  - an ELF64 x86-64 executable with Xen notes (PT_NOTE segments, or SHT_NOTE sections when
 *    the segments hold none) -- parsed by the hypervisor's own ELF PV parser
 *    (hypervisor/lib/elf/elf_pv.c, built here unchanged), so dom0 and the hypervisor accept
 *    exactly the same kernels;
 *  - that ELF compressed as a whole (a vmlinux.gz, .xz, ...);
 *  - a bzImage (boot protocol >= 2.08): the payload the setup header points at, compressed
 *    with gzip, xz, lzma, zstd or bzip2, whose decompressed size Linux appends as its last
 *    4 bytes; the output must have exactly that size.
 */
#include "dombuild.h"
#include "image_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/elf_pv.h>

void dombuild_why(char *why, size_t len, const char *fmt, ...)
{
    if (!why || !len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

bool dombuild_is_bzimage(const void *img, size_t len)
{
    const uint8_t *p = img;
    return len >= 0x250 && le16(p + 0x1fe) == 0xaa55 && !memcmp(p + 0x202, "HdrS", 4);
}

int dombuild_bzimage_payload(const void *img, size_t len, const uint8_t **payload,
                             size_t *payload_len, char *why, size_t whylen)
{
    const uint8_t *p = img;
    if (!dombuild_is_bzimage(img, len)) {
        dombuild_why(why, whylen, "not a bzImage");
        return -ENOEXEC;
    }
    uint16_t version = le16(p + 0x206);
    if (version < 0x0208) {
        dombuild_why(why, whylen, "bzImage boot protocol %u.%02u is older than 2.08 (no payload)",
                     version >> 8, version & 0xff);
        return -EOPNOTSUPP;
    }
    unsigned int setup_sects = p[0x1f1] ? p[0x1f1] : 4;
    uint64_t start = (uint64_t)(setup_sects + 1) * 512 + le32(p + 0x248);
    uint64_t plen = le32(p + 0x24c);
    if (plen < 8 || start > len || plen > len - start) {
        dombuild_why(why, whylen,
                     "corrupt bzImage: its payload (%llu bytes at %llu) is not "
                     "inside the file (%zu bytes)",
                     (unsigned long long)plen, (unsigned long long)start, len);
        return -EINVAL;
    }
    *payload = p + start;
    *payload_len = (size_t)plen;
    return 0;
}

static void fill_kinfo(const struct elf_pv_info *e, struct dombuild_kernel *k)
{
    struct dombuild_kinfo *i = &k->info;
    memset(i, 0, sizeof(*i));
    i->entry = e->entry;
    i->virt_base = e->virt_base;
    i->virt_kstart = e->virt_kstart;
    i->virt_kend = e->virt_kend;
    i->init_p2m = e->init_p2m;
    i->has_init_p2m = e->has_init_p2m;
    i->mod_start_pfn = e->mod_start_pfn;
    i->hypercall_page = e->hypercall_page;
    i->has_hypercall_page = e->has_hypercall_page;
    i->nr_segments = e->nr_segments;
    for (unsigned int s = 0; s < e->nr_segments && s < DOMBUILD_MAX_SEGMENTS; s++) {
        i->segments[s] = (struct dombuild_segment){
            .offset = e->segments[s].offset,
            .filesz = e->segments[s].filesz,
            .memsz = e->segments[s].memsz,
            .pfn_addr = e->segments[s].paddr - e->paddr_offset,
        };
    }
    snprintf(k->guest_os, sizeof(k->guest_os), "%s", e->guest_os);
}

static int parse_elf(struct dombuild_kernel *k, char *why, size_t whylen)
{
    struct elf_pv_info e;
    int rc = elf_pv_parse(k->elf, k->elf_len, &e);
    switch (rc) {
    case 0:
        break;
    case -ENOEXEC:
        dombuild_why(why, whylen,
                     k->bzimage || k->compression != DOMBUILD_COMP_NONE
                         ? "the decompressed kernel is not a 64-bit x86 ELF executable"
                         : "not a PV kernel image (neither a 64-bit x86 ELF nor a bzImage)");
        return -ENOEXEC;
    case -ENODATA:
        dombuild_why(why, whylen, "an ELF without Xen notes: not a PV kernel");
        return -ENODATA;
    case -EOPNOTSUPP:
        dombuild_why(why, whylen,
                     "a PV kernel this builder cannot start (its loader, Xen "
                     "version or required features are not Xen 3.0 64-bit PV)");
        return -EOPNOTSUPP;
    default:
        dombuild_why(why, whylen, "corrupt ELF image (%s)", strerror(-rc));
        return -EINVAL;
    }
    if (e.virt_base > e.virt_kstart || e.virt_kend - e.virt_base > (1ull << 30)) {
        dombuild_why(why, whylen, "the kernel's addresses do not fit a PV boot mapping");
        return -EINVAL;
    }
    fill_kinfo(&e, k);
    return 0;
}

/* k->elf gets the decompressed bytes of [p, p + len). */
static int inflate_to(struct dombuild_kernel *k, enum dombuild_compression c, const uint8_t *p,
                      size_t len, size_t max_out, char *why, size_t whylen)
{
    k->compression = c;
    if (c == DOMBUILD_COMP_UNKNOWN) {
        dombuild_why(why, whylen,
                     "the kernel is compressed in a format the builder does not "
                     "decode (gzip, xz, lzma, zstd and bzip2 are supported)");
        return -EOPNOTSUPP;
    }
    int rc = dombuild_decompress(c, p, len, max_out, &k->elf, &k->elf_len);
    if (rc == -ENOMEM) {
        dombuild_why(why, whylen, "out of memory decompressing the kernel");
        return rc;
    }
    if (rc) {
        dombuild_why(why, whylen, "corrupt %s-compressed kernel (%s)", dombuild_compression_name(c),
                     rc == -EFBIG ? "larger than it says" : "decompression failed");
        return -EINVAL;
    }
    return 0;
}

int dombuild_kernel_parse(const void *img, size_t len, struct dombuild_kernel *k, char *why,
                          size_t whylen)
{
    memset(k, 0, sizeof(*k));
    int rc;
    if (dombuild_is_bzimage(img, len)) {
        const uint8_t *pl;
        size_t plen;
        k->bzimage = true;
        rc = dombuild_bzimage_payload(img, len, &pl, &plen, why, whylen);
        if (rc)
            return rc;
        size_t declared = le32(pl + plen - 4);
        if (declared == 0 || declared > DOMBUILD_MAX_KERNEL) {
            dombuild_why(why, whylen, "corrupt bzImage: payload size %zu", declared);
            return -EINVAL;
        }
        enum dombuild_compression c = dombuild_detect_compression(pl, plen);
        if (c == DOMBUILD_COMP_NONE) {
            dombuild_why(why, whylen, "bzImage payload in an unknown format");
            return -EOPNOTSUPP;
        }
        rc = inflate_to(k, c, pl, plen, declared, why, whylen);
        if (!rc && k->elf_len != declared) {
            dombuild_why(why, whylen, "corrupt bzImage: payload gave %zu bytes, it says %zu",
                         k->elf_len, declared);
            rc = -EINVAL;
        }
    } else {
        enum dombuild_compression c = dombuild_detect_compression(img, len);
        if (c == DOMBUILD_COMP_NONE) {
            k->elf = malloc(len ? len : 1);
            if (!k->elf) {
                dombuild_why(why, whylen, "out of memory");
                return -ENOMEM;
            }
            memcpy(k->elf, img, len);
            k->elf_len = len;
            rc = 0;
        } else {
            rc = inflate_to(k, c, img, len, DOMBUILD_MAX_KERNEL, why, whylen);
        }
    }
    if (!rc)
        rc = parse_elf(k, why, whylen);
    if (rc)
        dombuild_kernel_free(k);
    return rc;
}

int dombuild_kernel_parse_elf(const void *elf, size_t len, struct dombuild_kernel *k, char *why,
                              size_t whylen)
{
    memset(k, 0, sizeof(*k));
    k->elf = (uint8_t *)(uintptr_t)elf;
    k->elf_len = len;
    k->borrowed = true;
    int rc = parse_elf(k, why, whylen);
    if (rc)
        dombuild_kernel_free(k);
    return rc;
}

void dombuild_kernel_free(struct dombuild_kernel *k)
{
    if (!k->borrowed)
        free(k->elf);
    k->borrowed = false;
    k->elf = NULL;
    k->elf_len = 0;
}
