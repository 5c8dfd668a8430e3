/* SPDX-License-Identifier: MIT */
/*
 * lamina/console.h - the console_io hypercall (number 18):
 * console_io(cmd, count, buffer).
 *
 * The hypervisor's own console (the serial line). Write returns 0 or a
 * negative error; read returns the number of bytes copied.
 */
#ifndef LAMINA_CONSOLE_H
#define LAMINA_CONSOLE_H

#define LAM_CONSOLEIO_write 0 /* write count bytes from buffer */
#define LAM_CONSOLEIO_read  1 /* read up to count bytes of input into buffer */

#endif /* LAMINA_CONSOLE_H */
