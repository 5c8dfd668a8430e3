/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ELF64 PV kernel parser and loader; the accepted format and the error
 * codes are described in elf_pv.h.
 *
 * Headers are copied out of the image with memcpy (the image need not be
 * aligned), and every (offset, size) pair is checked with range_ok()
 * before anything is read, so a hostile image cannot make us read outside
 * [img, img + len) however its fields are set.
 */
#include <hv/elf_pv.h>
#include <hv/errcodes.h>
#include <hv/lib.h>

/* The ELF64 structures we read (System V gABI), fields in file order. */
struct elf64_ehdr {
    uint8_t e_ident[16];
    uint16_t e_type;
    uint16_t e_machine;
    uint32_t e_version;
    uint64_t e_entry;
    uint64_t e_phoff;
    uint64_t e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize;
    uint16_t e_phentsize;
    uint16_t e_phnum;
    uint16_t e_shentsize;
    uint16_t e_shnum;
    uint16_t e_shstrndx;
};

struct elf64_phdr {
    uint32_t p_type;
    uint32_t p_flags;
    uint64_t p_offset;
    uint64_t p_vaddr;
    uint64_t p_paddr;
    uint64_t p_filesz;
    uint64_t p_memsz;
    uint64_t p_align;
};

struct elf64_shdr {
    uint32_t sh_name;
    uint32_t sh_type;
    uint64_t sh_flags;
    uint64_t sh_addr;
    uint64_t sh_offset;
    uint64_t sh_size;
    uint32_t sh_link;
    uint32_t sh_info;
    uint64_t sh_addralign;
    uint64_t sh_entsize;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header size");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header size");
_Static_assert(sizeof(struct elf64_shdr) == 64, "ELF64 section header size");
_Static_assert(sizeof(size_t) == sizeof(uint64_t), "segment sizes pass through size_t");

#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_EXEC     2
#define EM_X86_64   62
#define PT_LOAD     1
#define PT_NOTE     4
#define SHT_NOTE    7
#define PF_RWX      7

/* Parsing state shared by the helpers below. */
struct image {
    const uint8_t *base;
    size_t len;
    struct elf64_ehdr eh;
};

static bool range_ok(size_t len, uint64_t off, uint64_t size)
{
    return off <= len && size <= len - off;
}

static uint64_t read_le(const uint8_t *p, unsigned int n)
{
    uint64_t v = 0;

    for (unsigned int i = n; i-- > 0;)
        v = (v << 8) | p[i];
    return v;
}

static int header_check(struct image *im)
{
    static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
    const struct elf64_ehdr *eh = &im->eh;

    if (im->len < sizeof(*eh))
        return -ENOEXEC;
    memcpy(&im->eh, im->base, sizeof(im->eh));
    if (memcmp(eh->e_ident, magic, sizeof(magic)) || eh->e_ident[4] != ELFCLASS64 ||
        eh->e_ident[5] != ELFDATA2LSB || eh->e_machine != EM_X86_64 || eh->e_type != ET_EXEC)
        return -ENOEXEC;
    if (eh->e_ident[6] != EV_CURRENT || eh->e_version != EV_CURRENT)
        return -EINVAL;
    if (eh->e_phnum && (eh->e_phentsize != sizeof(struct elf64_phdr) ||
                        !range_ok(im->len, eh->e_phoff, (uint64_t)eh->e_phnum * eh->e_phentsize)))
        return -EINVAL;
    if (eh->e_shnum && (eh->e_shentsize != sizeof(struct elf64_shdr) ||
                        !range_ok(im->len, eh->e_shoff, (uint64_t)eh->e_shnum * eh->e_shentsize)))
        return -EINVAL;
    return 0;
}

static void phdr_get(const struct image *im, unsigned int i, struct elf64_phdr *ph)
{
    memcpy(ph, im->base + im->eh.e_phoff + (uint64_t)i * sizeof(*ph), sizeof(*ph));
}

static void shdr_get(const struct image *im, unsigned int i, struct elf64_shdr *sh)
{
    memcpy(sh, im->base + im->eh.e_shoff + (uint64_t)i * sizeof(*sh), sizeof(*sh));
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

/* Collect the loadable segments and the physical extent [pstart, pend). */
static int segments_collect(const struct image *im, struct elf_pv_info *info)
{
    info->pstart = UINT64_MAX;
    info->pend = 0;
    for (unsigned int i = 0; i < im->eh.e_phnum; i++) {
        struct elf64_phdr ph;

        phdr_get(im, i, &ph);
        if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_RWX) || ph.p_memsz == 0)
            continue;
        if (ph.p_filesz > ph.p_memsz || !range_ok(im->len, ph.p_offset, ph.p_filesz))
            return -EINVAL;
        if (ph.p_paddr + ph.p_memsz < ph.p_paddr || ph.p_vaddr + ph.p_memsz < ph.p_vaddr)
            return -EOVERFLOW;
        if (info->nr_segments == ELF_PV_MAX_SEGMENTS)
            return -E2BIG;
        for (unsigned int j = 0; j < info->nr_segments; j++) {
            const struct elf_pv_segment *s = &info->segments[j];

            if (ranges_overlap(s->paddr, s->memsz, ph.p_paddr, ph.p_memsz))
                return -EINVAL;
        }
        info->segments[info->nr_segments++] = (struct elf_pv_segment){
            .offset = ph.p_offset,
            .filesz = ph.p_filesz,
            .vaddr = ph.p_vaddr,
            .paddr = ph.p_paddr,
            .memsz = ph.p_memsz,
            .flags = ph.p_flags,
        };
        if (ph.p_paddr < info->pstart)
            info->pstart = ph.p_paddr;
        if (ph.p_paddr + ph.p_memsz > info->pend)
            info->pend = ph.p_paddr + ph.p_memsz;
    }
    return info->nr_segments ? 0 : -EINVAL;
}

/* One note's payload, already bounds-checked. */
struct note {
    uint32_t type;
    const uint8_t *desc;
    uint32_t descsz;
};

static int note_numeric(const struct note *n, uint64_t *v)
{
    switch (n->descsz) {
    case 1:
    case 2:
    case 4:
    case 8:
        *v = read_le(n->desc, n->descsz);
        return 0;
    default:
        return -EINVAL;
    }
}

static void note_string(const struct note *n, char *dst)
{
    size_t len = strnlen((const char *)n->desc, n->descsz);

    if (len > ELF_PV_STR_MAX - 1)
        len = ELF_PV_STR_MAX - 1;
    memcpy(dst, n->desc, len);
    dst[len] = '\0';
}

/*
 * The names Xen 4.17's libelf knows in a FEATURES string (libelf-dominfo.c), and no
 * others: a required ('!') name outside this list makes Xen refuse the image, so it
 * makes us refuse it too, even where the bit itself exists (mmu_pt_update_preserve_ad).
 */
static const char *const feature_names[] = {
    [LAM_XENFEAT_writable_page_tables] = "writable_page_tables",
    [LAM_XENFEAT_writable_descriptor_tables] = "writable_descriptor_tables",
    [LAM_XENFEAT_auto_translated_physmap] = "auto_translated_physmap",
    [LAM_XENFEAT_supervisor_mode_kernel] = "supervisor_mode_kernel",
    [LAM_XENFEAT_pae_pgdir_above_4gb] = "pae_pgdir_above_4gb",
    [LAM_XENFEAT_hvm_callback_vector] = "hvm_callback_vector",
    [LAM_XENFEAT_dom0] = "dom0",
};

static int feature_lookup(const char *name, size_t len)
{
    for (size_t i = 0; i < ARRAY_SIZE(feature_names); i++) {
        if (feature_names[i] && strlen(feature_names[i]) == len &&
            !memcmp(feature_names[i], name, len))
            return (int)i;
    }
    return -1;
}

/*
 * "name|!name|..." (the string may lack its NUL: stop at descsz). Unknown
 * names are ignored unless required, which makes the kernel unbootable.
 * As libelf, a name is read in pieces of at most ELF_PV_FEATURE_MAX
 * characters: a longer one is split, and each piece counts on its own.
 */
#define ELF_PV_FEATURE_MAX 63

static int features_parse(const struct note *n, struct elf_pv_info *info)
{
    const char *s = (const char *)n->desc;
    size_t end = strnlen(s, n->descsz);

    for (size_t pos = 0; pos < end;) {
        size_t len = 0;
        bool required = s[pos] == '!';

        while (len < ELF_PV_FEATURE_MAX && pos + len < end && s[pos + len] != '|')
            len++;

        int bit = required ? feature_lookup(s + pos + 1, len - 1) : feature_lookup(s + pos, len);

        if (bit >= 0) {
            info->features_supported |= 1u << bit;
            if (required)
                info->features_required |= 1u << bit;
        } else if (required) {
            return -EOPNOTSUPP;
        }
        pos += len;
        if (pos < end && s[pos] == '|')
            pos++;
    }
    return 0;
}

static int note_apply(const struct note *n, struct elf_pv_info *info)
{
    uint64_t v = 0;
    int rc = 0;

    switch (n->type) {
    case LAM_ELFNOTE_XEN_VERSION:
        note_string(n, info->xen_version);
        return 0;
    case LAM_ELFNOTE_GUEST_OS:
        note_string(n, info->guest_os);
        return 0;
    case LAM_ELFNOTE_GUEST_VERSION:
        note_string(n, info->guest_version);
        return 0;
    case LAM_ELFNOTE_LOADER:
        note_string(n, info->loader);
        return 0;
    case LAM_ELFNOTE_FEATURES:
        return features_parse(n, info);
    case LAM_ELFNOTE_SUPPORTED_FEATURES: {
        /* An array of 32-bit submaps; only submap 0 exists. As libelf, a note of
         * another size is present but reads as 0 (a dom0 kernel is then refused). */
        uint32_t submap0 = n->descsz >= 4 && !(n->descsz % 4) ? (uint32_t)read_le(n->desc, 4) : 0;

        info->has_supported_features = true;
        info->supported_features |= submap0;
        info->features_supported |= submap0;
        return 0;
    }
    case LAM_ELFNOTE_ENTRY:
    case LAM_ELFNOTE_HYPERCALL_PAGE:
    case LAM_ELFNOTE_VIRT_BASE:
    case LAM_ELFNOTE_PADDR_OFFSET:
    case LAM_ELFNOTE_HV_START_LOW:
    case LAM_ELFNOTE_SUSPEND_CANCEL:
    case LAM_ELFNOTE_INIT_P2M:
    case LAM_ELFNOTE_MOD_START_PFN:
        rc = note_numeric(n, &v);
        break;
    default:
        return 0; /* PAE_MODE, L1_MFN_VALID, ...: nothing for a 64-bit PV builder */
    }
    if (rc)
        return rc;
    switch (n->type) {
    case LAM_ELFNOTE_ENTRY:
        info->entry = v;
        break;
    case LAM_ELFNOTE_HYPERCALL_PAGE:
        info->hypercall_page = v;
        info->has_hypercall_page = true;
        break;
    case LAM_ELFNOTE_VIRT_BASE:
        info->virt_base = v;
        info->has_virt_base = true;
        break;
    case LAM_ELFNOTE_PADDR_OFFSET:
        info->paddr_offset = v;
        info->has_paddr_offset = true;
        break;
    case LAM_ELFNOTE_HV_START_LOW:
        info->hv_start_low = v;
        info->has_hv_start_low = true;
        break;
    case LAM_ELFNOTE_SUSPEND_CANCEL:
        info->suspend_cancel = v != 0;
        break;
    case LAM_ELFNOTE_INIT_P2M:
        info->init_p2m = v;
        info->has_init_p2m = true;
        break;
    default: /* LAM_ELFNOTE_MOD_START_PFN */
        info->mod_start_pfn = v != 0;
        break;
    }
    return 0;
}

static uint64_t align4(uint64_t x)
{
    return (x + 3) & ~(uint64_t)3;
}

/*
 * Walk the notes in image bytes [off, off + size): each is a 12-byte header
 * (namesz, descsz, type), the name and the descriptor, both padded to 4.
 * Returns the number of Xen notes seen, or a negative error.
 */
static int notes_walk(const struct image *im, uint64_t off, uint64_t size, struct elf_pv_info *info,
                      bool *has_entry)
{
    static const char xen_name[4] = "Xen";
    int count = 0;

    if (!range_ok(im->len, off, size))
        return -EINVAL;
    for (uint64_t pos = 0; pos < size;) {
        const uint8_t *h = im->base + off + pos;
        uint64_t namesz, descsz, total;

        if (size - pos < 12)
            return -EINVAL;
        namesz = read_le(h, 4);
        descsz = read_le(h + 4, 4);
        total = 12 + align4(namesz) + align4(descsz);
        if (total > size - pos)
            return -EINVAL;

        struct note n = {
            .type = (uint32_t)read_le(h + 8, 4),
            .desc = h + 12 + align4(namesz),
            .descsz = (uint32_t)descsz,
        };

        if (namesz == sizeof(xen_name) && !memcmp(h + 12, xen_name, sizeof(xen_name))) {
            int rc = note_apply(&n, info);

            if (rc)
                return rc;
            if (n.type == LAM_ELFNOTE_ENTRY)
                *has_entry = true;
            count++;
        }
        pos += total;
    }
    return count;
}

/* Xen notes from PT_NOTE segments, else from SHT_NOTE sections. */
static int notes_collect(const struct image *im, struct elf_pv_info *info, bool *has_entry)
{
    int total = 0, rc;

    for (unsigned int i = 0; i < im->eh.e_phnum; i++) {
        struct elf64_phdr ph;

        phdr_get(im, i, &ph);
        /* Like libelf: some binutils leave p_offset 0 on note segments. */
        if (ph.p_type != PT_NOTE || ph.p_offset == 0)
            continue;
        rc = notes_walk(im, ph.p_offset, ph.p_filesz, info, has_entry);
        if (rc < 0)
            return rc;
        total += rc;
    }
    for (unsigned int i = 1; total == 0 && i < im->eh.e_shnum; i++) {
        struct elf64_shdr sh;

        shdr_get(im, i, &sh);
        if (sh.sh_type != SHT_NOTE)
            continue;
        rc = notes_walk(im, sh.sh_offset, sh.sh_size, info, has_entry);
        if (rc < 0)
            return rc;
        total += rc;
    }
    info->nr_xen_notes = (unsigned int)total;
    return total ? 0 : -ENODATA;
}

/* Xen loads only kernels built for its generic loader or for Linux. */
static int notes_check(const struct elf_pv_info *info)
{
    if (strncmp(info->loader, "generic", 7) && strncmp(info->guest_os, "linux", 5))
        return -EOPNOTSUPP;
    if (strncmp(info->xen_version, "xen-3.0", 7))
        return -EOPNOTSUPP;
    return 0;
}

static int addresses_check(struct elf_pv_info *info)
{
    if (info->has_paddr_offset && !info->has_virt_base)
        return -EINVAL;
    if (info->pstart < info->paddr_offset)
        return -ERANGE;
    info->virt_offset = info->virt_base - info->paddr_offset;
    info->virt_kstart = info->pstart + info->virt_offset;
    info->virt_kend = info->pend + info->virt_offset;
    if (info->virt_kstart > info->virt_kend || info->virt_base > info->virt_kstart)
        return -ERANGE;
    if (info->entry < info->virt_kstart || info->entry > info->virt_kend)
        return -ERANGE;
    if (info->has_init_p2m && info->init_p2m >= info->virt_kstart &&
        info->init_p2m < info->virt_kend)
        return -ERANGE;
    if (info->has_hypercall_page &&
        (info->hypercall_page < info->virt_kstart || info->hypercall_page > info->virt_kend ||
         info->virt_kend - info->hypercall_page < 4096))
        return -ERANGE;
    return 0;
}

int elf_pv_parse(const void *img, size_t len, struct elf_pv_info *out)
{
    struct image im = {.base = img, .len = len};
    bool has_entry = false;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!img)
        return -EINVAL;
    rc = header_check(&im);
    if (!rc)
        rc = segments_collect(&im, out);
    if (!rc)
        rc = notes_collect(&im, out, &has_entry);
    if (!rc)
        rc = notes_check(out);
    if (!rc) {
        if (!has_entry)
            out->entry = im.eh.e_entry;
        rc = addresses_check(out);
    }
    return rc;
}

int elf_pv_load(const void *img, size_t len, const struct elf_pv_info *info, void *ctx,
                int (*write)(void *ctx, uint64_t pseudo_phys, const void *src, size_t filesz,
                             size_t memsz))
{
    if (info->nr_segments > ELF_PV_MAX_SEGMENTS)
        return -EINVAL;
    for (unsigned int i = 0; i < info->nr_segments; i++) {
        const struct elf_pv_segment *s = &info->segments[i];

        if (!range_ok(len, s->offset, s->filesz) || s->filesz > s->memsz ||
            s->paddr < info->paddr_offset)
            return -EINVAL;

        int rc = write(ctx, s->paddr - info->paddr_offset, (const uint8_t *)img + s->offset,
                       (size_t)s->filesz, (size_t)s->memsz);

        if (rc < 0)
            return rc;
    }
    return 0;
}

bool elf_pv_may_be_dom0(const struct elf_pv_info *info)
{
    return !info->has_supported_features || (info->features_supported & (1u << LAM_XENFEAT_dom0));
}
