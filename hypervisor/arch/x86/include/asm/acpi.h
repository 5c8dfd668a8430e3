/* SPDX-License-Identifier: GPL-2.0-only */
/* ACPI table lookups (arch/x86/acpi.c). */
#ifndef LAMINA_HV_ACPI_H
#define LAMINA_HV_ACPI_H

#include <stdint.h>

/* Fill apic_ids with the local APIC ids of the enabled CPUs the MADT lists (boot
 * CPU included), at most max; returns how many (0: no ACPI tables found). */
unsigned int acpi_find_cpus(uint32_t *apic_ids, unsigned int max);

/* Devices the hypervisor keeps from dom0 (physical addresses; 0 / none when absent). */
#define ACPI_MAX_IOAPICS 8
struct acpi_devices {
    uint64_t lapic; /* the MADT's local APIC address */
    unsigned int nr_ioapics;
    uint64_t ioapic[ACPI_MAX_IOAPICS];
    uint64_t hpet;        /* HPET base */
    uint8_t hpet_protect; /* the HPET table's page protection: 0 none, 1 4 KiB, 2 64 KiB */
};
void acpi_find_devices(struct acpi_devices *out);

#endif
