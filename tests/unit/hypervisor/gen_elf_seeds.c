/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writes the elf_pv fuzz seed corpus (make -C tests/unit/hypervisor seeds): valid
 * images of each shape the parser accepts, so the fuzzer starts from deep
 * inside the format rather than from random bytes.
 */
#include <stdio.h>
#include <string.h>

#include "elf_image.h"

static int emit(const char *dir, const char *name, const struct elf_image_spec *s)
{
    static unsigned char buf[65536];
    char path[512];
    size_t len = elf_image_build(s, buf, sizeof(buf));
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f || !len || fwrite(buf, 1, len, f) != len) {
        perror(path);
        return 1;
    }
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    struct elf_image_spec s;
    int rc = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: %s <corpus-dir>\n", argv[0]);
        return 2;
    }
    elf_image_linux(&s);
    /* Small segments keep the seeds (and each fuzz iteration) cheap. */
    s.segs[0].filesz = s.segs[0].memsz = 0x40;
    s.segs[1].filesz = 0x20;
    s.segs[1].memsz = 0x3000;
    s.segs[1].vaddr = 0xffffffff81002000ULL;
    elf_image_note_num(&s, 1, 0xffffffff81000010ULL, 8);
    elf_image_note_num(&s, 2, 0xffffffff81001000ULL, 8);
    rc |= emit(argv[1], "linux-both", &s);
    s.place = NOTES_IN_SECTION;
    rc |= emit(argv[1], "linux-sections", &s);
    s.place = NOTES_IN_SEGMENT;
    rc |= emit(argv[1], "linux-segment", &s);

    /* Minimal: defaults, 4-byte numbers, a dom0 feature string. */
    elf_image_linux(&s);
    s.nnotes = 0;
    s.nsegs = 1;
    s.segs[0] = (struct elf_image_seg){1, 7, 0x400000, 0x400000, 0x30, 0x1000};
    s.e_entry = 0x400000;
    elf_image_note_str(&s, 8, "generic");
    elf_image_note_str(&s, 5, "xen-3.0");
    elf_image_note_str(&s, 10, "dom0|!writable_page_tables");
    elf_image_note_num(&s, 16, 1, 4);
    elf_image_note_num(&s, 17, 0x801, 4);
    rc |= emit(argv[1], "minimal-defaults", &s);
    return rc;
}
