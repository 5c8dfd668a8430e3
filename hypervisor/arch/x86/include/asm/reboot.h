/* SPDX-License-Identifier: GPL-2.0-only */
/* Stopping the machine. */
#ifndef LAMINA_HV_REBOOT_H
#define LAMINA_HV_REBOOT_H

#include <stdbool.h>

extern bool opt_noreboot;

/* What a halt tells a harness: QEMU's isa-debug-exit exits with (code << 1) | 1. */
enum {
    HALT_POWEROFF = 0, /* the hardware domain powered off (status 1) */
    HALT_CRASH = 1,    /* it crashed (status 3) */
    HALT_REBOOT = 2,   /* it rebooted, and noreboot was given (status 5) */
    HALT_OTHER = 3,    /* any other reason, and panic (status 7) */
};

/* Power off; under QEMU also make QEMU exit with a status derived from code (HALT_*). */
_Noreturn void machine_halt(int code);
_Noreturn void machine_restart(void);

#endif
