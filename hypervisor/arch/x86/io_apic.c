/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The I/O APICs. The hypervisor owns them, as Xen does: at boot every pin is
 * masked; a pin is programmed (fixed delivery, physical destination, the
 * trigger and polarity of its GSI) when dom0 binds the GSI's pirq to an event
 * channel (arch/x86/irq.c), and masked again when it unbinds. dom0 may read
 * the registers through PHYSDEVOP_apic_read (Linux reads the ID and version
 * when it registers the I/O APICs from the MADT); it never writes them.
 *
 * Registers are reached through the direct map (the I/O APICs sit below 4 GiB),
 * one index/data pair per I/O APIC, under ioapic_lock.
 */
#include <asm/io_apic.h>
#include <asm/memlayout.h>
#include <hv/console.h>
#include <hv/errcodes.h>
#include <hv/irqlock.h>
#include <hv/spinlock.h>

#define IOAPIC_REGSEL   0x00 /* index register */
#define IOAPIC_WIN      0x10 /* data window */
#define IOAPIC_REG_VER  0x01 /* bits 23-16: highest redirection entry */
#define IOAPIC_REG_RTE  0x10 /* redirection entry n: 0x10 + 2n (low), 0x11 + 2n (high) */
#define RTE_MASKED      (1u << 16)
#define RTE_LEVEL       (1u << 15)
#define RTE_ACTIVE_LOW  (1u << 13)
#define RTE_DEST_SHIFT  24 /* high word: physical destination APIC ID */
#define LEGACY_GSIS     16
#define IOAPIC_MAX_PHYS (4ull << 30)

static struct ioapic {
    volatile uint32_t *regs;
    uint64_t phys;
    unsigned int gsi_base, nr_pins;
} ioapics[ACPI_MAX_IOAPICS];
static unsigned int nr_ioapics, nr_gsis = LEGACY_GSIS;
static spinlock_t ioapic_lock = SPIN_LOCK_UNLOCKED(LOCK_CLASS_IOAPIC);

static uint32_t reg_read(const struct ioapic *a, unsigned int reg)
{
    a->regs[IOAPIC_REGSEL / 4] = reg;
    return a->regs[IOAPIC_WIN / 4];
}

static void reg_write(const struct ioapic *a, unsigned int reg, uint32_t v)
{
    a->regs[IOAPIC_REGSEL / 4] = reg;
    a->regs[IOAPIC_WIN / 4] = v;
}

static const struct ioapic *ioapic_of(unsigned int gsi, unsigned int *pin)
{
    for (unsigned int i = 0; i < nr_ioapics; i++)
        if (gsi >= ioapics[i].gsi_base && gsi < ioapics[i].gsi_base + ioapics[i].nr_pins) {
            *pin = gsi - ioapics[i].gsi_base;
            return &ioapics[i];
        }
    return NULL;
}

void ioapic_init(const struct acpi_devices *dev)
{
    for (unsigned int i = 0; i < dev->nr_ioapics; i++) {
        if (dev->ioapic[i] + 0x20 > IOAPIC_MAX_PHYS)
            continue;
        struct ioapic *a = &ioapics[nr_ioapics];
        a->phys = dev->ioapic[i];
        a->regs = __va(a->phys);
        a->gsi_base = dev->ioapic_gsi_base[i];
        a->nr_pins = ((reg_read(a, IOAPIC_REG_VER) >> 16) & 0xff) + 1;
        for (unsigned int pin = 0; pin < a->nr_pins; pin++) {
            reg_write(a, IOAPIC_REG_RTE + 2 * pin, RTE_MASKED);
            reg_write(a, IOAPIC_REG_RTE + 2 * pin + 1, 0);
        }
        if (a->gsi_base + a->nr_pins > nr_gsis)
            nr_gsis = a->gsi_base + a->nr_pins;
        printk("ioapic: id %u at %#lx, GSI %u-%u, all pins masked", dev->ioapic_id[i],
               (unsigned long)a->phys, a->gsi_base, a->gsi_base + a->nr_pins - 1);
        nr_ioapics++;
    }
}

unsigned int ioapic_nr_gsis(void)
{
    return nr_gsis;
}

bool ioapic_has_gsi(unsigned int gsi)
{
    unsigned int pin;
    return ioapic_of(gsi, &pin) != NULL;
}

int ioapic_read_at(uint64_t physbase, unsigned int reg, uint32_t *val)
{
    for (unsigned int i = 0; i < nr_ioapics; i++)
        if (ioapics[i].phys == physbase) {
            unsigned long flags = spin_lock_irqsave(&ioapic_lock);
            *val = reg_read(&ioapics[i], reg);
            spin_unlock_irqrestore(&ioapic_lock, flags);
            return 0;
        }
    return -EINVAL;
}

void ioapic_route(unsigned int gsi, uint8_t vector, uint32_t dest_apic_id, bool level,
                  bool active_low, bool masked)
{
    unsigned int pin;
    const struct ioapic *a = ioapic_of(gsi, &pin);
    if (!a)
        return;
    uint32_t lo = vector | (level ? RTE_LEVEL : 0) | (active_low ? RTE_ACTIVE_LOW : 0) |
                  (masked ? RTE_MASKED : 0);
    unsigned long flags = spin_lock_irqsave(&ioapic_lock);
    reg_write(a, IOAPIC_REG_RTE + 2 * pin, RTE_MASKED); /* never live half-written */
    reg_write(a, IOAPIC_REG_RTE + 2 * pin + 1, dest_apic_id << RTE_DEST_SHIFT);
    reg_write(a, IOAPIC_REG_RTE + 2 * pin, lo);
    spin_unlock_irqrestore(&ioapic_lock, flags);
}

void ioapic_mask(unsigned int gsi, bool masked)
{
    unsigned int pin;
    const struct ioapic *a = ioapic_of(gsi, &pin);
    if (!a)
        return;
    unsigned long flags = spin_lock_irqsave(&ioapic_lock);
    uint32_t lo = reg_read(a, IOAPIC_REG_RTE + 2 * pin);
    reg_write(a, IOAPIC_REG_RTE + 2 * pin, masked ? lo | RTE_MASKED : lo & ~RTE_MASKED);
    spin_unlock_irqrestore(&ioapic_lock, flags);
}
