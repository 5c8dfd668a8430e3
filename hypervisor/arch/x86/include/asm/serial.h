/* SPDX-License-Identifier: GPL-2.0-only */
/* 16550-compatible UART. */
#ifndef LAMINA_HV_SERIAL_H
#define LAMINA_HV_SERIAL_H

#include <stdint.h>

#define COM1_PORT 0x3f8

void serial_init(uint16_t port, unsigned int baud);
void serial_putc(char c);
int serial_getc(void);      /* -1 when nothing is waiting */
uint16_t serial_port(void); /* the UART's first port, 0 if none */

#endif
