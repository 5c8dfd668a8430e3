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

/* Writes len bytes to a new file at path. 0 or -errno. */
int spit(const char *path, const void *buf, size_t len);

/* Reads the whole virtual disk of the image at path (opened read-only through libimage) and
 * compares it with the file ref (as qemu-img convert -O raw writes it). 1 if identical. */
int same_as_raw(const char *image, const char *ref);

/* n random sector-aligned writes (pattern seed) and, every few, discards, through libimage,
 * mirrored into mirror[] (the expected disk, size bytes). 0 or the first -errno. When
 * stop_on_error is 0, errors are ignored (the crash tests inject them). */
int random_ops(struct img *img, uint8_t *mirror, uint64_t size, uint64_t seed, int n,
               uint64_t max_len, int stop_on_error);

/* qemu-img check exit status (0 clean, 2 corrupt, 3 leaks only). */
int qcheck(const char *image);
