/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The legacy 8259 PICs. Firmware leaves them delivering IRQ 0-7 on vectors
 * 8-15, which collide with CPU exceptions (the PIT tick would look like a
 * double fault). We move them to 0x20-0x2f and mask every line: Lamina takes
 * its interrupts from the local APIC.
 */
#include <asm/x86.h>
#include <asm/pic.h>

void pic_disable(void)
{
    outb(0x20, 0x11); /* ICW1: init, expect ICW4 */
    outb(0xa0, 0x11);
    outb(0x21, 0x20); /* ICW2: master base vector */
    outb(0xa1, 0x28); /* slave base vector */
    outb(0x21, 0x04); /* ICW3: slave on IRQ2 */
    outb(0xa1, 0x02);
    outb(0x21, 0x01); /* ICW4: 8086 mode */
    outb(0xa1, 0x01);
    outb(0x21, 0xff); /* mask everything */
    outb(0xa1, 0xff);
}
