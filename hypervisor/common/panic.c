/* SPDX-License-Identifier: GPL-2.0-only */
/* panic: print why, then stop the machine (QEMU exits through the debug-exit device). */
#include <stdarg.h>
#include <hv/console.h>
#include <hv/lib.h>
#include <hv/panic.h>
#include <asm/reboot.h>
#include <asm/irqflags.h>

_Noreturn void panic(const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    local_irq_disable();
    va_start(ap, fmt);
    fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    log_printf(LOG_ERR, "****************************************");
    log_printf(LOG_ERR, "Panic: %s", buf);
    log_printf(LOG_ERR, "****************************************");
    machine_halt(HALT_OTHER);
}
