/* SPDX-License-Identifier: GPL-2.0-only */
/* In-memory ELF64 PV kernel images for tests; see elf_image.h. */
#include <string.h>

#include "elf_image.h"
#include <lamina/elfnote.h>
#include <lamina/features.h>

static void put(uint8_t *p, uint64_t v, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

uint8_t elf_image_byte(unsigned int k, uint64_t i)
{
    return (uint8_t)(k * 0x35 + i * 7 + (i >> 8));
}

static struct elf_image_note *note_slot(struct elf_image_spec *s, uint32_t type)
{
    for (unsigned int i = 0; i < s->nnotes; i++) {
        if (s->notes[i].type == type && !strcmp(s->notes[i].name, "Xen"))
            return &s->notes[i];
    }
    if (s->nnotes == ELF_IMAGE_MAX_NOTES)
        return NULL;
    return &s->notes[s->nnotes++];
}

void elf_image_note_num(struct elf_image_spec *s, uint32_t type, uint64_t v, uint32_t size)
{
    struct elf_image_note *n = note_slot(s, type);

    if (!n)
        return;
    memset(n, 0, sizeof(*n));
    strcpy(n->name, "Xen");
    n->type = type;
    n->descsz = size;
    put(n->desc, v, size);
}

void elf_image_note_str(struct elf_image_spec *s, uint32_t type, const char *str)
{
    struct elf_image_note *n = note_slot(s, type);
    size_t len = strlen(str) + 1;

    if (!n)
        return;
    if (len > sizeof(n->desc))
        len = sizeof(n->desc);
    memset(n, 0, sizeof(*n));
    strcpy(n->name, "Xen");
    n->type = type;
    n->descsz = (uint32_t)len;
    memcpy(n->desc, str, len);
}

void elf_image_note_drop(struct elf_image_spec *s, uint32_t type)
{
    for (unsigned int i = 0; i < s->nnotes; i++) {
        if (s->notes[i].type == type && !strcmp(s->notes[i].name, "Xen")) {
            s->notes[i] = s->notes[--s->nnotes];
            return;
        }
    }
}

void elf_image_linux(struct elf_image_spec *s)
{
    memset(s, 0, sizeof(*s));
    s->ei_class = 2;
    s->ei_data = 1;
    s->e_type = 2;
    s->e_machine = 62;
    s->e_entry = 0xffffffff81000040ULL;
    s->place = NOTES_IN_BOTH;
    s->nsegs = 2;
    s->segs[0] = (struct elf_image_seg){1, 5, 0xffffffff81000000ULL, 0x1000000, 0x2000, 0x2000};
    s->segs[1] = (struct elf_image_seg){1, 6, 0xffffffff81002000ULL, 0x1002000, 0x800, 0x3000};
    /* A non-Xen note first, as real kernels carry (GNU build id). */
    strcpy(s->notes[0].name, "GNU");
    s->notes[0].type = 3;
    s->notes[0].descsz = 20;
    memset(s->notes[0].desc, 0xb1, 20);
    s->nnotes = 1;
    elf_image_note_str(s, LAM_ELFNOTE_GUEST_OS, "linux");
    elf_image_note_str(s, LAM_ELFNOTE_GUEST_VERSION, "2.6");
    elf_image_note_str(s, LAM_ELFNOTE_XEN_VERSION, "xen-3.0");
    elf_image_note_num(s, LAM_ELFNOTE_VIRT_BASE, 0xffffffff80000000ULL, 8);
    elf_image_note_num(s, LAM_ELFNOTE_PADDR_OFFSET, 0, 8);
    elf_image_note_num(s, LAM_ELFNOTE_ENTRY, 0xffffffff81000100ULL, 8);
    elf_image_note_num(s, LAM_ELFNOTE_HYPERCALL_PAGE, 0xffffffff81001000ULL, 8);
    elf_image_note_str(s, LAM_ELFNOTE_FEATURES, "!writable_page_tables|pae_pgdir_above_4gb");
    elf_image_note_num(s, LAM_ELFNOTE_SUPPORTED_FEATURES,
                       LAM_XENFEAT_BIT(LAM_XENFEAT_writable_page_tables) |
                           LAM_XENFEAT_BIT(LAM_XENFEAT_dom0) |
                           LAM_XENFEAT_BIT(LAM_XENFEAT_linux_rsdp_unrestricted),
                       4);
    elf_image_note_str(s, LAM_ELFNOTE_PAE_MODE, "yes");
    elf_image_note_str(s, LAM_ELFNOTE_LOADER, "generic");
    elf_image_note_num(s, LAM_ELFNOTE_HV_START_LOW, 0xffff800000000000ULL, 8);
    elf_image_note_num(s, LAM_ELFNOTE_SUSPEND_CANCEL, 1, 4);
    elf_image_note_num(s, LAM_ELFNOTE_INIT_P2M, 0x8000000000ULL, 8);
    elf_image_note_num(s, LAM_ELFNOTE_MOD_START_PFN, 1, 4);
}

static size_t align_up(size_t x, size_t a)
{
    return (x + a - 1) & ~(a - 1);
}

static size_t notes_size(const struct elf_image_spec *s)
{
    size_t n = 0;

    for (unsigned int i = 0; i < s->nnotes; i++)
        n += 12 + align_up(strlen(s->notes[i].name) + 1, 4) + align_up(s->notes[i].descsz, 4);
    return n;
}

size_t elf_image_build(const struct elf_image_spec *s, uint8_t *buf, size_t cap)
{
    const bool note_seg = s->place != NOTES_IN_SECTION;
    const unsigned int nph = s->nsegs + (note_seg ? 1 : 0);
    const size_t notes_off = 64 + 56 * (size_t)nph, nsz = notes_size(s);
    size_t data_off = align_up(notes_off + nsz, 16), off;
    size_t seg_off[ELF_IMAGE_MAX_SEGS];

    off = data_off;
    for (unsigned int k = 0; k < s->nsegs; k++) {
        seg_off[k] = off;
        off += align_up(s->segs[k].filesz, 16);
    }

    const size_t sh_off = off, total = sh_off + 3 * 64;

    if (total > cap)
        return 0;
    memset(buf, 0, total);

    /* ELF header */
    memcpy(buf,
           "\x7f"
           "ELF",
           4);
    buf[4] = s->ei_class;
    buf[5] = s->ei_data;
    buf[6] = 1;
    put(buf + 16, s->e_type, 2);
    put(buf + 18, s->e_machine, 2);
    put(buf + 20, 1, 4);
    put(buf + 24, s->e_entry, 8);
    put(buf + 32, 64, 8);
    put(buf + 40, sh_off, 8);
    put(buf + 52, 64, 2);
    put(buf + 54, 56, 2);
    put(buf + 56, nph, 2);
    put(buf + 58, 64, 2);
    put(buf + 60, 3, 2);
    put(buf + 62, 2, 2);

    /* Program headers: the loads, then the notes. */
    for (unsigned int k = 0; k < s->nsegs; k++) {
        uint8_t *ph = buf + PHDR_OFFSET(k);
        const struct elf_image_seg *g = &s->segs[k];

        put(ph, g->type, 4);
        put(ph + 4, g->flags, 4);
        put(ph + 8, seg_off[k], 8);
        put(ph + 16, g->vaddr, 8);
        put(ph + 24, g->paddr, 8);
        put(ph + 32, g->filesz, 8);
        put(ph + 40, g->memsz, 8);
        put(ph + 48, 0x1000, 8);
        for (uint64_t i = 0; i < g->filesz; i++)
            buf[seg_off[k] + i] = elf_image_byte(k, i);
    }
    if (note_seg) {
        uint8_t *ph = buf + PHDR_OFFSET(s->nsegs);

        put(ph, 4, 4);
        put(ph + 4, 4, 4);
        put(ph + 8, notes_off, 8);
        put(ph + 32, nsz, 8);
        put(ph + 40, nsz, 8);
        put(ph + 48, 4, 8);
    }

    /* Notes */
    off = notes_off;
    for (unsigned int i = 0; i < s->nnotes; i++) {
        const struct elf_image_note *n = &s->notes[i];
        size_t namesz = strlen(n->name) + 1;

        put(buf + off, namesz, 4);
        put(buf + off + 4, n->descsz, 4);
        put(buf + off + 8, n->type, 4);
        memcpy(buf + off + 12, n->name, namesz);
        off += 12 + align_up(namesz, 4);
        memcpy(buf + off, n->desc, n->descsz);
        off += align_up(n->descsz, 4);
    }

    /* Sections: null, the notes (SHT_NOTE or, if not wanted there,
     * SHT_PROGBITS), and a tiny string table holding their names. */
    uint8_t *sh = buf + sh_off + 64;
    put(sh, 1, 4);
    put(sh + 4, s->place == NOTES_IN_SEGMENT ? 1 : 7, 4);
    put(sh + 24, notes_off, 8);
    put(sh + 32, nsz, 8);
    put(sh + 48, 4, 8);
    sh += 64;
    put(sh, 8, 4);
    put(sh + 4, 3, 4); /* SHT_STRTAB, empty: the parser never needs names */
    return total;
}
