/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dombuild_create: the ordered build of a 64-bit PV domain from dom0, as libxl + libxc do
 * it on Xen 4.17 (toolstack.md §1.10), with only Xen 4.17's interfaces so that the same
 * binary builds domains on Lamina and on Xen:
 *
 *   checks    physinfo (memory, CPUs), the name and UUID claimed (claim.c) and not running,
 *             the kernel image and initrd parsed and laid out before anything is created
 *   create    createdomain, max_vcpus, max_mem, set_address_size(64)
 *   channels  two unbound event channels for dom0 (store, console)
 *   memory    populate_physmap on the domain's behalf: 2 MiB extents, then single pages
 *   image     the boot region mapped through privcmd: kernel, initrd, p2m, start_info, page
 *             tables, stack; unmapped again before the L4 is pinned (MMUEXT_PIN_L4_TABLE
 *             with foreigndom), since no writable mapping of a table may remain
 *   boot data shared_info's upcall masks; grant entries 0 (console) and 1 (store) for dom0
 *             through the grant frame GNTTABOP_setup_table names; vCPU 0's context
 *   store     the nodes libxl writes (store.c), XS_INTRODUCE, then unpause
 *
 * Every failure after createdomain destroys the domain and removes its store nodes.
 */
#include "dombuild.h"
#include "claim.h"
#include "hv.h"
#include "image_internal.h"
#include "region.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <lamina/domctl.h>
#include <lamina/grant_table.h>
#include <lamina/mmu.h>
#include <lamina/shared_info.h>
#include <lamina/sysctl.h>
#include <lamina/vcpu.h>

#include "hvctl.h"
#include "xsclient.h"

#define PAGE            DOMBUILD_PAGE_SIZE
#define SUPERPAGE_ORDER 9
#define POPULATE_CHUNK  (1u << 18) /* single pages per populate call */

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void uuid_str(const uint8_t u[16], char out[37])
{
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
             u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
             u[14], u[15]);
}

/* A whole file, malloc'd. */
static int read_file(const char *path, uint8_t **out, size_t *len, size_t max, const char *what,
                     char *why, size_t whylen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st)) {
        int err = errno;
        dombuild_why(why, whylen, "%s %s: %s", what, path, strerror(err));
        if (fd >= 0)
            close(fd);
        return -err;
    }
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
        dombuild_why(why, whylen, "%s %s: %s", what, path,
                     S_ISREG(st.st_mode) ? "too large" : "not a regular file");
        close(fd);
        return -EFBIG;
    }
    size_t n = (size_t)st.st_size;
    uint8_t *b = malloc(n ? n : 1);
    size_t got = 0;
    while (b && got < n) {
        ssize_t r = read(fd, b + got, n - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (!b || got != n) {
        dombuild_why(why, whylen, "%s %s: %s", what, path, b ? "short read" : "out of memory");
        free(b);
        return b ? -EIO : -ENOMEM;
    }
    *out = b;
    *len = n;
    return 0;
}

struct build {
    const struct dombuild_config *c;
    struct hv hv;
    struct hvctl *hvctl;
    struct xsc *xs;
    char *why;
    size_t whylen;
    struct lam_sysctl_physinfo phys;
    struct dombuild_kernel kernel;
    uint8_t *initrd;
    size_t initrd_len;
    struct dombuild_layout layout;
    uint16_t domid;
    bool created;
    bool claimed;  /* the name and UUID claims (claim.c) are ours until the store has them */
    uint64_t *p2m; /* hv_buf: pfn -> mfn */
    uint32_t store_port, console_port;
    uint64_t shinfo_mfn;
    struct region region; /* the pages of [0, layout.end_pfn) the build writes, mapped */
    void *cache_map;      /* the cached kernel ELF, mapped (for its headers) */
    size_t cache_len;
    int cache_fd; /* ... and open: its segments are read straight into the guest */
};

static void *page_of(void *ctx, uint64_t pfn)
{
    struct build *b = ctx;
    return region_page(&b->region, pfn);
}

static int fail(struct build *b, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct build *b, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->why, b->whylen, fmt, ap);
    va_end(ap);
    return rc < 0 ? rc : -EINVAL;
}

static int hv_fail(struct build *b, int rc, const char *what)
{
    return fail(b, rc, "%s: %s", what, hvctl_strerror(rc));
}

/* ---- checks before anything is created ---- */

static int check_host(struct build *b)
{
    const struct dombuild_config *c = b->c;
    int rc = hv_physinfo(&b->hv, &b->phys);
    if (rc)
        return hv_fail(b, rc, "physinfo");
    if (c->vcpus > b->phys.nr_cpus)
        return fail(b, -EINVAL,
                    "%u vCPUs online at boot but the host has %u physical CPU%s (more may be "
                    "hot-plugged later: <vcpu current='%u'>%u</vcpu>)",
                    c->vcpus, b->phys.nr_cpus, b->phys.nr_cpus == 1 ? "" : "s", b->phys.nr_cpus,
                    c->vcpus);
    uint64_t need = c->target_kib / 4;
    if (need > b->phys.free_pages)
        return fail(b, -ENOMEM, "the domain needs %llu MiB but the host has %llu MiB free",
                    (unsigned long long)(c->target_kib >> 10),
                    (unsigned long long)(b->phys.free_pages >> 8));
    return 0;
}

static int check_unique(struct build *b)
{
    struct store_entry *e;
    size_t n;
    int rc = store_domains(b->xs, &e, &n);
    if (rc)
        return fail(b, rc, "reading /local/domain from the store: %s", strerror(-rc));
    char uuid[37];
    uuid_str(b->c->uuid, uuid);
    /* Which of them the hypervisor still has: one list, not a getdomaininfo each. */
    struct hvctl_dominfo *list = NULL;
    size_t nlist = 0;
    static uint8_t live[1u << 16];
    memset(live, 0, sizeof(live));
    if (n && (rc = hvctl_domain_list(b->hvctl, &list, &nlist))) {
        free(e);
        return hv_fail(b, rc, "listing the running domains");
    }
    for (size_t j = 0; j < nlist; j++)
        live[list[j].domid] = 1;
    free(list);
    for (size_t i = 0; i < n && !rc; i++) {
        if (!live[e[i].domid])
            continue; /* a leftover of a domain that is gone: not a conflict */
        if (!strcmp(e[i].name, b->c->name))
            rc = fail(b, -EEXIST, "a domain named '%s' is already running (id %u)", e[i].name,
                      e[i].domid);
        else if (!strcmp(e[i].uuid, uuid))
            rc = fail(b, -EEXIST, "a domain with UUID %s is already running ('%s', id %u)", uuid,
                      e[i].name, e[i].domid);
    }
    free(e);
    return rc;
}

/* Claim the name and UUID first, then look for running domains holding them: see claim.c
 * for why this order makes the check atomic against other builders. */
static int claim(struct build *b)
{
    char uuid[37];
    uuid_str(b->c->uuid, uuid);
    int rc = claim_take(b->xs, b->c->name, uuid, b->why, b->whylen);
    b->claimed = rc == 0;
    return rc;
}

/*
 * The decompressed kernel cache: Debian's xz bzImage takes about 20 s to decompress in dom0
 * under QEMU's emulation (1.5 s natively), a cached ELF is just mapped. An entry is named by
 * the image file's identity (device, inode, size, mtime), so a replaced file is never served
 * stale; entries of earlier versions of the same file are removed when a new one is written.
 */
static void cache_key(const struct stat *st, char *key, size_t len)
{
    snprintf(key, len, "%llx-%llx-%llx-%llx.elf", (unsigned long long)st->st_dev,
             (unsigned long long)st->st_ino, (unsigned long long)st->st_size,
             (unsigned long long)st->st_mtim.tv_sec * 1000000000ull +
                 (unsigned long long)st->st_mtim.tv_nsec);
}

static bool cache_lookup(struct build *b, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return false;
    bool ok = !fstat(fd, &st) && st.st_size > 0;
    void *m = ok ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
    if (m == MAP_FAILED) {
        close(fd);
        return false;
    }
    char sub[DOMBUILD_WHY_MAX];
    if (dombuild_kernel_parse_elf(m, (size_t)st.st_size, &b->kernel, sub, sizeof(sub))) {
        munmap(m, (size_t)st.st_size);
        close(fd);
        unlink(path); /* damaged: decompress again */
        return false;
    }
    b->cache_fd = fd;
    b->cache_map = m;
    b->cache_len = (size_t)st.st_size;
    return true;
}

static void cache_store(struct build *b, const char *dir, const char *key)
{
    char parent[PATH_MAX];
    snprintf(parent, sizeof(parent), "%s", dir);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = 0;
        mkdir(parent, 0755); /* one level is enough for /run/lamina/kernels */
    }
    if (mkdir(dir, 0700) && errno != EEXIST)
        return;
    DIR *d = opendir(dir);
    const char *dash = strchr(key, '-');
    dash = dash ? strchr(dash + 1, '-') : NULL; /* after device-inode- */
    for (struct dirent *e; d && dash && (e = readdir(d));) {
        if (!strncmp(e->d_name, key, (size_t)(dash - key + 1)) && strcmp(e->d_name, key)) {
            char old[PATH_MAX];
            snprintf(old, sizeof(old), "%s/%s", dir, e->d_name);
            unlink(old);
        }
    }
    if (d)
        closedir(d);
    char tmp[PATH_MAX], final[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, key);
    snprintf(final, sizeof(final), "%s/%s", dir, key);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return;
    /* Sparse: zero pages are left as holes, which the build finds again with SEEK_DATA
     * and leaves unmapped (region.h). */
    const uint8_t *elf = b->kernel.elf;
    size_t len = b->kernel.elf_len, off = 0;
    bool ok = ftruncate(fd, (off_t)len) == 0;
    while (ok && off < len) {
        size_t run = 0; /* non-zero pages from off */
        while (off + run < len &&
               !region_all_zero(elf + off + run, len - off - run < PAGE ? len - off - run : PAGE))
            run += len - off - run < PAGE ? len - off - run : PAGE;
        for (size_t done = 0; ok && done < run;) {
            ssize_t w = pwrite(fd, elf + off + done, run - done, (off_t)(off + done));
            ok = w > 0;
            done += ok ? (size_t)w : 0;
        }
        off += run;
        while (off < len && region_all_zero(elf + off, len - off < PAGE ? len - off : PAGE))
            off += len - off < PAGE ? len - off : PAGE;
    }
    if (close(fd) || !ok || rename(tmp, final))
        unlink(tmp);
}

static int load_kernel(struct build *b)
{
    const struct dombuild_config *c = b->c;
    char key[128] = "", cached[PATH_MAX] = "";
    struct stat st;
    if (c->kernel_cache && !stat(c->kernel, &st) && S_ISREG(st.st_mode)) {
        cache_key(&st, key, sizeof(key));
        snprintf(cached, sizeof(cached), "%s/%s", c->kernel_cache, key);
        if (cache_lookup(b, cached))
            return 0;
    }
    uint8_t *img;
    size_t len;
    char sub[DOMBUILD_WHY_MAX];
    int rc = read_file(c->kernel, &img, &len, DOMBUILD_MAX_KERNEL, "kernel", b->why, b->whylen);
    if (rc)
        return rc;
    rc = dombuild_kernel_parse(img, len, &b->kernel, sub, sizeof(sub));
    free(img);
    if (rc)
        return fail(b, rc, "kernel %s: %s", c->kernel, sub);
    if (*key && b->kernel.compression != DOMBUILD_COMP_NONE)
        cache_store(b, c->kernel_cache, key);
    return 0;
}

static int load_images(struct build *b)
{
    const struct dombuild_config *c = b->c;
    int rc = load_kernel(b);
    if (rc)
        return rc;
    dombuild_trace("kernel");
    if (c->initrd) {
        rc = read_file(c->initrd, &b->initrd, &b->initrd_len, DOMBUILD_MAX_KERNEL, "initrd", b->why,
                       b->whylen);
        if (rc)
            return rc;
    }
    uint64_t pages = c->target_kib / 4;
    rc = dombuild_layout_compute(&b->kernel.info, pages, b->initrd_len, &b->layout);
    if (rc == -ENOSPC) {
        struct dombuild_layout bare;
        int bare_rc = dombuild_layout_compute(&b->kernel.info, pages, 0, &bare);
        if (!bare_rc && b->initrd_len)
            return fail(b, rc,
                        "initrd %s (%zu KiB) does not fit: with the kernel and boot data it "
                        "needs %llu MiB, the domain has %llu MiB",
                        c->initrd, b->initrd_len >> 10,
                        (unsigned long long)((b->layout.end_pfn + 255) >> 8),
                        (unsigned long long)(pages >> 8));
        return fail(b, rc, "%llu MiB is too little memory for kernel %s (it needs %llu MiB)",
                    (unsigned long long)(pages >> 8), c->kernel,
                    (unsigned long long)((b->layout.end_pfn + 255) >> 8));
    }
    if (rc)
        return fail(b, rc, "kernel %s: its boot mapping would exceed 1 GiB", c->kernel);
    return 0;
}

/* ---- the domain ---- */

static int create_domain(struct build *b)
{
    const struct dombuild_config *c = b->c;
    struct lam_domctl op;
    memset(&op, 0, sizeof(op));
    struct lam_domctl_createdomain *cd = &op.u.createdomain;
    memcpy(cd->handle, c->uuid, 16);
    cd->max_vcpus = c->max_vcpus;
    cd->max_evtchn_port = c->max_evtchn_port ? c->max_evtchn_port : 1023;
    cd->max_grant_frames = c->max_grant_frames ? (int32_t)c->max_grant_frames : -1;
    cd->max_maptrack_frames = -1;
    cd->grant_opts = (b->phys.capabilities & LAM_SYSCTL_PHYSCAP_gnttab_v2) ? 2 : 1;
    int rc = hv_domctl(&b->hv, LAM_DOMCTL_createdomain, 0, &op);
    if (rc)
        return hv_fail(b, rc, "createdomain");
    b->domid = op.domain;
    b->created = true;

    memset(&op, 0, sizeof(op));
    op.u.max_vcpus.max = c->max_vcpus;
    if ((rc = hv_domctl(&b->hv, LAM_DOMCTL_max_vcpus, b->domid, &op)))
        return hv_fail(b, rc, "max_vcpus");
    memset(&op, 0, sizeof(op));
    op.u.max_mem.max_memkb = c->target_kib + 1024; /* libxl's LIBXL_MAXMEM_CONSTANT */
    if ((rc = hv_domctl(&b->hv, LAM_DOMCTL_max_mem, b->domid, &op)))
        return hv_fail(b, rc, "max_mem");
    memset(&op, 0, sizeof(op));
    op.u.address_size.size = 64;
    if ((rc = hv_domctl(&b->hv, LAM_DOMCTL_set_address_size, b->domid, &op)))
        return hv_fail(b, rc, "set_address_size");
    if ((rc = hv_alloc_unbound(&b->hv, b->domid, 0, &b->store_port)) ||
        (rc = hv_alloc_unbound(&b->hv, b->domid, 0, &b->console_port)))
        return hv_fail(b, rc, "event channel for the store or console");
    return 0;
}

/* Fill p2m[first .. first + n * 2^order) from populate's answer: one MFN per extent. */
static int populate(struct build *b, uint64_t first, uint64_t n, unsigned int order)
{
    uint64_t *ext = b->p2m + first; /* reused in place: extent i's pfn in, its MFN out */
    for (uint64_t i = 0; i < n; i++)
        ext[i] = first + (i << order);
    long done = hv_populate(&b->hv, b->domid, ext, n, order);
    if (done < 0)
        return (int)done;
    /* Spread the extents' MFNs out backwards so that none is overwritten before it is read. */
    for (uint64_t i = (uint64_t)done; i-- > 0;) {
        uint64_t mfn = ext[i];
        for (uint64_t j = (1ull << order); j-- > 0;)
            b->p2m[first + (i << order) + j] = mfn + j;
    }
    return (uint64_t)done == n ? 0 : -ENOMEM;
}

static int allocate_memory(struct build *b)
{
    uint64_t pages = b->layout.nr_pages;
    uint64_t supers = pages >> SUPERPAGE_ORDER, pfn = 0;
    /* 2 MiB extents where the host has them; what it refuses is done page by page. */
    if (supers && populate(b, 0, supers, SUPERPAGE_ORDER) == 0)
        pfn = supers << SUPERPAGE_ORDER;
    else {
        struct lam_domctl op;
        memset(&op, 0, sizeof(op));
        if (!hv_domctl(&b->hv, LAM_DOMCTL_getdomaininfo, b->domid, &op) &&
            op.u.getdomaininfo.tot_pages)
            return fail(b, -ENOMEM, "out of memory: %llu of %llu MiB populated",
                        (unsigned long long)(op.u.getdomaininfo.tot_pages >> 8),
                        (unsigned long long)(pages >> 8));
    }
    while (pfn < pages) {
        uint64_t n = pages - pfn < POPULATE_CHUNK ? pages - pfn : POPULATE_CHUNK;
        int rc = populate(b, pfn, n, 0);
        if (rc)
            return fail(b, rc, "populate_physmap: the host could not give %llu MiB",
                        (unsigned long long)(pages >> 8));
        pfn += n;
    }
    return 0;
}

/* The 64-bit PV hypercall page: stub i is "push %rcx; push %r11; mov $i, %eax; syscall;
 * pop %r11; pop %rcx; ret" (iret: push %rax first, never returns), as both hypervisors
 * write it; only a kernel with a HYPERCALL_PAGE note wants one. */
static void fill_hypercall_page(uint8_t *p)
{
    memset(p, 0xcc, PAGE);
    for (unsigned int i = 0; i < PAGE / 32; i++) {
        uint8_t *s = p + i * 32;
        if (i == 23) { /* __HYPERVISOR_iret */
            const uint8_t iret[] = {0x51, 0x41, 0x53, 0x50, 0xb8, 23, 0, 0, 0, 0x0f, 0x05};
            memcpy(s, iret, sizeof(iret));
            continue;
        }
        const uint8_t stub[] = {0x51, 0x41, 0x53, 0xb8, (uint8_t)i, 0,    0,
                                0,    0x0f, 0x05, 0x41, 0x5b,       0x59, 0xc3};
        memcpy(s, stub, sizeof(stub));
    }
}

/*
 * The kernel's segments with data, marked (copy false) or written (copy true): a cached
 * kernel's from its sparse file with pread straight into the guest's pages (no page
 * faults on a mapping of the file, no second copy), a kernel decompressed now from
 * memory. Their zero pages and bss are left as the fresh frames are: zero.
 */
static int kernel_pages(struct build *b, bool copy)
{
    const struct dombuild_kinfo *k = &b->kernel.info;
    uint64_t limit = b->layout.nr_mapped * PAGE;
    for (unsigned int s = 0; s < k->nr_segments; s++) {
        const struct dombuild_segment *seg = &k->segments[s];
        if (seg->pfn_addr > limit || seg->memsz > limit - seg->pfn_addr || seg->filesz > seg->memsz)
            return -ENOSPC;
        int rc;
        if (b->cache_fd >= 0) {
            rc = region_segment_file(&b->region, b->cache_fd, seg->offset, seg->filesz,
                                     seg->pfn_addr, copy);
        } else {
            if (seg->offset > b->kernel.elf_len || seg->filesz > b->kernel.elf_len - seg->offset)
                return -EINVAL;
            rc = region_segment_mem(&b->region, b->kernel.elf + seg->offset, seg->filesz,
                                    seg->pfn_addr, copy);
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* Everything the build writes: the kernel's data, initrd, p2m list (with the INIT_P2M
 * area's tables), start_info, store and console pages, boot page tables, hypercall page. */
static int want_pages(struct build *b)
{
    const struct dombuild_layout *l = &b->layout;
    const struct dombuild_kinfo *k = &b->kernel.info;
    struct region *r = &b->region;
    int rc = kernel_pages(b, false);
    if (rc)
        return fail(b, rc, "loading the kernel's segments: %s", strerror(-rc));
    region_want_pages(r, l->initrd_pfn, b->initrd_len ? l->initrd_pages : 0);
    region_want_pages(r, l->p2m_pfn, l->p2m_pages);
    if (l->nr_p2m_frames)
        region_want_pages(r, l->first_p2m_pfn, l->nr_p2m_frames);
    region_want_pages(r, l->start_info_pfn, 3); /* start_info, store, console */
    region_want_pages(r, l->pt_pfn, l->nr_pt);
    if (k->has_hypercall_page) {
        uint64_t hp = k->hypercall_page;
        if (hp < l->virt_base || hp >= l->v_end || (hp & (PAGE - 1)))
            return fail(b, -EINVAL, "the kernel's hypercall page is outside its boot mapping");
        region_want_pages(r, (hp - l->virt_base) / PAGE, 1);
    }
    return 0;
}

static int write_image(struct build *b)
{
    const struct dombuild_layout *l = &b->layout;
    struct lam_domctl op;
    memset(&op, 0, sizeof(op));
    int rc = hv_domctl(&b->hv, LAM_DOMCTL_getdomaininfo, b->domid, &op);
    if (rc)
        return hv_fail(b, rc, "getdomaininfo");
    b->shinfo_mfn = op.u.getdomaininfo.shared_info_frame;

    if ((rc = region_init(&b->region, l->end_pfn)))
        return fail(b, rc, "mapping the new domain's memory: %s", strerror(-rc));
    if ((rc = want_pages(b)))
        return rc;
    dombuild_trace("plan");
    rc = region_map(&b->region, &b->hv, b->domid, b->p2m);
    if (rc)
        return fail(b, rc, "mapping the new domain's memory: %s", strerror(-rc));
    dombuild_trace("map");
    /* Fresh frames come zeroed from both hypervisors (Lamina clears them when it hands
     * them out, Xen scrubs what a domain frees): pages left unmapped stay zero. The boot
     * data pages are cleared anyway, as libxc clears its special pages. */
    memset(page_of(b, l->start_info_pfn), 0, 3 * PAGE);
    for (uint64_t i = 0; i < l->nr_pt; i++)
        memset(page_of(b, l->pt_pfn + i), 0, PAGE);
    rc = kernel_pages(b, true);
    if (rc)
        return fail(b, rc, "loading the kernel's segments: %s", strerror(-rc));
    dombuild_trace("kernel-copy");
    if (b->initrd_len)
        memcpy(page_of(b, l->initrd_pfn), b->initrd, b->initrd_len);
    uint8_t *p2m = page_of(b, l->p2m_pfn);
    memcpy(p2m, b->p2m, l->nr_pages * sizeof(uint64_t));
    memset(p2m + l->nr_pages * sizeof(uint64_t), 0xff,
           l->p2m_pages * PAGE - l->nr_pages * sizeof(uint64_t));
    dombuild_trace("initrd-p2m-copy");
    struct dombuild_boot_params bp = {
        .shared_info_mfn = b->shinfo_mfn,
        .store_mfn = b->p2m[l->store_pfn],
        .console_mfn = b->p2m[l->console_pfn],
        .store_port = b->store_port,
        .console_port = b->console_port,
        .initrd_len = b->initrd_len,
        .cmdline = b->c->cmdline,
    };
    dombuild_fill_start_info(page_of(b, l->start_info_pfn), l, &bp);
    const struct dombuild_kinfo *k = &b->kernel.info;
    if (k->has_hypercall_page)
        fill_hypercall_page(page_of(b, (k->hypercall_page - l->virt_base) / PAGE));
    rc = dombuild_write_pagetables(l, k, b->p2m, page_of, b);
    if (rc)
        return fail(b, rc, "writing the boot page tables: %s", strerror(-rc));
    dombuild_trace("boot-data");
    region_free(&b->region);
    dombuild_trace("unmap");
    return 0;
}

static int boot_data(struct build *b)
{
    const struct dombuild_layout *l = &b->layout;
    int rc = hv_mmuext(&b->hv, b->domid, LAM_MMUEXT_PIN_L4_TABLE, b->p2m[l->pt_pfn]);
    if (rc)
        return hv_fail(b, rc, "pinning the boot page tables (the hypervisor refused them)");
    dombuild_trace("pin");

    struct lam_shared_info *si = hv_map(&b->hv, b->domid, &b->shinfo_mfn, 1, &rc);
    if (!si)
        return fail(b, rc, "mapping shared_info: %s", strerror(-rc));
    for (unsigned int i = 0; i < LAM_LEGACY_MAX_VCPUS; i++)
        si->vcpu_info[i].evtchn_upcall_mask = 1;
    hv_unmap(si, 1);

    uint64_t gmfn;
    if ((rc = hv_grant_frame(&b->hv, b->domid, &gmfn)))
        return hv_fail(b, rc, "GNTTABOP_setup_table for the new domain");
    struct lam_grant_entry_v1 *g = hv_map(&b->hv, b->domid, &gmfn, 1, &rc);
    if (!g)
        return fail(b, rc, "mapping the new domain's grant table: %s", strerror(-rc));
    const uint64_t frames[2] = {b->p2m[l->console_pfn], b->p2m[l->store_pfn]};
    for (unsigned int i = 0; i < 2; i++) { /* refs 0 (console) and 1 (store), for dom0 */
        g[i].domid = 0;
        g[i].frame = (uint32_t)frames[i];
        __atomic_store_n(&g[i].flags, (uint16_t)LAM_GTF_permit_access, __ATOMIC_RELEASE);
    }
    hv_unmap(g, 1);
    dombuild_trace("shinfo-grants");

    const size_t ctx_len = sizeof(struct lam_vcpu_guest_context);
    void *ctx = hv_buf(ctx_len);
    if (!ctx)
        return fail(b, -ENOMEM, "out of memory");
    dombuild_fill_vcpu0(ctx, l, &b->kernel.info, b->p2m[l->pt_pfn]);
    struct lam_domctl op;
    memset(&op, 0, sizeof(op));
    op.u.vcpucontext.vcpu = 0;
    op.u.vcpucontext.ctxt = (uintptr_t)ctx;
    rc = hv_domctl(&b->hv, LAM_DOMCTL_setvcpucontext, b->domid, &op);
    hv_buf_free(ctx, ctx_len);
    if (rc)
        return hv_fail(b, rc, "setvcpucontext of vCPU 0");
    return 0;
}

static int introduce(struct build *b, struct dombuild_result *r)
{
    struct store_domain s = {
        .cfg = b->c,
        .store_mfn = b->p2m[b->layout.store_pfn],
        .console_mfn = b->p2m[b->layout.console_pfn],
        .store_port = b->store_port,
        .console_port = b->console_port,
    };
    uuid_str(b->c->uuid, s.uuid);
    int rc = store_write_domain(b->xs, b->domid, &s);
    if (rc)
        return fail(b, rc, "writing the domain's store nodes: %s", strerror(-rc));
    dombuild_trace("store-write");
    rc = xsc_introduce(b->xs, b->domid, s.store_mfn, s.store_port);
    if (rc)
        return fail(b, -rc, "XS_INTRODUCE: the store daemon refused the domain: %s", strerror(rc));
    r->store_mfn = s.store_mfn;
    r->console_mfn = s.console_mfn;
    r->store_port = s.store_port;
    r->console_port = s.console_port;
    return 0;
}

/* Record the time since *t in *field and restart the clock; 0, to chain with the steps. */
static int step(double *field, double *t)
{
    double now = now_ms();
    *field = now - *t;
    *t = now;
    return 0;
}

/*
 * Fault injection for the tests: LAMINA_DOMBUILD_FAIL=STEP makes the build fail right after
 * that step (create, memory, image, boot, introduce), so that the cleanup of a half-built
 * domain can be checked at every stage. Unset in normal use.
 */
static int injected(struct build *b, const char *step)
{
    const char *want = getenv("LAMINA_DOMBUILD_FAIL");
    if (!want || strcmp(want, step))
        return 0;
    return fail(b, -ECANCELED, "stopped after step '%s' (LAMINA_DOMBUILD_FAIL)", step);
}

/* A phase mark that chains with the steps (0). */
static int mark(const char *phase)
{
    dombuild_trace(phase);
    return 0;
}

static int run_build(struct build *b, struct dombuild_result *r, double t0)
{
    int rc;
    if ((rc = check_host(b)) || mark("physinfo") || (rc = claim(b)) || mark("claim") ||
        (rc = check_unique(b)) || mark("unique") || (rc = load_images(b)) || mark("initrd-layout"))
        return rc;
    r->ms_image = now_ms() - t0;
    double t1 = now_ms();
    b->p2m = hv_buf(b->layout.nr_pages * sizeof(uint64_t));
    if (!b->p2m)
        return fail(b, -ENOMEM, "out of memory for the p2m list");
    double t = t1;
#define STEP(field) step(&r->field, &t)
    if (mark("p2m-buffer") || (rc = create_domain(b)) || (rc = injected(b, "create")) ||
        STEP(ms_create) || mark("createdomain") || (rc = allocate_memory(b)) ||
        (rc = injected(b, "memory")) || STEP(ms_memory) || mark("populate") ||
        (rc = write_image(b)) || (rc = injected(b, "image")) || STEP(ms_write) ||
        (rc = boot_data(b)) || (rc = injected(b, "boot")) || STEP(ms_boot) ||
        mark("vcpu-context") || (rc = introduce(b, r)) || (rc = injected(b, "introduce")) ||
        mark("introduce"))
        return rc;
    if (!b->c->paused && (rc = hvctl_domain_unpause(b->hvctl, b->domid)))
        return hv_fail(b, rc, "unpause");
    STEP(ms_store);
    mark("unpause");
#undef STEP
    r->domid = b->domid;
    r->ms_build = now_ms() - t1;
    r->ms_total = now_ms() - t0;
    return 0;
}

int dombuild_disk_check(const struct dombuild_disk *d, char *why, size_t whylen)
{
    if (d->unsupported_driver) {
        dombuild_why(why, whylen,
                     "disk %s: driver '%s' is not served (Lamina's disk backend is named "
                     "'lamina', 'qemu', 'file' or 'tap')",
                     d->target ? d->target : "?", d->unsupported_driver);
        return -EINVAL;
    }
    if (dombuild_disk_devid(d->target) < 0) {
        dombuild_why(why, whylen, "disk target '%s': not a Xen disk name (xvda, xvdb, ...)",
                     d->target ? d->target : "");
        return -EINVAL;
    }
    if (!d->path || d->path[0] != '/' || !d->format ||
        (strcmp(d->format, "raw") && strcmp(d->format, "qcow2"))) {
        dombuild_why(why, whylen,
                     "disk %s: needs an absolute source path and format raw or "
                     "qcow2",
                     d->target);
        return -EINVAL;
    }
    return 0;
}

/* Disks lamblkback can serve, each under its own virtual-device number. */
static int check_disks(const struct dombuild_config *c, char *why, size_t whylen)
{
    if (c->ndisks > DOMBUILD_MAX_DISKS) {
        dombuild_why(why, whylen, "more than %d disks", DOMBUILD_MAX_DISKS);
        return -EINVAL;
    }
    for (unsigned int i = 0; i < c->ndisks; i++) {
        const struct dombuild_disk *d = &c->disks[i];
        if (dombuild_disk_check(d, why, whylen))
            return -EINVAL;
        long devid = dombuild_disk_devid(d->target);
        for (unsigned int j = 0; j < i; j++)
            if (dombuild_disk_devid(c->disks[j].target) == devid) {
                dombuild_why(why, whylen, "disk %s given twice", d->target);
                return -EINVAL;
            }
    }
    return 0;
}

int dombuild_create(const struct dombuild_config *c, struct dombuild_result *r, char *why,
                    size_t whylen)
{
    double t0 = now_ms();
    struct build b = {.c = c, .why = why, .whylen = whylen, .cache_fd = -1};
    memset(r, 0, sizeof(*r));
    dombuild_why(why, whylen, "unknown error");
    if (!c->name || !c->kernel || !c->max_vcpus || !c->vcpus || c->vcpus > c->max_vcpus ||
        !c->target_kib || c->target_kib > c->max_kib) {
        dombuild_why(why, whylen, "incomplete configuration");
        return -EINVAL;
    }
    if (check_disks(c, why, whylen))
        return -EINVAL;
    int rc = hv_open(&b.hv);
    if (rc) {
        dombuild_why(why, whylen,
                     "cannot reach the hypervisor: /dev/xen/privcmd: %s (domains are created "
                     "from dom0, with the privcmd module loaded)",
                     strerror(-rc));
        return rc;
    }
    bool tracing = dombuild_trace_begin(); /* unless the caller traces a larger operation */
    b.hvctl = hvctl_open();
    b.xs = b.hvctl ? store_open(c->store_path, why, whylen) : NULL;
    if (!b.hvctl)
        dombuild_why(why, whylen, "cannot reach the hypervisor: %s", strerror(errno));
    dombuild_trace("open");
    rc = b.hvctl && b.xs ? run_build(&b, r, t0) : -EIO;
    if (rc && b.created) {
        /* Nothing may be left of a half-built domain: no store nodes, no frames. */
        region_free(&b.region);
        store_remove_domain(b.xs, b.domid);
        xsc_release(b.xs, b.domid);
        hvctl_domain_destroy(b.hvctl, b.domid);
    }
    if (b.claimed) { /* the store holds the name now, or the build failed */
        char uuid[37];
        uuid_str(c->uuid, uuid);
        claim_release(b.xs, c->name, uuid);
    }
    region_free(&b.region);
    hv_buf_free(b.p2m, b.layout.nr_pages * sizeof(uint64_t));
    dombuild_kernel_free(&b.kernel);
    if (b.cache_map)
        munmap(b.cache_map, b.cache_len);
    if (b.cache_fd >= 0)
        close(b.cache_fd);
    free(b.initrd);
    if (b.xs)
        xsc_close(b.xs);
    hvctl_close(b.hvctl);
    hv_close(&b.hv);
    dombuild_trace("cleanup");
    if (tracing)
        dombuild_trace_end(c->name);
    return rc;
}

int dombuild_destroy(uint16_t domid, const char *store_path, char *why, size_t whylen)
{
    struct hvctl *h = hvctl_open();
    if (!h) {
        dombuild_why(why, whylen, "cannot reach the hypervisor: /dev/xen/privcmd: %s",
                     strerror(errno));
        return -errno;
    }
    /* Stop it first so that it writes nothing more into the store. Domain 0 is never
     * paused or touched in the store: destroydomain refuses it with Xen's error. */
    int rc = domid ? hvctl_domain_pause(h, domid) : 0;
    if (rc == -ESRCH) {
        dombuild_why(why, whylen, "domain %u: %s", domid, hvctl_strerror(rc));
        hvctl_close(h);
        return rc;
    }
    char sub[DOMBUILD_WHY_MAX];
    struct xsc *xs = domid ? store_open(store_path, sub, sizeof(sub)) : NULL;
    if (xs) {
        store_remove_domain(xs, domid);
        xsc_release(xs, domid); /* ENOENT-like answers when it was never introduced: fine */
        xsc_close(xs);
    }
    rc = hvctl_domain_destroy(h, domid);
    if (rc)
        dombuild_why(why, whylen, "domain %u: %s", domid, hvctl_strerror(rc));
    hvctl_close(h);
    return rc;
}

int dombuild_find_by_name(const char *name, const char *store_path, uint16_t *domid)
{
    char why[DOMBUILD_WHY_MAX];
    struct xsc *xs = store_open(store_path, why, sizeof(why));
    if (!xs)
        return -ENOTCONN;
    struct store_entry *e;
    size_t n;
    int rc = store_domains(xs, &e, &n);
    xsc_close(xs);
    if (rc)
        return rc;
    rc = -ESRCH;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(e[i].name, name)) {
            *domid = e[i].domid;
            rc = 0;
            break;
        }
    free(e);
    return rc;
}
