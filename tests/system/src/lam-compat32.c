/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lam-compat32: a static 32-bit (i386) program for the dom0 system test. The
 * 64-bit dom0 kernel runs it through its IA32 emulation, so its system calls
 * come from compat-mode user code and reach the kernel through the
 * hypervisor's callbacks for int $0x80, SYSCALL and SYSENTER.
 *
 *   lam-compat32 PATH...     PATH: int80, syscall, sysenter, vdso
 *
 * Freestanding (no libc: the system has no 32-bit one). For each path: getpid
 * agrees with int $0x80's, write(2) of a line returns its length (ECX is an
 * argument SYSCALL clobbers: it travels in EBP), mmap2 with six arguments (the
 * sixth in EBP, or on the stack for SYSCALL/SYSENTER) gives a page that works,
 * and every register but EAX is as before. syscall and sysenter are issued
 * directly with the stack the kernel expects from the vDSO (ECX, EDX, EBP
 * pushed, the kernel returns through the vDSO's landing pad); vdso calls
 * __kernel_vsyscall, and "vdso: <instruction>" says which entry the kernel
 * patched into it. Prints "compat32 PATH: ok" or "compat32 PATH: FAIL ..." and
 * exits with the number of failed paths.
 */
#include <stddef.h>
#include <stdint.h>

#define NR_exit      1
#define NR_write     4
#define NR_getpid    20
#define NR_munmap    91
#define NR_mmap2     192
#define AT_SYSINFO   32
#define PROT_RW      3
#define MAP_PRIVANON 0x22

/* The registers around one system call (cdecl: the assembly below knows the offsets). */
struct regs32 {
    uint32_t eax, ebx, ecx, edx, esi, edi, ebp;
};

/*
 * sc_call(in, out, entry): load EAX..EBP from *in, call entry, store EAX..EBP to *out.
 * entry is one of the thunks below or __kernel_vsyscall; each returns with RET.
 */
void sc_call(const struct regs32 *in, struct regs32 *out, uint32_t entry);
void sc_int80(void), sc_syscall(void), sc_sysenter(void);
__asm__(".text\n"
        ".globl sc_call, sc_int80, sc_syscall, sc_sysenter\n"
        "sc_call:\n"
        "  push %ebp\n  push %ebx\n  push %esi\n  push %edi\n"
        "  mov 20(%esp), %eax\n" /* in */
        "  pushl 28(%esp)\n"     /* entry */
        "  pushl 28(%esp)\n"     /* out (one slot further now) */
        "  mov 4(%eax), %ebx\n  mov 8(%eax), %ecx\n  mov 12(%eax), %edx\n"
        "  mov 16(%eax), %esi\n  mov 20(%eax), %edi\n  mov 24(%eax), %ebp\n"
        "  mov 0(%eax), %eax\n"
        "  call *4(%esp)\n"
        "  xchg %eax, (%esp)\n" /* out; the result saved in its slot */
        "  mov %ebx, 4(%eax)\n  mov %ecx, 8(%eax)\n  mov %edx, 12(%eax)\n"
        "  mov %esi, 16(%eax)\n  mov %edi, 20(%eax)\n  mov %ebp, 24(%eax)\n"
        "  pop %ebx\n  mov %ebx, 0(%eax)\n"
        "  add $4, %esp\n"
        "  pop %edi\n  pop %esi\n  pop %ebx\n  pop %ebp\n"
        "  ret\n"
        "sc_int80:\n"
        "  int $0x80\n"
        "  ret\n"
        /* As __kernel_vsyscall: ECX, EDX, EBP on the stack; the kernel returns to the
         * vDSO's landing pad, which pops them and returns to our caller. */
        "sc_syscall:\n"
        "  push %ecx\n  push %edx\n  push %ebp\n"
        "  mov %ecx, %ebp\n"
        "  syscall\n"
        "  int3\n"
        "sc_sysenter:\n"
        "  push %ecx\n  push %edx\n  push %ebp\n"
        "  mov %esp, %ebp\n"
        "  sysenter\n"
        "  int3\n");

static uint32_t vsyscall; /* __kernel_vsyscall, from AT_SYSINFO */

/* The compiler may emit calls to these even in freestanding code. */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n)
{
    uint8_t *p = d;
    while (n--)
        *p++ = (uint8_t)c;
    return d;
}
void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *p = d;
    const uint8_t *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

static size_t len(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static uint32_t raw(uint32_t entry, uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4,
                    uint32_t a5, uint32_t a6, int *regs_ok)
{
    /* Arguments in EBX ECX EDX ESI EDI EBP; unused ones carry sentinels. */
    struct regs32 in = {nr, a1, a2, a3, a4, a5, a6}, out;
    sc_call(&in, &out, entry);
    *regs_ok = out.ebx == in.ebx && out.ecx == in.ecx && out.edx == in.edx && out.esi == in.esi &&
               out.edi == in.edi && out.ebp == in.ebp;
    return out.eax;
}

static void put(const char *s)
{
    int ok;
    raw((uint32_t)(uintptr_t)sc_int80, NR_write, 1, (uint32_t)(uintptr_t)s, len(s), 0x51515151,
        0xd1d1d1d1, 0xbbbbbbb1, &ok);
}

static void put_hex(uint32_t v)
{
    char b[11];
    b[0] = '0';
    b[1] = 'x';
    for (int i = 0; i < 8; i++)
        b[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 15];
    b[10] = 0;
    put(b);
}

static int failed;

static void check(const char *path, int ok, const char *what, uint32_t got)
{
    if (ok)
        return;
    if (!failed) {
        put("compat32 ");
        put(path);
        put(": FAIL");
    }
    put(" ");
    put(what);
    put("=");
    put_hex(got);
    failed = 1;
}

static int run_path(const char *path, uint32_t entry)
{
    int ok;
    failed = 0;
    uint32_t want = raw((uint32_t)(uintptr_t)sc_int80, NR_getpid, 0xb1b1b1b1, 0xc1c1c1c1,
                        0xd1d1d1d1, 0x51515151, 0xe1e1e1e1, 0xbbbbbbb1, &ok);
    uint32_t pid = raw(entry, NR_getpid, 0xb1b1b1b1, 0xc1c1c1c1, 0xd1d1d1d1, 0x51515151, 0xe1e1e1e1,
                       0xbbbbbbb1, &ok);
    check(path, pid == want, "getpid", pid);
    check(path, ok, "getpid-registers", pid);

    static char line[64];
    const char *pre = "compat32 ";
    size_t n = 0;
    for (const char *p = pre; *p; p++)
        line[n++] = *p;
    for (const char *p = path; *p && n < 40; p++)
        line[n++] = *p;
    for (const char *p = ": write through this path\n"; *p; p++)
        line[n++] = *p;
    uint32_t w = raw(entry, NR_write, 1, (uint32_t)(uintptr_t)line, (uint32_t)n, 0x51515151,
                     0xe1e1e1e1, 0xbbbbbbb1, &ok);
    check(path, w == n, "write", w);
    check(path, ok, "write-registers", w);

    /* Six arguments: mmap2(NULL, 4096, RW, private|anonymous, -1, 0). */
    uint32_t m = raw(entry, NR_mmap2, 0, 4096, PROT_RW, MAP_PRIVANON, 0xffffffff, 0, &ok);
    check(path, m < 0xfffff000u && m != 0, "mmap2", m);
    check(path, ok, "mmap2-registers", m);
    if (m < 0xfffff000u && m != 0) {
        volatile uint32_t *page = (volatile uint32_t *)(uintptr_t)m;
        page[0] = 0x600dc0de;
        page[1023] = page[0] + 1;
        check(path, page[1023] == 0x600dc0df, "page", page[1023]);
        uint32_t u =
            raw(entry, NR_munmap, m, 4096, 0xd1d1d1d1, 0x51515151, 0xe1e1e1e1, 0xbbbbbbb1, &ok);
        check(path, u == 0, "munmap", u);
    }
    if (failed) {
        put("\n");
        return 1;
    }
    put("compat32 ");
    put(path);
    put(": ok\n");
    return 0;
}

/* Which entry the kernel patched into __kernel_vsyscall (push ecx; push edx; push ebp; ...). */
static const char *vdso_kind(void)
{
    const uint8_t *p = (const uint8_t *)(uintptr_t)vsyscall;
    if (!p)
        return "none";
    for (int i = 0; i < 16; i++) {
        if (p[i] == 0x0f && p[i + 1] == 0x34)
            return "sysenter";
        if (p[i] == 0x0f && p[i + 1] == 0x05)
            return "syscall";
        if (p[i] == 0xcd && p[i + 1] == 0x80)
            return "int80";
    }
    return "unknown";
}

void c_start(uint32_t *sp);
void c_start(uint32_t *sp)
{
    uint32_t argc = sp[0];
    char **argv = (char **)(sp + 1);
    uint32_t *q = sp + 1 + argc + 1;
    while (*q) /* environment */
        q++;
    for (q++; q[0]; q += 2) /* auxiliary vector */
        if (q[0] == AT_SYSINFO)
            vsyscall = q[1];

    put("vdso: ");
    put(vdso_kind());
    put("\n");
    int bad = 0;
    for (uint32_t i = 1; i < argc; i++) {
        const char *path = argv[i];
        uint32_t entry = streq(path, "int80")      ? (uint32_t)(uintptr_t)sc_int80
                         : streq(path, "syscall")  ? (uint32_t)(uintptr_t)sc_syscall
                         : streq(path, "sysenter") ? (uint32_t)(uintptr_t)sc_sysenter
                         : streq(path, "vdso")     ? vsyscall
                                                   : 0;
        if (!entry) {
            put("compat32 ");
            put(path);
            put(": FAIL unknown path or no vDSO\n");
            bad++;
            continue;
        }
        bad += run_path(path, entry);
    }
    int ok;
    raw((uint32_t)(uintptr_t)sc_int80, NR_exit, (uint32_t)bad, 0, 0, 0, 0, 0, &ok);
    for (;;)
        ;
}

__asm__(".globl _start\n"
        "_start:\n"
        "  xor %ebp, %ebp\n"
        "  mov %esp, %eax\n"
        "  and $-16, %esp\n"
        "  sub $12, %esp\n"
        "  push %eax\n"
        "  call c_start\n"
        "  hlt\n");
