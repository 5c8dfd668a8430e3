/* SPDX-License-Identifier: GPL-2.0-only */
/* ACPI table lookups (arch/x86/acpi.c). */
#ifndef LAMINA_HV_ACPI_H
#define LAMINA_HV_ACPI_H

#include <stdint.h>

/* Fill apic_ids with the local APIC ids of the enabled CPUs the MADT lists (boot
 * CPU included), at most max; returns how many (0: no ACPI tables found). */
unsigned int acpi_find_cpus(uint32_t *apic_ids, unsigned int max);

/* Devices the hypervisor keeps from dom0 (physical addresses; 0 / none when absent). */
#define ACPI_MAX_IOAPICS   8
#define ACPI_MAX_OVERRIDES 16
#define ACPI_MAX_MCFG      4
struct acpi_devices {
    uint64_t lapic; /* the MADT's local APIC address */
    unsigned int nr_ioapics;
    uint64_t ioapic[ACPI_MAX_IOAPICS];
    uint32_t ioapic_gsi_base[ACPI_MAX_IOAPICS];
    uint8_t ioapic_id[ACPI_MAX_IOAPICS];
    /* Interrupt source overrides: ISA IRQ -> GSI with the MPS INTI flags (bits 1-0
     * polarity: 0 bus default, 1 active high, 3 active low; bits 3-2 trigger: 0 bus
     * default, 1 edge, 3 level). */
    unsigned int nr_overrides;
    struct {
        uint8_t isa_irq;
        uint32_t gsi;
        uint16_t flags;
    } override[ACPI_MAX_OVERRIDES];
    uint32_t pm_timer_port; /* the FADT's PM_TMR_BLK, 0 if none */
    /* PCI MMCONFIG windows (MCFG): base, segment, bus range. */
    unsigned int nr_mcfg;
    struct {
        uint64_t base;
        uint16_t segment;
        uint8_t bus_first, bus_last;
    } mcfg[ACPI_MAX_MCFG];
    uint64_t hpet;        /* HPET base */
    uint8_t hpet_protect; /* the HPET table's page protection: 0 none, 1 4 KiB, 2 64 KiB */
};
void acpi_find_devices(struct acpi_devices *out);

#endif
