/* SPDX-License-Identifier: GPL-2.0-only */
/* The legacy 8259 PICs: masked for good, the local APIC takes over (pic.c). */
#ifndef LAMINA_ASM_PIC_H
#define LAMINA_ASM_PIC_H

void pic_disable(void);

#endif
