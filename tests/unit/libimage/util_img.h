/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers the libimage tests share: a scratch directory, running qemu-img, and reading or
 * writing a whole virtual disk through img_map the way a backend does. */
#ifndef LAMINA_TEST_UTIL_IMG_H
#define LAMINA_TEST_UTIL_IMG_H

#include "image.h"

#include <stddef.h>
#include <stdint.h>

/* A path under the test's scratch directory ($IMG_TEST_DIR, else /tmp). */
const char *tpath(const char *name);

/* Runs a shell command (printf-style), returns its exit status (-1 if it did not exit). */
int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* True when qemu-img is on the PATH (tests that need it skip otherwise). */
int have_qemu_img(void);

/* Reads [off, off+len) of the virtual disk through img_map into buf. 0 or -errno. */
int img_read(struct img *img, void *buf, uint64_t len, uint64_t off);
/* Writes buf at off through img_map(IMG_MAP_WRITE) + pwrite. 0 or -errno. */
int img_write(struct img *img, const void *buf, uint64_t len, uint64_t off);

/* Reads a whole file into a malloc'd buffer; *len gets its size. NULL on error. */
void *slurp(const char *path, size_t *len);

/* A deterministic pattern byte for (seed, offset), so expected contents can be rebuilt. */
uint8_t pattern(uint32_t seed, uint64_t off);
void fill_pattern(void *buf, size_t len, uint32_t seed, uint64_t off);

/* xorshift, for reproducible random offsets. */
uint64_t rnd(uint64_t *state);

#endif
