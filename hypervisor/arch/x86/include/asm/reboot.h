/* SPDX-License-Identifier: GPL-2.0-only */
/* Stopping the machine. */
#ifndef LAMINA_HV_REBOOT_H
#define LAMINA_HV_REBOOT_H

#include <stdbool.h>

extern bool opt_noreboot;

/* Power off; under QEMU also make QEMU exit with a status derived from code. */
_Noreturn void machine_halt(int code);
_Noreturn void machine_restart(void);

#endif
