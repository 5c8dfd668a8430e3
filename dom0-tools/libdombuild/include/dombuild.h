/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libdombuild: builds and starts a 64-bit PV domain from dom0, the way Xen 4.17's
 * libxl/libxc do (so it works on Xen 4.17 and on Lamina alike), and takes one down again.
 *
 * Three layers, each usable on its own:
 *   image   the guest kernel: an ELF with Xen notes, or a bzImage whose payload is such an
 *           ELF compressed with gzip, xz, lzma, zstd or bzip2 (zlib, liblzma, libzstd,
 *           libbz2), plus the notes the builder needs (dombuild_kernel_parse);
 *   layout  where everything goes in the new domain's pseudo-physical and virtual memory,
 *           and the boot page tables, start_info and vCPU 0 context for that layout: pure
 *           functions of their inputs (dombuild_layout_compute, dombuild_write_pagetables, ...);
 *   build   the hypercalls through /dev/xen/privcmd and the store writes, ending with
 *           XS_INTRODUCE and unpause (dombuild_create), and the matching teardown
 *           (dombuild_destroy). A failure part-way destroys what was built.
 *
 * Errors are negative errno values; the functions that can fail for a user-visible reason
 * also fill a message ("why") meant to be printed after "lam: create: ".
 */
#ifndef LAMINA_DOMBUILD_H
#define LAMINA_DOMBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DOMBUILD_PAGE_SIZE  4096u
#define DOMBUILD_PAGE_SHIFT 12
#define DOMBUILD_WHY_MAX    256
/* The largest kernel image (decompressed ELF) and initrd the builder accepts. */
#define DOMBUILD_MAX_KERNEL   (512ull << 20)
#define DOMBUILD_MAX_SEGMENTS 16

/* ---- image ---- */

enum dombuild_compression {
    DOMBUILD_COMP_NONE,
    DOMBUILD_COMP_GZIP,
    DOMBUILD_COMP_XZ,
    DOMBUILD_COMP_LZMA,
    DOMBUILD_COMP_ZSTD,
    DOMBUILD_COMP_BZIP2,
    DOMBUILD_COMP_UNKNOWN,
};

const char *dombuild_compression_name(enum dombuild_compression c);
/* The compression a buffer starts with (by its magic), NONE when it has none we know. */
enum dombuild_compression dombuild_detect_compression(const void *buf, size_t len);
/*
 * Decompress the whole of [in, in + len) into a malloc'd buffer of at most max_out bytes.
 * 0, or -EINVAL (corrupt or truncated), -EFBIG (more than max_out), -ENOMEM, -EOPNOTSUPP.
 */
int dombuild_decompress(enum dombuild_compression c, const void *in, size_t len, size_t max_out,
                        uint8_t **out, size_t *out_len);

struct dombuild_segment {
    uint64_t offset; /* in the ELF */
    uint64_t filesz;
    uint64_t memsz;
    uint64_t pfn_addr; /* pseudo-physical address: p_paddr - PADDR_OFFSET */
};

/* What the builder needs from the kernel's ELF header and Xen notes. */
struct dombuild_kinfo {
    uint64_t entry;
    uint64_t virt_base;
    uint64_t virt_kstart, virt_kend; /* the kernel's virtual extent */
    uint64_t init_p2m;               /* INIT_P2M note: where to map the p2m list */
    bool has_init_p2m;
    bool mod_start_pfn; /* the initrd may stay unmapped (start_info gives its PFN) */
    uint64_t hypercall_page;
    bool has_hypercall_page;
    unsigned int nr_segments;
    struct dombuild_segment segments[DOMBUILD_MAX_SEGMENTS];
};

struct dombuild_kernel {
    uint8_t *elf; /* the ELF image (malloc'd: a copy, or the decompressed payload) */
    size_t elf_len;
    bool borrowed; /* elf is the caller's (dombuild_kernel_parse_elf): not freed */
    bool bzimage;
    enum dombuild_compression compression;
    char guest_os[32];
    struct dombuild_kinfo info;
};

/*
 * Parse a kernel image. -ENOEXEC: neither an ELF nor a bzImage; -EINVAL: corrupt (bad
 * header, payload outside the file, decompression failed); -ENODATA: an ELF without Xen
 * notes (not a PV kernel); -EOPNOTSUPP: a PV kernel this builder cannot boot (32-bit,
 * unknown required feature, unsupported payload compression).
 */
int dombuild_kernel_parse(const void *img, size_t len, struct dombuild_kernel *k, char *why,
                          size_t whylen);
void dombuild_kernel_free(struct dombuild_kernel *k);
/* The same for an uncompressed ELF the caller keeps (e.g. mapped): no copy is made. */
int dombuild_kernel_parse_elf(const void *elf, size_t len, struct dombuild_kernel *k, char *why,
                              size_t whylen);

/* ---- layout ---- */

/*
 * The new domain's memory, as libxc lays it out (toolstack.md §1.11): pfns from 0 map
 * one-to-one from virt_base; after the kernel come the initrd (only when the kernel cannot
 * take it unmapped), the p2m list (only without INIT_P2M), start_info, the store and
 * console pages, the boot page tables and one stack page; the mapping ends on a 4 MiB
 * boundary with at least 512 KiB to spare. An unmapped initrd and the INIT_P2M area (p2m
 * list plus the tables that map it) follow.
 */
struct dombuild_layout {
    uint64_t nr_pages;  /* memory of the domain, = p2m entries */
    uint64_t virt_base; /* VA of pfn 0 */
    uint64_t v_end;     /* end of the boot mapping */
    uint64_t nr_mapped; /* pfns [0, nr_mapped) are mapped */
    uint64_t kernel_end_pfn;
    uint64_t initrd_pfn, initrd_pages; /* 0 pages: no initrd */
    bool initrd_mapped;
    uint64_t p2m_pfn, p2m_pages; /* the p2m list's frames */
    uint64_t p2m_va;             /* start_info.mfn_list */
    uint64_t start_info_pfn, store_pfn, console_pfn;
    uint64_t pt_pfn, nr_pt; /* boot page tables of the mapping, L4 first */
    uint64_t stack_pfn;
    uint64_t first_p2m_pfn, nr_p2m_frames; /* INIT_P2M area, 0 frames when none */
    uint64_t end_pfn;                      /* first pfn after everything above */
};

/*
 * 0, or -ENOSPC when nr_pages are too few for the kernel, boot data and initrd, or -E2BIG
 * when the boot mapping would exceed 1 GiB (the kernel's own limit for it).
 */
int dombuild_layout_compute(const struct dombuild_kinfo *k, uint64_t nr_pages, uint64_t initrd_len,
                            struct dombuild_layout *l);

/* The guest page pfn as the builder sees it (mapped), or NULL when it is not mapped. */
typedef void *(*dombuild_page_fn)(void *ctx, uint64_t pfn);

/*
 * Write the boot page tables (the mapping of [virt_base, v_end) and, with INIT_P2M, of the
 * p2m list) into the table frames of the layout, given the pfn -> mfn list. Table frames
 * are mapped read-only, everything else read-write. 0, or -ENOSPC if the tables the layout
 * reserved do not suffice (a layout bug), -EFAULT if page() returned NULL.
 */
int dombuild_write_pagetables(const struct dombuild_layout *l, const struct dombuild_kinfo *k,
                              const uint64_t *p2m, dombuild_page_fn page, void *ctx);

/* What start_info tells the guest beyond the layout. */
struct dombuild_boot_params {
    uint64_t shared_info_mfn;
    uint64_t store_mfn, console_mfn;
    uint32_t store_port, console_port;
    uint64_t initrd_len;
    const char *cmdline;
};

/* Fill a start_info page (4096 bytes, zeroed here first). */
void dombuild_fill_start_info(void *page, const struct dombuild_layout *l,
                              const struct dombuild_boot_params *p);
/* vCPU 0's context (struct lam_vcpu_guest_context, zeroed here first), as libxc sets it. */
void dombuild_fill_vcpu0(void *ctx, const struct dombuild_layout *l, const struct dombuild_kinfo *k,
                         uint64_t l4_mfn);
/* Copy the kernel's segments into guest pages (zeroing what the file does not fill). */
int dombuild_load_kernel(const struct dombuild_kernel *k, const struct dombuild_layout *l,
                         dombuild_page_fn page, void *ctx);

/* ---- disks ---- */

/* The store directory kind of Lamina's user-space disk backend, lamblkback (dom0's own
 * xen-blkback claims only "vbd"). */
#define DOMBUILD_DISK_BACKEND "lamvbd"
#define DOMBUILD_MAX_DISKS    16

/* A disk lamblkback serves: the toolstack writes its frontend and backend directories. */
struct dombuild_disk {
    const char *target; /* "xvda": the guest's name, giving the virtual-device number */
    const char *path;   /* image file or block device */
    const char *format; /* "raw" or "qcow2" */
    bool readonly, cdrom;
    /* A driver this builder cannot serve (libvirt's "phy", dom0's in-kernel blkback):
     * the name, refused with a message. NULL when it is lamblkback's. */
    const char *unsupported_driver;
};

/* The virtual-device number of a Xen disk name, as libxl computes it: xvdX[N] with X a
 * to z, aa, ... and N a partition: (202 << 8) | (disk << 4) | N for disks below 16 and
 * partitions below 16, else (1 << 28) | (disk << 8) | N. -EINVAL for other names. */
long dombuild_disk_devid(const char *target);

/* One disk's checks, as dombuild_create makes them for each: a driver lamblkback serves, a
 * Xen disk name, an absolute source path, format raw or qcow2. 0 or -EINVAL with why. */
int dombuild_disk_check(const struct dombuild_disk *d, char *why, size_t whylen);

/* ---- disks of a running domain (hot-plug, as libxl's device_disk_add/remove) ---- */
struct xsc;

/* Writes the disk's frontend and backend directories into running domain domid in one
 * transaction, exactly as dombuild_create writes them; lamblkback and the guest's blkfront
 * take it from there. -ENOENT: no /local/domain/N; -EEXIST: the target is in use. */
int dombuild_disk_attach(struct xsc *h, uint16_t domid, const struct dombuild_disk *d, char *why,
                         size_t whylen);
/* Asks the backend to let the disk go as libxl does (online 0 and state 5 in its
 * directory), waits up to timeout_ms for it to reach Closed (6: the guest's blkfront
 * closed the device and lamblkback released it), then removes the backend and frontend
 * directories. -ENOENT: no such disk; -ETIMEDOUT: not released in time (still in use in
 * the guest): the request stands and the directories are kept. */
int dombuild_disk_detach(struct xsc *h, uint16_t domid, const char *target, int timeout_ms,
                         char *why, size_t whylen);

/* ---- build ---- */

struct dombuild_config {
    const char *name;
    uint8_t uuid[16];
    uint64_t max_kib;    /* <memory>: memory/static-max */
    uint64_t target_kib; /* <currentMemory>: what the domain starts with */
    unsigned int max_vcpus;
    unsigned int vcpus;                    /* online at boot */
    const char *kernel, *initrd, *cmdline; /* paths; initrd may be NULL */
    unsigned int max_grant_frames;         /* 0: hypervisor default */
    unsigned int max_evtchn_port;          /* 0: 1023, as libxl */
    bool paused;
    const char *config_xml; /* the normalised config, kept in the store; may be NULL */
    const char *on_poweroff, *on_reboot, *on_crash;
    const char *store_path; /* store daemon socket; NULL: libxsclient's default */
    /* Where decompressed kernels are kept between builds (a tmpfs such as
     * /run/lamina/kernels), keyed by the image file's device, inode, size and mtime;
     * NULL: decompress every time. */
    const char *kernel_cache;
    struct dombuild_disk disks[DOMBUILD_MAX_DISKS];
    unsigned int ndisks;
};

struct dombuild_result {
    uint16_t domid;
    uint64_t store_mfn, console_mfn;
    uint32_t store_port, console_port;
    double ms_image, ms_build, ms_total; /* parse; hypercalls + store; from start to unpause */
    /* ms_build by step: create + channels, populate, writing the image, pin + boot data,
     * store + introduce + unpause */
    double ms_create, ms_memory, ms_write, ms_boot, ms_store;
};

/*
 * Create, build, introduce and (unless paused) unpause a domain. On failure nothing is
 * left: the half-built domain is destroyed and its store nodes removed. Returns 0 or a
 * negative errno with why filled.
 */
int dombuild_create(const struct dombuild_config *c, struct dombuild_result *r, char *why,
                    size_t whylen);

/*
 * Take a domain down: remove /local/domain/N, /vm/UUID, /libxl/N and /lamina/domain/N,
 * XS_RELEASE it, then destroydomain. Store steps are best-effort (the domain may never have
 * been introduced); the result is destroydomain's.
 */
int dombuild_destroy(uint16_t domid, const char *store_path, char *why, size_t whylen);

/* The running domain with this name (from /local/domain/N/name), or -ESRCH. */
int dombuild_find_by_name(const char *name, const char *store_path, uint16_t *domid);

/*
 * Phase clock (trace.c): with LAM_TRACE=FILE set, the operation between begin and end
 * appends "TRACE <label> <phase> <ms> ... total <ms>" to FILE. begin returns false when a
 * trace is already running (an outer caller owns it: only the owner ends it); a phase is
 * the time since the previous mark. Without LAM_TRACE only the clock is read.
 */
bool dombuild_trace_begin(void);
void dombuild_trace(const char *phase);
void dombuild_trace_end(const char *label);

#endif
