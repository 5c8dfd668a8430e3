/* SPDX-License-Identifier: GPL-2.0-only */
/* What the boot loader told us, copied out of its (multiboot 1 or 2) information block. */
#ifndef LAMINA_HV_BOOTINFO_H
#define LAMINA_HV_BOOTINFO_H

#include <stdint.h>

#define BOOT_MAX_RANGES  128
#define BOOT_MAX_MODULES 16
#define BOOT_CMDLINE_LEN 1024

enum { E820_RAM = 1, E820_RESERVED = 2, E820_ACPI = 3, E820_NVS = 4, E820_UNUSABLE = 5 };

struct boot_mem_range {
    uint64_t addr, len;
    uint32_t type;
};

struct boot_module {
    uint64_t start, end; /* machine addresses, end exclusive */
    char cmdline[BOOT_CMDLINE_LEN];
};

struct boot_info {
    char cmdline[BOOT_CMDLINE_LEN];
    char loader[64];
    unsigned int nr_ranges;
    struct boot_mem_range ranges[BOOT_MAX_RANGES];
    unsigned int nr_modules;
    struct boot_module modules[BOOT_MAX_MODULES];
};

extern struct boot_info boot_info;

/* Returns 0, or -1 if magic is not a multiboot magic we know. */
int multiboot_parse(uint32_t magic, uint64_t info_pa);

#endif
