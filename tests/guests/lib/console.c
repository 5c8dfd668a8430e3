/* SPDX-License-Identifier: GPL-2.0-only */
/* Console output through console_io(CONSOLEIO_write). */
#include <lamina/console.h>

#include "lam.h"

void lam_putsn(const char *s, size_t n)
{
    /* The hypervisor may write fewer bytes than asked for a long buffer. */
    while (n) {
        size_t chunk = n > 512 ? 512 : n;
        long rc = hypercall_console_io(LAM_CONSOLEIO_write, (unsigned int)chunk, (void *)s);
        if (rc < 0)
            return; /* nowhere left to report it */
        s += chunk;
        n -= chunk;
    }
}

void lam_puts(const char *s)
{
    lam_putsn(s, strlen(s));
}

int lam_printf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = lam_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    lam_putsn(buf, strnlen(buf, sizeof(buf)));
    return n;
}
