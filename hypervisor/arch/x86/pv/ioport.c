/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Port I/O of PV guests, emulated after the #GP their IN/OUT raise (the virtual
 * IOPL allows it: pv/emulate.c), with Xen 4.17's rules (dom0_setup_permissions,
 * admin_io_okay, guest_io_read/write, pci_cfg_ok):
 *
 *   - dom0 reaches every port directly but the PICs (0x20-0x21, 0xa0-0xa1), the
 *     PIT (0x40-0x43) and its gate (0x61), the ACPI PM timer, the hypervisor's
 *     console UART, the PCI configuration data ports 0xcfc-0xcff and the CMOS
 *     ports 0x70-0x71, and a 4-byte access to 0xcf8;
 *   - PCI configuration goes through a virtual address latch: a 4-byte write to
 *     0xcf8 sets dom0's latch, a 4-byte read returns it, and 0xcfc-0xcff reach the
 *     hardware with the latched address (whole access, as Xen, split at the
 *     dword end and never 3 bytes), under the hypervisor's PCI lock (pci_conf.c);
 *   - the CMOS likewise: 0x70 latches the index, 0x71 reads or writes the
 *     register under the hypervisor's lock;
 *   - everything else reads as all-ones and ignores writes, and a domU gets only
 *     that. (Xen also emulates PIT channel 2 for dom0; Lamina does not:
 *     docs/differences.md.)
 */
#include <asm/pci.h>
#include <asm/pv/ioport.h>
#include <asm/serial.h>
#include <asm/x86.h>
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/irqlock.h>
#include <hv/lib.h>
#include <hv/spinlock.h>

#define RTC_INDEX         0x70
#define RTC_DATA          0x71
#define RTC_INDEX_MASK    0x7f
#define MAX_DENIED_RANGES 8

static struct {
    uint16_t first, last;
} denied[MAX_DENIED_RANGES];
static unsigned int nr_denied;
static spinlock_t rtc_lock = SPIN_LOCK_UNLOCKED(LOCK_CLASS_PORTS);

static void deny(unsigned int first, unsigned int last, const char *what)
{
    if (nr_denied == MAX_DENIED_RANGES)
        return;
    denied[nr_denied].first = (uint16_t)first;
    denied[nr_denied].last = (uint16_t)last;
    nr_denied++;
    log_printf(LOG_DEBUG, "ioport: dom0 may not reach %#x-%#x (%s)", first, last, what);
}

void ioport_setup(const struct acpi_devices *dev)
{
    nr_denied = 0;
    deny(0x20, 0x21, "master PIC");
    deny(0xa0, 0xa1, "slave PIC");
    deny(0x40, 0x43, "PIT");
    deny(0x61, 0x61, "PIT channel 2 gate");
    if (dev->pm_timer_port && dev->pm_timer_port + 3 <= 0xffff)
        deny(dev->pm_timer_port, dev->pm_timer_port + 3, "ACPI PM timer");
    deny(PCI_CFC, PCI_CFC + 3, "PCI configuration data");
    if (serial_port())
        deny(serial_port(), serial_port() + 7u, "console UART");
}

bool ioport_direct(const struct domain *d, unsigned int port, unsigned int size)
{
    unsigned int last = port + size - 1;
    if (!d->is_privileged || last > 0xffff)
        return false;
    if (port == PCI_CF8 && size == 4)
        return false;
    if (port <= RTC_DATA && last >= RTC_INDEX)
        return false;
    for (unsigned int i = 0; i < nr_denied; i++)
        if (port <= denied[i].last && last >= denied[i].first)
            return false;
    return true;
}

/* The piece of an access at port that starts a sub-access (Xen's byte loop). */
static unsigned int piece_size(unsigned int port, unsigned int left, const struct domain *d)
{
    if (port == PCI_CF8 && left == 4)
        return 4;
    if ((port & ~3u) == PCI_CFC && d->is_privileged) {
        unsigned int n = MIN(left, 4u - (port & 3u));
        return n == 3 ? 2 : n;
    }
    return 1;
}

static uint32_t piece_read(struct domain *d, unsigned int port, unsigned int n)
{
    if (!d->is_privileged)
        return ~0u;
    if (port == PCI_CF8 && n == 4)
        return d->pci_cf8;
    if ((port & ~3u) == PCI_CFC)
        return pci_cf8_read(d->pci_cf8, port, n);
    if (port == RTC_INDEX)
        return d->cmos_idx;
    if (port == RTC_DATA) {
        unsigned long f = spin_lock_irqsave(&rtc_lock);
        outb(RTC_INDEX, d->cmos_idx & RTC_INDEX_MASK);
        uint32_t v = inb(RTC_DATA);
        spin_unlock_irqrestore(&rtc_lock, f);
        return v;
    }
    return ~0u;
}

static void piece_write(struct domain *d, unsigned int port, unsigned int n, uint32_t v)
{
    if (!d->is_privileged)
        return;
    if (port == PCI_CF8 && n == 4) {
        d->pci_cf8 = v;
    } else if ((port & ~3u) == PCI_CFC) {
        pci_cf8_write(d->pci_cf8, port, n, v);
    } else if (port == RTC_INDEX) {
        d->cmos_idx = (uint8_t)v;
    } else if (port == RTC_DATA) {
        unsigned long f = spin_lock_irqsave(&rtc_lock);
        outb(RTC_INDEX, d->cmos_idx & RTC_INDEX_MASK);
        outb(RTC_DATA, (uint8_t)v);
        spin_unlock_irqrestore(&rtc_lock, f);
    }
}

static uint32_t size_mask(unsigned int n)
{
    return n == 4 ? ~0u : (1u << (n * 8)) - 1;
}

uint32_t pv_io_read(struct domain *d, unsigned int port, unsigned int size)
{
    if (ioport_direct(d, port, size))
        return port_in_sized(port, size);
    uint32_t data = 0;
    for (unsigned int shift = 0, left = size; left; port++, left--) {
        unsigned int n = piece_size(port, left, d);
        data |= (piece_read(d, port, n) & size_mask(n)) << shift;
        shift += n * 8;
        port += n - 1;
        left -= n - 1;
    }
    return data;
}

void pv_io_write(struct domain *d, unsigned int port, unsigned int size, uint32_t val)
{
    if (ioport_direct(d, port, size)) {
        port_out_sized(port, size, val);
        return;
    }
    for (unsigned int left = size; left; port++, left--) {
        unsigned int n = piece_size(port, left, d);
        piece_write(d, port, n, val & size_mask(n));
        val = n == 4 ? 0 : val >> (n * 8);
        port += n - 1;
        left -= n - 1;
    }
}
