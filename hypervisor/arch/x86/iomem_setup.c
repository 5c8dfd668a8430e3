/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The I/O memory dom0 may not map, or only read (pv/iomem.c), found at boot
 * as Xen 4.17's dom0_setup_permissions and its read-only MMIO ranges have it:
 *
 *   denied:    the local APIC, the MSI window 0xfee00000-0xfeefffff, AMD's
 *              HyperTransport window (12 GiB below 1 TiB, or below the
 *              physical-address limit from family 17h), unusable e820 ranges
 *              above 1 MiB, an HPET whose table asks for page protection;
 *   read-only: the I/O APICs, the HPET otherwise.
 *
 * Not PCI MMCONFIG: Xen makes it read-only too, but emulates each store and
 * carries it out unless the device is one Xen drives itself. No device is
 * Lamina's, so dom0 maps MMCONFIG as it asks (docs/differences.md).
 */
#include <asm/acpi.h>
#include <asm/mm.h>
#include <asm/pv/iomem.h>
#include <asm/x86.h>
#include <hv/bootinfo.h>
#include <hv/console.h>

#define MSI_WINDOW_FIRST 0xfee00ull
#define MSI_WINDOW_LAST  0xfeeffull
#define HT_WINDOW_FRAMES (12ull << (30 - PAGE_SHIFT)) /* 12 GiB */
#define AMD_FAMILY_17H   0x17
#define HPET_PROTECT_4K  1
#define HPET_PROTECT_64K 2
#define HPET_64K_FRAMES  16
#define ONE_MIB_FRAME    0x100ull

static void range(bool deny, mfn_t first, mfn_t last, const char *what)
{
    int rc = deny ? iomem_deny(first, last) : iomem_read_only(first, last);
    if (rc)
        log_printf(LOG_ERR, "iomem: no room to record %s (%#lx-%#lx)", what, (unsigned long)first,
                   (unsigned long)last);
    else
        log_printf(LOG_DEBUG, "iomem: dom0 %s %#lx-%#lx (%s)",
                   deny ? "may not map" : "may only read", (unsigned long)first,
                   (unsigned long)last, what);
}

static bool cpu_is_amd_or_hygon(void)
{
    uint32_t a, b, c, d;
    cpuid(0, &a, &b, &c, &d);
    bool amd = b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163;   /* AuthenticAMD */
    bool hygon = b == 0x6f677948 && d == 0x6e65476e && c == 0x656e6975; /* HygonGenuine */
    return amd || hygon;
}

static unsigned int cpu_family(void)
{
    uint32_t a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    unsigned int family = (a >> 8) & 0xf;
    return family == 0xf ? family + ((a >> 20) & 0xff) : family;
}

/* The HyperTransport window: [1 TiB - 12 GiB, 1 TiB) before family 17h, else below the limit. */
static void deny_hypertransport(void)
{
    if (!cpu_is_amd_or_hygon())
        return;
    mfn_t end = cpu_family() < AMD_FAMILY_17H ? 1ull << (40 - PAGE_SHIFT) : max_phys_mfn();
    range(true, end - HT_WINDOW_FRAMES, end - 1, "AMD HyperTransport window");
}

static void deny_unusable_e820(void)
{
    for (unsigned int i = 0; i < boot_info.nr_ranges; i++) {
        const struct boot_mem_range *r = &boot_info.ranges[i];
        if (r->type != LAM_E820_UNUSABLE || !r->len)
            continue;
        mfn_t first = r->addr >> PAGE_SHIFT, last = (r->addr + r->len - 1) >> PAGE_SHIFT;
        if (first < ONE_MIB_FRAME)
            first = ONE_MIB_FRAME;
        if (first <= last)
            range(true, first, last, "unusable e820 range");
    }
}

static void hpet(const struct acpi_devices *dev)
{
    if (!dev->hpet)
        return;
    mfn_t mfn = dev->hpet >> PAGE_SHIFT;
    if (dev->hpet_protect == HPET_PROTECT_4K)
        range(true, mfn, mfn, "HPET, 4 KiB page protection");
    else if (dev->hpet_protect == HPET_PROTECT_64K)
        range(true, mfn, mfn + HPET_64K_FRAMES - 1, "HPET, 64 KiB page protection");
    else
        range(false, mfn, mfn, "HPET");
}

void iomem_setup(void)
{
    struct acpi_devices dev;
    acpi_find_devices(&dev);
    uint64_t lapic = dev.lapic ? dev.lapic : rdmsr(MSR_APIC_BASE) & ~(PAGE_SIZE - 1);
    range(true, lapic >> PAGE_SHIFT, lapic >> PAGE_SHIFT, "local APIC");
    for (unsigned int i = 0; i < dev.nr_ioapics; i++)
        range(false, dev.ioapic[i] >> PAGE_SHIFT, dev.ioapic[i] >> PAGE_SHIFT, "I/O APIC");
    range(true, MSI_WINDOW_FIRST, MSI_WINDOW_LAST, "MSI window");
    deny_hypertransport();
    deny_unusable_e820();
    hpet(&dev);
}
