/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lam-systest: the checks of the dom0 system test that need more than a
 * shell, run inside dom0 on Lamina (or Xen). Each subcommand prints what it
 * saw and exits 0 on success.
 *
 *   lam-systest hypercall          xen_version through /dev/xen/privcmd
 *   lam-systest foreign-map        map a dom0 frame through privcmd; one beyond memory fails
 *   lam-systest memstress MIB      allocate, touch, verify and free MIB of memory
 *   lam-systest free-pages         the host's free pages (sysctl physinfo)
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* Linux's privcmd interface (include/uapi/xen/privcmd.h). */
struct privcmd_hypercall {
    uint64_t op;
    uint64_t arg[5];
};
struct privcmd_mmapbatch_v2 {
    unsigned int num;
    uint16_t dom;
    void *addr;
    const uint64_t *arr;
    int *err;
};
#define IOCTL_PRIVCMD_HYPERCALL    _IOC(_IOC_NONE, 'P', 0, sizeof(struct privcmd_hypercall))
#define IOCTL_PRIVCMD_MMAPBATCH_V2 _IOC(_IOC_NONE, 'P', 4, sizeof(struct privcmd_mmapbatch_v2))

#define HYPERVISOR_xen_version      17
#define HYPERVISOR_memory_op        12
#define XENMEM_increase_reservation 0
#define XENMEM_decrease_reservation 1
#define DOMID_SELF                  0x7ff0

struct memory_reservation {
    uint64_t extent_start;
    uint64_t nr_extents;
    uint32_t extent_order;
    uint32_t mem_flags;
    uint16_t domid;
    uint16_t pad[3];
};

static int privcmd(void)
{
    int fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        perror("open /dev/xen/privcmd");
    return fd;
}

static long hypercall(int fd, uint64_t op, uint64_t a0, uint64_t a1)
{
    struct privcmd_hypercall hc = {.op = op, .arg = {a0, a1, 0, 0, 0}};
    return ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &hc);
}

static int cmd_hypercall(void)
{
    int fd = privcmd();
    if (fd < 0)
        return 1;
    long v = hypercall(fd, HYPERVISOR_xen_version, 0, 0);
    printf("xen_version through privcmd: %ld.%ld\n", v >> 16, v & 0xffff);
    return v > 0 ? 0 : 1;
}

static long reservation(int fd, unsigned int cmd, uint64_t *mfn)
{
    struct memory_reservation r = {
        .extent_start = (uint64_t)(uintptr_t)mfn, .nr_extents = 1, .domid = DOMID_SELF};
    return hypercall(fd, HYPERVISOR_memory_op, cmd, (uint64_t)(uintptr_t)&r);
}

static int map_one(int fd, uint64_t mfn, void **va, int *err)
{
    *va = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (*va == MAP_FAILED)
        return -1;
    struct privcmd_mmapbatch_v2 b = {
        .num = 1, .dom = DOMID_SELF, .addr = *va, .arr = &mfn, .err = err};
    return ioctl(fd, IOCTL_PRIVCMD_MMAPBATCH_V2, &b);
}

/*
 * A frame no hypervisor may map: the first one beyond the CPU's physical
 * address width (CPUID 0x80000008 EAX[7:0]). Its PTE would set reserved bits,
 * and it lies past every frame of the machine on Lamina and on Xen alike. The
 * width is at most 52, so the frame number still fits a PTE's address field.
 */
static uint64_t frame_beyond_memory(void)
{
    unsigned int eax, ebx, ecx, edx, bits = 36;
    if (__get_cpuid(0x80000000, &eax, &ebx, &ecx, &edx) && eax >= 0x80000008) {
        __get_cpuid(0x80000008, &eax, &ebx, &ecx, &edx);
        if ((eax & 0xff) > 12 && (eax & 0xff) <= 52)
            bits = eax & 0xff;
    }
    printf("physical address width: %u bits\n", bits);
    return 1ull << (bits - 12);
}

static int cmd_foreign_map(void)
{
    int fd = privcmd(), ok = 1;
    if (fd < 0)
        return 1;
    /* A frame of our own that Linux does not use: fresh from the hypervisor. */
    uint64_t mfn = 0;
    long got = reservation(fd, XENMEM_increase_reservation, &mfn);
    printf("increase_reservation: %ld extent(s), mfn %#lx\n", got, (unsigned long)mfn);
    if (got != 1)
        return 1;
    void *va;
    int err = 0;
    int rc = map_one(fd, mfn, &va, &err);
    printf("map our frame: ioctl %d err %d\n", rc, err);
    if (rc == 0 && err == 0) {
        volatile uint64_t *p = va;
        for (int i = 0; i < 512; i++)
            p[i] = 0x5a5a000000000000ull | (uint64_t)i;
        for (int i = 0; i < 512; i++)
            if (p[i] != (0x5a5a000000000000ull | (uint64_t)i))
                ok = 0;
        printf("write and read back through the mapping: %s\n", ok ? "ok" : "MISMATCH");
    } else {
        ok = 0;
    }
    munmap(va, 4096);
    /* A frame that exists nowhere must be refused. */
    void *bad;
    int bad_err = 0;
    uint64_t bad_mfn = frame_beyond_memory();
    rc = map_one(fd, bad_mfn, &bad, &bad_err);
    printf("map frame %#lx beyond memory: ioctl %d (errno %d) err %d\n", (unsigned long)bad_mfn, rc,
           rc ? errno : 0, bad_err);
    if (rc == 0 && bad_err == 0)
        ok = 0;
    munmap(bad, 4096);
    got = reservation(fd, XENMEM_decrease_reservation, &mfn);
    printf("decrease_reservation: %ld\n", got);
    return ok && got == 1 ? 0 : 1;
}

static int cmd_memstress(long mib)
{
    size_t len = (size_t)mib << 20;
    uint64_t *p = malloc(len);
    if (!p) {
        printf("malloc of %ld MiB failed\n", mib);
        return 1;
    }
    size_t n = len / sizeof(*p);
    for (size_t i = 0; i < n; i += 512)
        p[i] = i * 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < n; i += 512)
        if (p[i] != i * 0x9e3779b97f4a7c15ull) {
            printf("memstress: mismatch at %zu\n", i);
            return 1;
        }
    free(p);
    printf("memstress: %ld MiB touched and verified\n", mib);
    return 0;
}

/* sysctl physinfo (Xen 4.17, interface 0x15): free_pages at 48 in the payload at 8. */
static int cmd_free_pages(void)
{
    int fd = privcmd();
    if (fd < 0)
        return 1;
    static uint8_t buf[4096] __attribute__((aligned(4096)));
    mlock(buf, sizeof(buf));
    memset(buf, 0, 256);
    uint32_t cmd = 3, version = 0x15;
    memcpy(buf, &cmd, 4);
    memcpy(buf + 4, &version, 4);
    struct privcmd_hypercall hc = {.op = 35, .arg = {(uint64_t)(uintptr_t)buf}};
    long rc = ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &hc);
    close(fd);
    if (rc < 0) {
        printf("free-pages: physinfo failed: %s\n", strerror(errno));
        return 1;
    }
    uint64_t free_pages;
    memcpy(&free_pages, buf + 8 + 48, 8);
    printf("%llu\n", (unsigned long long)free_pages);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "free-pages"))
        return cmd_free_pages();
    if (argc >= 2 && !strcmp(argv[1], "hypercall"))
        return cmd_hypercall();
    if (argc >= 2 && !strcmp(argv[1], "foreign-map"))
        return cmd_foreign_map();
    if (argc >= 3 && !strcmp(argv[1], "memstress"))
        return cmd_memstress(strtol(argv[2], NULL, 10));
    fprintf(stderr, "usage: lam-systest hypercall | foreign-map | memstress MIB | free-pages\n");
    return 2;
}
