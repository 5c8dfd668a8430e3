/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Physical interrupts routed to dom0 as pirqs (arch/x86/irq.c): GSIs through the
 * I/O APICs. Numbers and answers follow Xen 4.17 (xen/arch/x86/irq.c, physdev.c).
 */
#ifndef LAMINA_ASM_IRQ_H
#define LAMINA_ASM_IRQ_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/acpi.h>

struct domain;
struct msi_source;

/* Device interrupt vectors, one per mapped pirq: IRQ_VECTOR_BASE..IRQ_VECTOR_LAST but
 * the int $0x80 gate (VECTOR_INT80) that guest code may use, below the IPIs: 175. */
#define IRQ_VECTOR_BASE 0x30
#define IRQ_VECTOR_LAST 0xdf

/* At boot, after the local APIC: the GSIs' default trigger and polarity (ISA: edge,
 * active high, but for the MADT's overrides; the rest level, active low). */
void irq_init(const struct acpi_devices *dev);
/* How many pirqs domain d may have (Xen: the hardware domain's arch_hwdom_irqs, a
 * domU nr_irqs_gsi + 32). */
unsigned int irq_nr_pirqs(const struct domain *d);
unsigned int irq_nr_gsis(void);

/* PHYSDEVOP_map_pirq (GSI), unmap_pirq, setup_gsi; the caller checks privilege. */
int irq_map_gsi(struct domain *d, int gsi, int *pirq);
/* PHYSDEVOP_map_pirq (MSI, MSI-X), under msi_lock: *pirq < 0 asks for the highest
 * free one. -EINVAL a pirq out of range, -ENOSPC none free or no vector left, 0 and
 * nothing mapped when the pirq carries something else (Xen), msi_claim's errors. */
int irq_map_msi(struct domain *d, const struct msi_source *src, int *pirq);
/* unmap_pirq of a GSI or an MSI (under msi_lock): -EINVAL if nothing is mapped. */
int irq_unmap_pirq(struct domain *d, int pirq);
int irq_setup_gsi(int gsi, bool level, bool active_low);
/* PHYSDEVOP_eoi: -EINVAL if pirq was never mapped or bound. */
int irq_pirq_eoi(struct domain *d, uint32_t pirq);
/* EVTCHNOP_bind_pirq / close: under d->evtchn_lock. bind: -EINVAL out of range,
 * -EPERM not mapped, -EEXIST already bound. */
int irq_pirq_bind_check(struct domain *d, uint32_t pirq);
void irq_pirq_bind(struct domain *d, uint32_t pirq, uint32_t port);
void irq_pirq_unbind(struct domain *d, uint32_t pirq);

/* The interrupt entry for vectors IRQ_VECTOR_BASE..IRQ_VECTOR_LAST (but int $0x80). */
void do_device_irq(unsigned int vector);

#endif
