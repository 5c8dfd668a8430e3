/* SPDX-License-Identifier: GPL-2.0-only */
/* Link map of the hypervisor image: linked at HV_VIRT_BASE, loaded at HV_PHYS_BASE. */
#include <asm/memlayout.h>

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(start32)

PHDRS
{
    image PT_LOAD FLAGS(7);
}

SECTIONS
{
    . = HV_VIRT_BASE;
    __image_start = .;

    .text : AT(ADDR(.text) - HV_VIRT_OFFSET) {
        KEEP(*(.multiboot))
        *(.text.boot)
        *(.text .text.*)
    } :image

    .rodata : AT(ADDR(.rodata) - HV_VIRT_OFFSET) {
        *(.rodata.boot)
        *(.rodata .rodata.*)
        . = ALIGN(4);
        __build_id_start = .;
        KEEP(*(.note.gnu.build-id))
        __build_id_end = .;
        . = ALIGN(8);
        __ex_table_start = .;
        KEEP(*(__ex_table))
        __ex_table_end = .;
    } :image

    .data : AT(ADDR(.data) - HV_VIRT_OFFSET) {
        . = ALIGN(4096);
        *(.data.boot)
        *(.data .data.*)
    } :image
    __load_end = .;

    .bss (NOLOAD) : AT(ADDR(.bss) - HV_VIRT_OFFSET) {
        . = ALIGN(4096);
        __bss_start = .;
        *(.bss.boot)
        *(.bss.stack_aligned)
        *(.bss .bss.* COMMON)
        . = ALIGN(4096);
        __bss_end = .;
    } :image
    __image_end = .;

    /DISCARD/ : { *(.note.gnu.property) *(.comment) *(.eh_frame) }
}
