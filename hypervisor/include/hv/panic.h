/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fatal errors. panic() is implemented by the hypervisor (print, dump, halt
 * or reboot) and by each host test program (usually a longjmp back into the
 * test that expected it).
 *
 * BUG_ON() and ASSERT() are always compiled in: the checks they guard are
 * cheap and a corrupted allocator is worse than a stopped machine.
 */
#ifndef LAMINA_HV_PANIC_H
#define LAMINA_HV_PANIC_H

_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define BUG_ON(cond)                                                                               \
    do {                                                                                           \
        if (__builtin_expect(!!(cond), 0))                                                         \
            panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond);                                  \
    } while (0)

#define ASSERT(cond)                                                                               \
    do {                                                                                           \
        if (__builtin_expect(!(cond), 0))                                                          \
            panic("Assertion '%s' failed at %s:%d", #cond, __FILE__, __LINE__);                    \
    } while (0)

#endif
