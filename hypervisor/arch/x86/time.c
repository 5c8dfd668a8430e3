/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TSC calibration against PIT channel 2, pvclock scaling, the CMOS wall
 * clock, and the local APIC one-shot timer.
 *
 * The TSC -> ns factor is kept in the pvclock form (shift then 32.32 multiply)
 * because guests get the very same numbers in vcpu_time_info: the hypervisor
 * and its guests then agree on what time it is.
 */
#include <asm/time.h>
#include <hv/console.h>
#include <hv/lib.h>
#include <asm/memlayout.h>
#include <asm/x86.h>
#include <asm/irqflags.h>

#define PIT_HZ       1193182u
#define CALIBRATE_MS 50u

static uint64_t tsc_at_zero;
static uint64_t tsc_freq_khz;
static uint32_t pv_mul;
static int8_t pv_shift;
static uint64_t boot_wallclock;

/* Busy-wait on PIT channel 2 for `ms` milliseconds; returns TSC ticks elapsed. */
static uint64_t pit_measure_tsc(unsigned int ms)
{
    uint32_t count = PIT_HZ * ms / 1000;
    uint8_t gate = inb(0x61);

    outb(0x61, (gate & ~0x02) | 0x01); /* gate on, speaker off */
    outb(0x43, 0xb0);                  /* channel 2, lobyte/hibyte, mode 0 */
    outb(0x42, count & 0xff);
    outb(0x42, (count >> 8) & 0xff);
    uint64_t start = rdtsc();
    while (!(inb(0x61) & 0x20))
        ;
    uint64_t end = rdtsc();
    outb(0x61, gate);
    return end - start;
}

/* Pick shift and mul so that ns = ((tsc << shift or >> -shift) * mul) >> 32. */
static void compute_pvclock(uint64_t khz)
{
    uint64_t tps = khz * 1000, target = 1000000000ull;
    int shift = 0;
    while (tps > target * 2 || tps > 0xffffffffull) {
        tps >>= 1;
        shift--;
    }
    while (tps <= target && shift < 31) {
        tps <<= 1;
        shift++;
    }
    /* Now target < tps <= 2*target ... mul = target * 2^32 / tps < 2^32 */
    pv_mul = (uint32_t)((target << 32) / tps);
    pv_shift = (int8_t)shift;
}

static uint64_t scale_delta(uint64_t delta, uint32_t mul, int8_t shift)
{
    if (shift >= 0)
        delta <<= shift;
    else
        delta >>= -shift;
    return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

static unsigned int cmos_read(unsigned int reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static unsigned int bcd(unsigned int v, int binary)
{
    return binary ? v : (v & 0xf) + (v >> 4) * 10;
}

static uint64_t days_from_civil(int y, unsigned int m, unsigned int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    unsigned int yoe = (unsigned int)(y - era * 400);
    unsigned int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (uint64_t)((int64_t)era * 146097 + (int64_t)doe - 719468);
}

static uint64_t rtc_read_seconds(void)
{
    while (cmos_read(0x0a) & 0x80) /* update in progress */
        ;
    int binary = cmos_read(0x0b) & 0x04;
    unsigned int sec = bcd(cmos_read(0x00), binary), min = bcd(cmos_read(0x02), binary);
    unsigned int hour = bcd(cmos_read(0x04) & 0x7f, binary), day = bcd(cmos_read(0x07), binary);
    unsigned int mon = bcd(cmos_read(0x08), binary), year = bcd(cmos_read(0x09), binary);
    unsigned int cent = bcd(cmos_read(0x32), binary);
    int full_year = (int)(cent >= 19 && cent <= 21 ? cent * 100 + year : 2000 + year);
    return days_from_civil(full_year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
}

void time_init(void)
{
    uint64_t best = ~0ull;
    for (int i = 0; i < 3; i++) { /* take the shortest: least disturbed by emulation hiccups */
        uint64_t t = pit_measure_tsc(CALIBRATE_MS);
        if (t < best)
            best = t;
    }
    tsc_freq_khz = best / CALIBRATE_MS;
    if (!tsc_freq_khz)
        tsc_freq_khz = 1000000;
    compute_pvclock(tsc_freq_khz);
    boot_wallclock = rtc_read_seconds();
    tsc_at_zero = rdtsc();
    printk("time: TSC %lu.%03lu MHz, pvclock mul %u shift %d, wallclock %lu", tsc_freq_khz / 1000,
           tsc_freq_khz % 1000, pv_mul, pv_shift, boot_wallclock);
}

uint64_t time_now_ns(void)
{
    if (!tsc_at_zero)
        return 0;
    return scale_delta(rdtsc() - tsc_at_zero, pv_mul, pv_shift);
}

uint64_t tsc_khz(void)
{
    return tsc_freq_khz;
}

void time_pvclock_params(uint32_t *mul, int8_t *shift)
{
    *mul = pv_mul;
    *shift = pv_shift;
}

uint64_t time_tsc_base(void)
{
    return tsc_at_zero;
}

uint64_t wallclock_boot_sec(void)
{
    return boot_wallclock;
}

/* ---- local APIC (xAPIC MMIO through the direct map) ---- */

#define APIC_ID       0x020
#define APIC_EOI      0x0b0
#define APIC_SVR      0x0f0
#define APIC_LVT_TMR  0x320
#define APIC_TMR_ICR  0x380
#define APIC_TMR_CCR  0x390
#define APIC_TMR_DIV  0x3e0
#define APIC_ICR_LO   0x300
#define APIC_ICR_HI   0x310
#define APIC_ICR_BUSY (1u << 12) /* delivery status: send pending */

#define APIC_SVR_ENABLE   (1u << 8) /* APIC software-enabled */
#define APIC_TMR_DIV_16   0x3       /* timer clock: bus clock / 16 */
#define APIC_LVT_MASKED   (1u << 16)
#define APIC_ID_SHIFT     24          /* the ID is bits 31-24 of APIC_ID */
#define APIC_ICR_HI_SHIFT 24          /* destination APIC ID in bits 31-24 of ICR_HI */
#define APIC_BASE_ADDR    (~0xfffull) /* MSR_APIC_BASE: the page address */

static volatile uint32_t *apic_regs;
static uint64_t apic_ticks_per_ms;

static inline void apic_write(unsigned int reg, uint32_t v)
{
    apic_regs[reg / 4] = v;
}
static inline uint32_t apic_read(unsigned int reg)
{
    return apic_regs[reg / 4];
}

void apic_eoi(void)
{
    if (apic_regs)
        apic_write(APIC_EOI, 0);
}

void apic_timer_init(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);
    wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE); /* globally enabled, xAPIC mode */
    apic_regs = __va(base & APIC_BASE_ADDR);
    apic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
    apic_write(APIC_TMR_DIV, APIC_TMR_DIV_16);
    apic_write(APIC_LVT_TMR, APIC_LVT_MASKED); /* while calibrating */
    apic_write(APIC_TMR_ICR, 0xffffffffu);
    uint64_t t0 = time_now_ns();
    pit_measure_tsc(10);
    uint64_t elapsed_ns = time_now_ns() - t0;
    uint32_t ticks = 0xffffffffu - apic_read(APIC_TMR_CCR);
    apic_ticks_per_ms = elapsed_ns ? (uint64_t)ticks * 1000000 / elapsed_ns : 1000;
    if (!apic_ticks_per_ms)
        apic_ticks_per_ms = 1;
    apic_write(APIC_TMR_ICR, 0);
    apic_write(APIC_LVT_TMR, APIC_TIMER_VECTOR); /* one-shot, unmasked */
    printk("apic: timer %lu ticks/ms", apic_ticks_per_ms);
}

/* A secondary CPU: same APIC page, same bus clock, so the boot CPU's calibration holds. */
void apic_init_secondary(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);
    wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
    apic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
    apic_write(APIC_TMR_DIV, APIC_TMR_DIV_16);
    apic_write(APIC_TMR_ICR, 0);
    apic_write(APIC_LVT_TMR, APIC_TIMER_VECTOR);
}

uint32_t apic_id_read(void)
{
    if (!apic_regs)
        apic_regs = __va(rdmsr(MSR_APIC_BASE) & APIC_BASE_ADDR);
    return apic_read(APIC_ID) >> APIC_ID_SHIFT;
}

/* Send one interprocessor interrupt (xAPIC: destination first, the low word sends). */
void apic_send_ipi(uint32_t dest_apic_id, uint32_t icr_low)
{
    unsigned long flags = local_irq_save();
    while (apic_read(APIC_ICR_LO) & APIC_ICR_BUSY)
        __asm__ volatile("pause");
    apic_write(APIC_ICR_HI, dest_apic_id << APIC_ICR_HI_SHIFT);
    apic_write(APIC_ICR_LO, icr_low);
    local_irq_restore(flags);
}

void udelay(unsigned int us)
{
    uint64_t end = rdtsc() + tsc_freq_khz * us / 1000;
    while (rdtsc() < end)
        __asm__ volatile("pause");
}

/* The APIC counter holds 32 bits (about a minute at the usual bus clocks): a later deadline
 * is armed for this long, the timer interrupt finds nothing due and arms again. The clamp
 * also keeps delta * ticks from overflowing for guest deadlines centuries ahead. */
#define APIC_ARM_MAX_NS 1000000000ull

void apic_timer_arm(uint64_t deadline_ns)
{
    uint64_t now = time_now_ns();
    uint64_t delta = deadline_ns > now ? deadline_ns - now : 0;
    if (delta > APIC_ARM_MAX_NS)
        delta = APIC_ARM_MAX_NS;
    uint64_t ticks = delta * apic_ticks_per_ms / 1000000;
    if (ticks == 0)
        ticks = 1;
    if (ticks > 0xffffffffu)
        ticks = 0xffffffffu;
    apic_write(APIC_TMR_ICR, (uint32_t)ticks);
}
