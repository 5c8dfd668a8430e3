/* SPDX-License-Identifier: GPL-2.0-only */
/* The entry point libFuzzer calls with each input; every harness under tests/fuzz defines it. */
#ifndef LAMINA_FUZZ_TARGET_H
#define LAMINA_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
