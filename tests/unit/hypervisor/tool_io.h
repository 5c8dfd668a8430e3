/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * File and tool helpers shared by the host tests that check our decoders
 * against the system's own tools (xz, gzip): a per-group temporary directory,
 * whole-file reads and writes, and running a filter command over a buffer.
 * Failures are cmocka assertions.
 */
#ifndef LAMINA_UNIT_TOOL_IO_H
#define LAMINA_UNIT_TOOL_IO_H

#include <stddef.h>
#include <stdint.h>

/* cmocka group setup/teardown: create and remove a fresh temporary directory. */
int tool_tmpdir_setup(void **state);
int tool_tmpdir_teardown(void **state);
const char *tool_tmpdir(void);

/* The whole file (malloc'd, exact size; at least one byte allocated). */
uint8_t *read_whole(const char *path, size_t *len);
void write_whole(const char *path, const void *data, size_t len);
/* Run `<cmd> < in > out` on data and return out (malloc'd, exact size). */
uint8_t *filter_tool(const char *cmd, const void *data, size_t len, size_t *out_len);

#endif
