/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Lamina test-kernel framework: what a test's main.c may use.
 *
 * A test defines test_main() (and optionally lam_test_title). The framework
 * boots, installs a trap table, maps shared_info, calls test_main(), prints
 * exactly one "Test result: <STATUS>[: reason]" line and shuts the domain
 * down (poweroff). Status only escalates: SUCCESS < SKIP < ERROR < FAILURE.
 * A kernel that prints no result line is counted as CRASH by the runner.
 */
#ifndef LAM_GUEST_LAM_H
#define LAM_GUEST_LAM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <lamina/hypercall.h>
#include <lamina/shared_info.h>
#include <lamina/start_info.h>
#include <guests/hypercalls.h>

#include "regs.h"

/* Provided by the test. */
void test_main(void);
extern const char lam_test_title[]; /* weak default: "" */

/* Boot state. */
extern const struct lam_start_info *lam_start_info;
extern struct lam_shared_info *lam_shared_info;

/* Console (console_io write). */
void lam_putsn(const char *s, size_t n);
void lam_puts(const char *s); /* no newline added */
int lam_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int lam_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int lam_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Results. The first reason given at the highest status reached is reported. */
enum lam_status { LAM_SUCCESS, LAM_SKIP, LAM_ERROR, LAM_FAILURE };
void lam_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lam_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lam_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
enum lam_status lam_status(void);
/* Print the result line now (once) and shut down with reason; never returns. */
__attribute__((noreturn)) void lam_exit(unsigned int shutdown_reason);
/* Print "PANIC: ..." and crash the domain without a result line. */
__attribute__((noreturn)) void lam_panic(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Check helper: records a FAILURE naming the expression when false. */
#define LAM_CHECK(cond, ...)                                                                       \
    do {                                                                                           \
        if (!(cond))                                                                               \
            lam_fail(__VA_ARGS__);                                                                 \
    } while (0)

/* String and memory functions (lib/string.c). */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strstr(const char *hay, const char *needle);

/*
 * Exceptions. Every vector 0-21 has a handler (lam_trap_entry_<n>). A fault at an address listed in
 * the exception table (LAM_ASM_EXTABLE) resumes at its fixup address; a trap
 * (int3, into) simply resumes after the instruction. Either way the details
 * are stored in lam_last_exception. Any other exception is a PANIC.
 */
struct lam_exinfo {
    int seen;
    unsigned int vector;
    uint64_t error_code;
    uint64_t rip; /* RIP reported in the bounce frame */
    uint64_t cs;
    uint64_t cr2;            /* vcpu_info.arch.cr2 when the handler ran (#PF) */
    uint64_t rflags;         /* RFLAGS in the bounce frame (the interrupted context's) */
    uint64_t handler_rflags; /* RFLAGS the handler itself runs with */
};
extern volatile struct lam_exinfo lam_last_exception;
void lam_exception_reset(void);
/* Is rip a faulting instruction listed in the exception table? */
int lam_extable_has(uint64_t rip);
/* A test may take exceptions the exception table does not list (the fuzzer's #DB from its
 * own breakpoints, say): return nonzero from this hook to resume with the (changed) frame. */
extern int (*lam_unexpected_exception)(struct lam_regs *regs);
/* Load the framework's trap table (after a test replaced or cleared it). */
long lam_install_trap_table(void);

/*
 * Callbacks (optional lib/callbacks.S: test.mk "<name>_LIBS += callbacks"): entry points for
 * callback_op that join the exception path with a pseudo vector, so the frame is a struct
 * lam_regs and the handler may change it (rflags IF is the upcall mask iret restores).
 * lam_failsafe_entry also stores the DS, ES, FS, GS of the failsafe frame in lam_failsafe_sel.
 */
#define LAM_CB_VECTOR_EVENT    0x100
#define LAM_CB_VECTOR_FAILSAFE 0x101
#define LAM_CB_VECTOR_SYSCALL  0x102
void lam_event_entry(void);
void lam_failsafe_entry(void);
void lam_syscall_entry(void);
extern volatile uint64_t lam_failsafe_sel[4];
extern void (*lam_callback_handler)(struct lam_regs *regs);

/* A macro's value as a string, for assembly text (a number without a C suffix). */
#define LAM_STR_(x) #x
#define LAM_STR(x)  LAM_STR_(x)

#define LAM_ASM_EXTABLE(fault, fixup)                                                              \
    ".pushsection .lam_extable, \"a\"\n\t.quad " #fault ", " #fixup "\n\t.popsection\n\t"

/* Forced-emulation CPUID: the hypervisor's filtered view of leaf/subleaf. */
struct lam_cpuid {
    uint32_t eax, ebx, ecx, edx;
};
void lam_cpuid(uint32_t leaf, uint32_t subleaf, struct lam_cpuid *out);

/* 2-level event channel bits in shared_info, as a guest kernel handles them. */
static inline int lam_evtchn_pending(uint32_t port)
{
    return (__atomic_load_n(&lam_shared_info->evtchn_pending[port / 64], __ATOMIC_ACQUIRE) >>
            (port % 64)) &
           1;
}
static inline void lam_evtchn_clear(uint32_t port)
{
    __atomic_fetch_and(&lam_shared_info->evtchn_pending[port / 64], ~(1ull << (port % 64)),
                       __ATOMIC_SEQ_CST);
}
static inline void lam_evtchn_mask(uint32_t port)
{
    __atomic_fetch_or(&lam_shared_info->evtchn_mask[port / 64], 1ull << (port % 64),
                      __ATOMIC_SEQ_CST);
}

static inline uint64_t lam_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* System time in ns from vCPU 0's pvclock record in shared_info (lib/pvclock.c). The TSC is
 * one for all vCPUs here, so any vCPU may use it. */
uint64_t lam_pvclock_ns(void);

#endif /* LAM_GUEST_LAM_H */
