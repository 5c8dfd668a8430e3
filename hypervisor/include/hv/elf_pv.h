/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Parser and loader for the ELF64 image of a PV kernel (Linux vmlinux, our
 * test kernels). The image is untrusted: every offset, size and address
 * computation is bounds- and overflow-checked, and nothing is read outside
 * [img, img + len).
 *
 * What is accepted (the rules of Xen's libelf, which the same kernels must
 * satisfy there):
 *  - ELF64, little endian, x86-64, ET_EXEC, with 1..ELF_PV_MAX_SEGMENTS
 *    loadable PT_LOAD segments (loadable: R, W or X set, memsz > 0) whose
 *    file bytes lie inside the image, filesz <= memsz, and whose physical
 *    ranges neither wrap nor overlap;
 *  - Xen ELF notes (name "Xen") in PT_NOTE segments or, if those hold
 *    none, in SHT_NOTE sections. Numeric notes may be 1, 2, 4 or 8 bytes;
 *  - LOADER "generic..." or GUEST_OS "linux...", and XEN_VERSION "xen-3.0...";
 *  - the address rules of libelf-dominfo.c: VIRT_BASE defaults to 0,
 *    PADDR_OFFSET to 0 (but PADDR_OFFSET without VIRT_BASE is refused),
 *    virt_offset = virt_base - paddr_offset, virt_kstart/virt_kend = the
 *    lowest/highest PT_LOAD physical address + virt_offset; ENTRY (default
 *    e_entry) within [virt_kstart, virt_kend], virt_base <= virt_kstart,
 *    INIT_P2M outside [virt_kstart, virt_kend), and (our addition, as the
 *    builder writes a page there) the HYPERCALL_PAGE inside the kernel.
 *
 * Error codes:
 *   -ENOEXEC    not an ELF64 little-endian x86-64 executable
 *   -EINVAL     malformed: header, program/section header table, segment
 *               or note outside the image; filesz > memsz; overlapping
 *               segments; no PT_LOAD; bad numeric note size; PADDR_OFFSET
 *               without VIRT_BASE
 *   -E2BIG      more than ELF_PV_MAX_SEGMENTS loadable segments
 *   -EOVERFLOW  a segment's address range wraps around 2^64
 *   -ENODATA    no Xen ELF notes: not a PV kernel
 *   -EOPNOTSUPP wrong LOADER/GUEST_OS or XEN_VERSION, or a required
 *               ('!'-prefixed) feature outside the names Xen 4.17's libelf
 *               knows (writable_page_tables, writable_descriptor_tables,
 *               auto_translated_physmap, supervisor_mode_kernel,
 *               pae_pgdir_above_4gb, hvm_callback_vector, dom0)
 *   -ERANGE     entry, virt_base, INIT_P2M or HYPERCALL_PAGE outside
 *               their allowed ranges
 */
#ifndef LAMINA_HV_ELF_PV_H
#define LAMINA_HV_ELF_PV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lamina/elfnote.h>  /* the note types, LAM_ELFNOTE_* */
#include <lamina/features.h> /* the feature bits, LAM_XENFEAT_* */

#define ELF_PV_MAX_SEGMENTS 16
#define ELF_PV_STR_MAX      32 /* bounded copies of the string notes, NUL included */

struct elf_pv_segment {
    uint64_t offset; /* in the image */
    uint64_t filesz;
    uint64_t vaddr;
    uint64_t paddr;
    uint64_t memsz;
    uint32_t flags; /* PF_X 1, PF_W 2, PF_R 4 */
};

struct elf_pv_info {
    uint64_t entry; /* ENTRY note, else e_entry */
    uint64_t virt_base;
    bool has_virt_base; /* false: virt_base is the default 0 */
    uint64_t paddr_offset;
    bool has_paddr_offset; /* false: paddr_offset is the default 0 */
    uint64_t hypercall_page;
    bool has_hypercall_page;
    uint64_t init_p2m;
    bool has_init_p2m;
    uint64_t hv_start_low;
    bool has_hv_start_low;
    bool mod_start_pfn;  /* initrd may stay unmapped, pass its PFN */
    bool suspend_cancel; /* guest copes with a cancelled suspend */

    bool has_supported_features; /* a SUPPORTED_FEATURES note is present */
    uint32_t supported_features; /* SUPPORTED_FEATURES note (submap 0) */
    uint32_t features_supported; /* FEATURES names, plus the note above */
    uint32_t features_required;  /* FEATURES names with '!' */

    char guest_os[ELF_PV_STR_MAX];
    char guest_version[ELF_PV_STR_MAX];
    char loader[ELF_PV_STR_MAX];
    char xen_version[ELF_PV_STR_MAX];

    uint64_t virt_offset; /* virt_base - paddr_offset */
    uint64_t pstart;      /* lowest PT_LOAD p_paddr */
    uint64_t pend;        /* highest PT_LOAD p_paddr + p_memsz */
    uint64_t virt_kstart; /* pstart + virt_offset */
    uint64_t virt_kend;   /* pend + virt_offset */

    unsigned int nr_xen_notes;
    unsigned int nr_segments;
    struct elf_pv_segment segments[ELF_PV_MAX_SEGMENTS];
};

int elf_pv_parse(const void *img, size_t len, struct elf_pv_info *out);

/*
 * May a parsed kernel be built as the hardware domain? Xen 4.17's rule
 * (dom0_construct_pv): a kernel with a SUPPORTED_FEATURES note must name
 * XENFEAT_dom0, there or in its FEATURES string; one without that note
 * (older kernels, small PV kernels with only the FEATURES string) may.
 */
bool elf_pv_may_be_dom0(const struct elf_pv_info *info);

/*
 * Copy every segment of a parsed image: write() is called once per segment
 * with the pseudo-physical address p_paddr - paddr_offset, the file bytes
 * and the in-memory size; it must zero [filesz, memsz). A negative return
 * from write() stops the load and is returned. Bounds are checked again
 * against (img, len), so a mismatched info cannot cause an overread.
 */
int elf_pv_load(const void *img, size_t len, const struct elf_pv_info *info, void *ctx,
                int (*write)(void *ctx, uint64_t pseudo_phys, const void *src, size_t filesz,
                             size_t memsz));

#endif
