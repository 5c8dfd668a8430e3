/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Just enough ACPI to find the CPUs and the devices the hypervisor keeps from
 * dom0: the RSDP (EBDA or the BIOS area 0xe0000-0xfffff), the RSDT or XSDT it
 * points to, the MADT ("APIC": local APICs, the local APIC address, I/O
 * APICs with their GSI bases, interrupt source overrides), the FADT (the PM
 * timer's port), the MCFG (PCI MMCONFIG windows) and the HPET table. Everything is
 * read through the direct map; tables the firmware puts above the mapped range
 * are not reachable, and then we simply report one CPU and no devices.
 */
#include <asm/acpi.h>
#include <hv/console.h>
#include <hv/lib.h>
#include <asm/memlayout.h>

struct acpi_rsdp {
    char signature[8];
    uint8_t checksum;
    char oem_id[6];
    uint8_t revision;
    uint32_t rsdt_address;
    uint32_t length; /* revision >= 2 from here */
    uint64_t xsdt_address;
    uint8_t ext_checksum;
    uint8_t reserved[3];
} __attribute__((packed));

struct acpi_header {
    char signature[4];
    uint32_t length;
    uint8_t revision, checksum;
    char oem_id[6], oem_table_id[8];
    uint32_t oem_revision, creator_id, creator_revision;
} __attribute__((packed));

#define MADT_LOCAL_APIC          0
#define MADT_IO_APIC             1  /* id, reserved, address (u32 at 4), GSI base */
#define MADT_INT_OVERRIDE        2  /* bus, ISA IRQ (3), GSI (u32 at 4), flags (u16 at 8) */
#define MADT_LOCAL_APIC_OVERRIDE 5  /* reserved (u16), address (u64 at 4) */
#define MADT_LAPIC_ADDR_AT       36 /* u32 after the header */
#define MADT_ENTRIES_FROM        44 /* header (36) + local APIC address (4) + flags (4) */
#define HPET_ADDR_AT             44 /* u64 in the generic address structure at 40 */
#define HPET_PROTECT_AT          55 /* page protection: 1 = 4 KiB, 2 = 64 KiB */
#define ACPI_MAX_PHYS            (4ull << 30) /* what the boot direct map surely covers */
#define FADT_PM_TMR_BLK_AT       76           /* u32 */
#define MCFG_ENTRIES_FROM        44           /* header (36) + reserved (8) */
#define MCFG_ENTRY_LEN           16 /* base u64, segment u16, first bus, last bus, 4 reserved */

static uint8_t sum_bytes(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t s = 0;
    while (len--)
        s += *b++;
    return s;
}

static const struct acpi_rsdp *rsdp_scan(uint64_t start, uint64_t len)
{
    for (uint64_t pa = start; pa + sizeof(struct acpi_rsdp) <= start + len; pa += 16) {
        const struct acpi_rsdp *r = __va(pa);
        if (!memcmp(r->signature, "RSD PTR ", 8) && sum_bytes(r, 20) == 0)
            return r;
    }
    return NULL;
}

static const struct acpi_header *table_at(uint64_t pa)
{
    if (!pa || pa + sizeof(struct acpi_header) > ACPI_MAX_PHYS)
        return NULL;
    const struct acpi_header *h = __va(pa);
    if (h->length < sizeof(*h) || pa + h->length > ACPI_MAX_PHYS || sum_bytes(h, h->length))
        return NULL;
    return h;
}

static const struct acpi_header *find_table(const struct acpi_rsdp *rsdp, const char sig[4])
{
    bool xsdt = rsdp->revision >= 2 && rsdp->xsdt_address;
    const struct acpi_header *root = table_at(xsdt ? rsdp->xsdt_address : rsdp->rsdt_address);
    if (!root)
        return NULL;
    unsigned int entry = xsdt ? 8 : 4;
    unsigned int n = (root->length - sizeof(*root)) / entry;
    const uint8_t *p = (const uint8_t *)(root + 1);
    for (unsigned int i = 0; i < n; i++) {
        uint64_t pa = 0;
        memcpy(&pa, p + i * entry, entry);
        const struct acpi_header *h = table_at(pa);
        if (h && !memcmp(h->signature, sig, 4))
            return h;
    }
    return NULL;
}

static const struct acpi_rsdp *find_rsdp(void)
{
    const struct acpi_rsdp *rsdp = NULL;
    uint64_t ebda = (uint64_t)(*(const uint16_t *)__va(0x40e)) << 4;
    if (ebda >= 0x80000 && ebda < 0xa0000)
        rsdp = rsdp_scan(ebda, 1024);
    if (!rsdp)
        rsdp = rsdp_scan(0xe0000, 0x20000);
    return rsdp;
}

unsigned int acpi_find_cpus(uint32_t *apic_ids, unsigned int max)
{
    const struct acpi_rsdp *rsdp = find_rsdp();
    if (!rsdp) {
        log_printf(LOG_WARN, "acpi: no RSDP found; running on the boot CPU only");
        return 0;
    }
    const struct acpi_header *madt = find_table(rsdp, "APIC");
    if (!madt) {
        log_printf(LOG_WARN, "acpi: no MADT; running on the boot CPU only");
        return 0;
    }
    unsigned int n = 0;
    const uint8_t *p = (const uint8_t *)madt + MADT_ENTRIES_FROM;
    const uint8_t *end = (const uint8_t *)madt + madt->length;
    while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
        /* Local APIC: ACPI processor id, APIC id, flags (bit 0 enabled). */
        if (p[0] == MADT_LOCAL_APIC && p[1] >= 8) {
            uint32_t flags;
            memcpy(&flags, p + 4, 4);
            if ((flags & 1) && n < max)
                apic_ids[n++] = p[3];
        }
        p += p[1];
    }
    return n;
}

/* Local APIC address (the override if there is one) and the I/O APICs of the MADT. */
static void madt_devices(const struct acpi_header *madt, struct acpi_devices *out)
{
    uint32_t lapic32;
    memcpy(&lapic32, (const uint8_t *)madt + MADT_LAPIC_ADDR_AT, 4);
    out->lapic = lapic32;
    const uint8_t *p = (const uint8_t *)madt + MADT_ENTRIES_FROM;
    const uint8_t *end = (const uint8_t *)madt + madt->length;
    for (; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
        if (p[0] == MADT_IO_APIC && p[1] >= 12 && out->nr_ioapics < ACPI_MAX_IOAPICS) {
            uint32_t a;
            memcpy(&a, p + 4, 4);
            out->ioapic[out->nr_ioapics] = a;
            memcpy(&out->ioapic_gsi_base[out->nr_ioapics], p + 8, 4);
            out->ioapic_id[out->nr_ioapics++] = p[2];
        } else if (p[0] == MADT_INT_OVERRIDE && p[1] >= 10 &&
                   out->nr_overrides < ACPI_MAX_OVERRIDES) {
            out->override[out->nr_overrides].isa_irq = p[3];
            memcpy(&out->override[out->nr_overrides].gsi, p + 4, 4);
            memcpy(&out->override[out->nr_overrides].flags, p + 8, 2);
            out->nr_overrides++;
        } else if (p[0] == MADT_LOCAL_APIC_OVERRIDE && p[1] >= 12) {
            memcpy(&out->lapic, p + 4, 8);
        }
    }
}

void acpi_find_devices(struct acpi_devices *out)
{
    memset(out, 0, sizeof(*out));
    const struct acpi_rsdp *rsdp = find_rsdp();
    if (!rsdp)
        return;
    const struct acpi_header *h = find_table(rsdp, "APIC");
    if (h && h->length >= MADT_ENTRIES_FROM)
        madt_devices(h, out);
    h = find_table(rsdp, "FACP");
    if (h && h->length >= FADT_PM_TMR_BLK_AT + 4)
        memcpy(&out->pm_timer_port, (const uint8_t *)h + FADT_PM_TMR_BLK_AT, 4);
    h = find_table(rsdp, "MCFG");
    for (uint32_t at = MCFG_ENTRIES_FROM;
         h && at + MCFG_ENTRY_LEN <= h->length && out->nr_mcfg < ACPI_MAX_MCFG;
         at += MCFG_ENTRY_LEN) {
        const uint8_t *e = (const uint8_t *)h + at;
        memcpy(&out->mcfg[out->nr_mcfg].base, e, 8);
        memcpy(&out->mcfg[out->nr_mcfg].segment, e + 8, 2);
        out->mcfg[out->nr_mcfg].bus_first = e[10];
        out->mcfg[out->nr_mcfg].bus_last = e[11];
        out->nr_mcfg++;
    }
    h = find_table(rsdp, "HPET");
    if (h && h->length > HPET_PROTECT_AT) {
        memcpy(&out->hpet, (const uint8_t *)h + HPET_ADDR_AT, 8);
        out->hpet_protect = ((const uint8_t *)h)[HPET_PROTECT_AT] & 0xf;
    }
}
