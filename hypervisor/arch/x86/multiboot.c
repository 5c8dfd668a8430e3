/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multiboot 1 (QEMU -kernel) and multiboot 2 (GRUB) information parsing.
 * Everything is copied into boot_info so the loader's block can be
 * overwritten later; strings are bounded by our buffer sizes.
 */
#include <hv/bootinfo.h>
#include <hv/lib.h>
#include <asm/memlayout.h>

#define MB1_INFO_MEM     (1u << 0)
#define MB1_INFO_CMDLINE (1u << 2)
#define MB1_INFO_MODS    (1u << 3)
#define MB1_INFO_MMAP    (1u << 6)
#define MB1_INFO_LOADER  (1u << 9)

/* Multiboot 2 information tags. */
#define MB2_TAG_END     0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER  2 /* boot loader name */
#define MB2_TAG_MODULE  3
#define MB2_TAG_MMAP    6 /* memory map */

struct boot_info boot_info;

struct mb1_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr, config_table, boot_loader_name;
} __attribute__((packed));

struct mb1_module {
    uint32_t mod_start, mod_end, string, reserved;
};

struct mb1_mmap_entry {
    uint32_t size;
    uint64_t addr, len;
    uint32_t type;
} __attribute__((packed));

static void copy_string(char *dst, size_t len, uint64_t pa)
{
    const char *src = __va(pa);
    size_t i = 0;
    if (!pa) {
        dst[0] = '\0';
        return;
    }
    for (; i + 1 < len && src[i]; i++)
        dst[i] = src[i];
    dst[i] = '\0';
}

static void add_range(uint64_t addr, uint64_t len, uint32_t type)
{
    if (boot_info.nr_ranges < BOOT_MAX_RANGES && len)
        boot_info.ranges[boot_info.nr_ranges++] =
            (struct boot_mem_range){.addr = addr, .len = len, .type = type};
}

static void add_module(uint64_t start, uint64_t end, uint64_t string_pa)
{
    if (boot_info.nr_modules >= BOOT_MAX_MODULES || end <= start)
        return;
    struct boot_module *m = &boot_info.modules[boot_info.nr_modules++];
    m->start = start;
    m->end = end;
    copy_string(m->cmdline, sizeof(m->cmdline), string_pa);
}

static void parse_mb1(uint64_t info_pa)
{
    const struct mb1_info *mbi = __va(info_pa);

    if (mbi->flags & MB1_INFO_CMDLINE)
        copy_string(boot_info.cmdline, sizeof(boot_info.cmdline), mbi->cmdline);
    if (mbi->flags & MB1_INFO_LOADER)
        copy_string(boot_info.loader, sizeof(boot_info.loader), mbi->boot_loader_name);
    if (mbi->flags & MB1_INFO_MODS) {
        const struct mb1_module *mods = __va((uint64_t)mbi->mods_addr);
        for (uint32_t i = 0; i < mbi->mods_count; i++)
            add_module(mods[i].mod_start, mods[i].mod_end, mods[i].string);
    }
    if (mbi->flags & MB1_INFO_MMAP) {
        uint64_t p = mbi->mmap_addr, end = p + mbi->mmap_length;
        while (p + sizeof(struct mb1_mmap_entry) <= end) {
            const struct mb1_mmap_entry *e = __va(p);
            add_range(e->addr, e->len, e->type);
            p += e->size + sizeof(e->size);
        }
    } else if (mbi->flags & MB1_INFO_MEM) {
        add_range(0, (uint64_t)mbi->mem_lower << 10, LAM_E820_RAM);
        add_range(1 << 20, (uint64_t)mbi->mem_upper << 10, LAM_E820_RAM);
    }
}

static void parse_mb2(uint64_t info_pa)
{
    const uint8_t *base = __va(info_pa);
    uint32_t total = *(const uint32_t *)base;

    for (uint32_t off = 8; off + 8 <= total;) {
        uint32_t type = *(const uint32_t *)(base + off);
        uint32_t size = *(const uint32_t *)(base + off + 4);
        const uint8_t *tag = base + off;
        if (type == MB2_TAG_END || size < 8)
            break;
        switch (type) {
        case MB2_TAG_CMDLINE:
            copy_string(boot_info.cmdline, sizeof(boot_info.cmdline), info_pa + off + 8);
            break;
        case MB2_TAG_LOADER:
            copy_string(boot_info.loader, sizeof(boot_info.loader), info_pa + off + 8);
            break;
        case MB2_TAG_MODULE:
            add_module(*(const uint32_t *)(tag + 8), *(const uint32_t *)(tag + 12),
                       info_pa + off + 16);
            break;
        case MB2_TAG_MMAP: {
            uint32_t esize = *(const uint32_t *)(tag + 8);
            for (uint32_t e = 16; esize >= 20 && e + esize <= size; e += esize)
                add_range(*(const uint64_t *)(tag + e), *(const uint64_t *)(tag + e + 8),
                          *(const uint32_t *)(tag + e + 16));
            break;
        }
        default:
            break;
        }
        off += (size + 7) & ~7u;
    }
}

int multiboot_parse(uint32_t magic, uint64_t info_pa)
{
    memset(&boot_info, 0, sizeof(boot_info));
    if (magic == MB1_BOOT_MAGIC)
        parse_mb1(info_pa);
    else if (magic == MB2_BOOT_MAGIC)
        parse_mb2(info_pa);
    else
        return -1;
    return 0;
}
