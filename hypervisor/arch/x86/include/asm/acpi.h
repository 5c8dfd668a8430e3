/* SPDX-License-Identifier: GPL-2.0-only */
/* ACPI table lookups (arch/x86/acpi.c). */
#ifndef LAMINA_HV_ACPI_H
#define LAMINA_HV_ACPI_H

#include <stdint.h>

/* Fill apic_ids with the local APIC ids of the enabled CPUs the MADT lists (boot
 * CPU included), at most max; returns how many (0: no ACPI tables found). */
unsigned int acpi_find_cpus(uint32_t *apic_ids, unsigned int max);

#endif
