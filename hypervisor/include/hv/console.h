/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor console: log lines go to the serial port (if console=com1)
 * and always into an in-memory ring that the debug keys can replay. The
 * loglvl= option filters what is printed; everything is kept in the ring.
 */
#ifndef LAMINA_HV_CONSOLE_H
#define LAMINA_HV_CONSOLE_H

#include <stddef.h>
#include <stdint.h>
#include <hv/log.h>

void console_init(void);
/* Apply console=, loglvl= after the command line is parsed. */
void console_configure(const char *console_opt, const char *loglvl_opt);
/* Raw output of bytes to the console devices (no ring, no prefix). */
void console_write(const char *s, size_t n);
/* Guest console output: dom0's goes out at once and as it is; any other domain's is
 * filtered (console_filter_char), tagged with the domain and kept in the ring. */
void console_guest_write(unsigned int domid, const char *s, size_t n);

/* How a domU's console byte is shown: '\0' dropped (CR), newline and tab kept, anything
 * else not printable '?'. */
static inline char console_filter_char(char c)
{
    if (c == '\r')
        return '\0';
    if (c != '\n' && c != '\t' && (c < 0x20 || c > 0x7e))
        return '?';
    return c;
}

/* The log ring for sysctl readconsole (hv/console_ring.h has the rules): its free-running
 * indices, a copy of the bytes [from, from + len), and a clear after a read that stopped
 * at stopped_at. */
void console_ring_indices(uint32_t *cons, uint32_t *prod);
void console_ring_copy(uint32_t from, char *buf, size_t len);
void console_ring_clear(uint32_t stopped_at);
#define CONSOLE_RING_SIZE (64u * 1024)
/* Characters typed for dom0's console (keyhandler.c); returns how many. */
size_t console_input_read(char *buf, size_t len);
/* Read one character typed on the serial line, or -1. */
int console_getc(void);

#define printk(...) log_printf(LOG_INFO, __VA_ARGS__)

#endif
