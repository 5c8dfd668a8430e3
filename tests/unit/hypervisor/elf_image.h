/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Builds small ELF64 PV kernel images in memory for the elf_pv tests and
 * the fuzz seed corpus: program headers, Xen notes (in a PT_NOTE segment,
 * an SHT_NOTE section, or both) and segment contents with a recognisable
 * byte pattern. The section header table comes last, so cutting the image
 * short anywhere removes something the parser needs.
 */
#ifndef LAMINA_TEST_ELF_IMAGE_H
#define LAMINA_TEST_ELF_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_IMAGE_MAX_SEGS  20
#define ELF_IMAGE_MAX_NOTES 24

struct elf_image_seg {
    uint32_t type; /* 1 PT_LOAD */
    uint32_t flags;
    uint64_t vaddr, paddr, filesz, memsz;
};

struct elf_image_note {
    char name[8];
    uint32_t type;
    uint32_t descsz;
    uint8_t desc[96];
};

enum elf_image_note_place { NOTES_IN_SEGMENT, NOTES_IN_SECTION, NOTES_IN_BOTH };

struct elf_image_spec {
    uint8_t ei_class, ei_data;
    uint16_t e_type, e_machine;
    uint64_t e_entry;
    enum elf_image_note_place place;
    unsigned int nsegs;
    struct elf_image_seg segs[ELF_IMAGE_MAX_SEGS];
    unsigned int nnotes;
    struct elf_image_note notes[ELF_IMAGE_MAX_NOTES];
};

/* A Linux-like kernel at 0xffffffff81000000 / paddr 16 MiB, all notes. */
void elf_image_linux(struct elf_image_spec *s);
/* Add or replace (by type) a "Xen" note. */
void elf_image_note_num(struct elf_image_spec *s, uint32_t type, uint64_t v, uint32_t size);
void elf_image_note_str(struct elf_image_spec *s, uint32_t type, const char *str);
void elf_image_note_drop(struct elf_image_spec *s, uint32_t type);
/* Serialise into buf; returns the length, 0 if cap is too small. */
size_t elf_image_build(const struct elf_image_spec *s, uint8_t *buf, size_t cap);
/* Byte i of segment k's file contents. */
uint8_t elf_image_byte(unsigned int k, uint64_t i);

/* Offsets of fields the tests patch directly. */
#define EHDR_PHOFF     32
#define EHDR_PHENTSIZE 54
#define EHDR_PHNUM     56
#define PHDR_OFFSET(i) (64 + 56 * (i))

#endif
