/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host stand-ins for what the hypervisor provides to its libraries:
 * spin_this_cpu() (one number per thread, for the spinlocks' holder),
 * panic() (longjmps back into a test that expects it, aborts otherwise)
 * and log_printf() (records the messages so tests can count warnings).
 */
#ifndef LAMINA_TEST_HV_STUBS_H
#define LAMINA_TEST_HV_STUBS_H

#include <setjmp.h>

extern jmp_buf *stub_panic_jmp;
extern char stub_panic_msg[256];
extern int stub_log_count[4]; /* per enum log_level */
extern char stub_log_last[256];

void stub_log_reset(void);

/* Run stmt and assert that it called panic() (a BUG_ON or ASSERT fired). */
#define EXPECT_PANIC(stmt)                                                                         \
    do {                                                                                           \
        jmp_buf jb_;                                                                               \
        volatile int panicked_ = 0;                                                                \
        stub_panic_jmp = &jb_;                                                                     \
        if (setjmp(jb_) == 0) {                                                                    \
            stmt;                                                                                  \
        } else {                                                                                   \
            panicked_ = 1;                                                                         \
        }                                                                                          \
        stub_panic_jmp = NULL;                                                                     \
        assert_true(panicked_);                                                                    \
    } while (0)

#endif
