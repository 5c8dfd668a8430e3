/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor console: log lines go to the serial port (if console=com1)
 * and always into an in-memory ring that the debug keys can replay. The
 * loglvl= option filters what is printed; everything is kept in the ring.
 */
#ifndef LAMINA_HV_CONSOLE_H
#define LAMINA_HV_CONSOLE_H

#include <stddef.h>
#include <hv/log.h>

void console_init(void);
/* Apply console=, loglvl= after the command line is parsed. */
void console_configure(const char *console_opt, const char *loglvl_opt);
/* Raw output of bytes to the console devices (no ring, no prefix). */
void console_write(const char *s, size_t n);
/* Guest console output: tagged with the domain and kept in the ring. */
void console_guest_write(unsigned int domid, const char *s, size_t n);
/* Copy out the newest bytes of the log ring; returns bytes copied. */
size_t console_ring_read(char *buf, size_t len);
/* Characters typed for dom0's console (keyhandler.c); returns how many. */
size_t console_input_read(char *buf, size_t len);
/* Read one character typed on the serial line, or -1. */
int console_getc(void);

#define printk(...) log_printf(LOG_INFO, __VA_ARGS__)

#endif
