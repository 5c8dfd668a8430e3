/* SPDX-License-Identifier: GPL-2.0-only */
/* The I/O APICs (arch/x86/io_apic.c): the hypervisor owns them; dom0 only reads. */
#ifndef LAMINA_ASM_IO_APIC_H
#define LAMINA_ASM_IO_APIC_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/acpi.h>

/* Find the I/O APICs the MADT lists and mask every pin. */
void ioapic_init(const struct acpi_devices *dev);
/* GSIs the I/O APICs cover: [0, ioapic_nr_gsis()). 16 without I/O APICs, as Xen. */
unsigned int ioapic_nr_gsis(void);
/* Does an I/O APIC input carry this GSI? */
bool ioapic_has_gsi(unsigned int gsi);
/* Register reg of the I/O APIC at physical address physbase (PHYSDEVOP_apic_read):
 * -EINVAL if no I/O APIC is there. */
int ioapic_read_at(uint64_t physbase, unsigned int reg, uint32_t *val);
/* Program the pin of gsi: vector to the local APIC dest_apic_id (fixed, physical),
 * trigger and polarity, masked or not. */
void ioapic_route(unsigned int gsi, uint8_t vector, uint32_t dest_apic_id, bool level,
                  bool active_low, bool masked);
void ioapic_mask(unsigned int gsi, bool masked);

#endif
