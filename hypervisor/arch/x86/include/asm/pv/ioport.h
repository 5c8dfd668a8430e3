/* SPDX-License-Identifier: GPL-2.0-only */
/* Port I/O of PV guests (pv/ioport.c). */
#ifndef LAMINA_ASM_PV_IOPORT_H
#define LAMINA_ASM_PV_IOPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/acpi.h>

struct domain;

/* At boot: the ports dom0 may not reach directly (Xen's dom0_setup_permissions). */
void ioport_setup(const struct acpi_devices *dev);
/* May d reach [port, port + size) on the hardware (Xen's admin_io_okay)? */
bool ioport_direct(const struct domain *d, unsigned int port, unsigned int size);
/* An emulated IN / OUT of size 1, 2 or 4 bytes. */
uint32_t pv_io_read(struct domain *d, unsigned int port, unsigned int size);
void pv_io_write(struct domain *d, unsigned int port, unsigned int size, uint32_t val);

#endif
