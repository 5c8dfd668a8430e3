/* SPDX-License-Identifier: GPL-2.0-only */
/* Inside libdombuild: helpers shared by the image, layout and build code. */
#ifndef LAMINA_DOMBUILD_INTERNAL_H
#define LAMINA_DOMBUILD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* printf into why[len] (nothing when why is NULL). */
void dombuild_why(char *why, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A bzImage: boot flag 0xaa55 and "HdrS". */
bool dombuild_is_bzimage(const void *img, size_t len);
/* Its compressed payload (boot protocol >= 2.08), bounds-checked against the file. */
int dombuild_bzimage_payload(const void *img, size_t len, const uint8_t **payload,
                             size_t *payload_len, char *why, size_t whylen);

#endif
