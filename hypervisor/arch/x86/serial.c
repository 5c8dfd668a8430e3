/* SPDX-License-Identifier: GPL-2.0-only */
/* Polled 16550 UART driver: output never depends on interrupts, so panics still print. */
#include <asm/serial.h>
#include <asm/x86.h>

#define UART_THR 0 /* transmit holding (write) / receive buffer (read) */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_DLL 0
#define UART_DLM 1

#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20
#define LCR_DLAB       0x80
#define LCR_8N1        0x03

static uint16_t uart_base;

void serial_init(uint16_t port, unsigned int baud)
{
    unsigned int divisor = baud ? 115200 / baud : 1;

    uart_base = port;
    outb(port + UART_IER, 0);
    outb(port + UART_LCR, LCR_DLAB);
    outb(port + UART_DLL, divisor & 0xff);
    outb(port + UART_DLM, (divisor >> 8) & 0xff);
    outb(port + UART_LCR, LCR_8N1);
    outb(port + UART_FCR, 0x07); /* enable and clear FIFOs */
    outb(port + UART_MCR, 0x03); /* DTR, RTS */
}

void serial_putc(char c)
{
    if (!uart_base)
        return;
    for (unsigned int spins = 0; spins < 100000; spins++)
        if (inb(uart_base + UART_LSR) & LSR_THR_EMPTY)
            break;
    outb(uart_base + UART_THR, (uint8_t)c);
}

int serial_getc(void)
{
    if (!uart_base || !(inb(uart_base + UART_LSR) & LSR_DATA_READY))
        return -1;
    return inb(uart_base + UART_THR);
}

uint16_t serial_port(void)
{
    return uart_base;
}
