/* SPDX-License-Identifier: GPL-2.0-only */
/* What the boot loader told us, copied out of its (multiboot 1 or 2) information block. */
#ifndef LAMINA_HV_BOOTINFO_H
#define LAMINA_HV_BOOTINFO_H

#include <stdint.h>
#include <lamina/memory.h>

/* What the loader leaves in EAX. */
#define MB1_BOOT_MAGIC 0x2badb002
#define MB2_BOOT_MAGIC 0x36d76289

#define BOOT_MAX_RANGES  128
#define BOOT_MAX_MODULES 16
#define BOOT_CMDLINE_LEN 1024

struct boot_mem_range {
    uint64_t addr, len;
    uint32_t type; /* LAM_E820_*: the loader's e820 type, passed on to guests as it is */
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
/* The hypervisor's own command line (the loader's, without the image name). */
extern char hv_cmdline[BOOT_CMDLINE_LEN];

/* Returns 0, or -1 if magic is not a multiboot magic we know. */
int multiboot_parse(uint32_t magic, uint64_t info_pa);

#endif
