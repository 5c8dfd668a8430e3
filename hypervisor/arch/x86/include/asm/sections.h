/* SPDX-License-Identifier: GPL-2.0-only */
/* Symbols the linker script defines (arch/x86/lamina.lds.S). */
#ifndef LAMINA_ASM_SECTIONS_H
#define LAMINA_ASM_SECTIONS_H

#include <stdint.h>

/* The whole image, loaded part and bss. */
extern char __image_start[], __image_end[];
/* The GNU build-id note: {namesz, descsz, type, "GNU\0", id}. */
extern const uint8_t __build_id_start[], __build_id_end[];

#endif
