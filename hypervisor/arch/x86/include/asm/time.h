/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Time: the TSC, calibrated at boot against the PIT, is the clock; system
 * time is nanoseconds since calibration. The local APIC timer (one-shot)
 * drives the per-CPU timer heap.
 */
#ifndef LAMINA_HV_TIME_H
#define LAMINA_HV_TIME_H

#include <stdint.h>

void time_init(void);
/* ns since boot; 0 before time_init. */
uint64_t time_now_ns(void);
uint64_t tsc_khz(void);
/* TSC -> ns conversion factors in the pvclock form (mul is 32.32 fixed point after shift). */
void time_pvclock_params(uint32_t *mul, int8_t *shift);
/* TSC value at system time 0 */
uint64_t time_tsc_base(void);

/* Local APIC timer: arm a one-shot interrupt at an absolute system time (ns). */
void apic_timer_init(void);
void apic_timer_arm(uint64_t deadline_ns);
void apic_eoi(void);
void apic_init_secondary(void);
uint32_t apic_id_read(void);
void apic_send_ipi(uint32_t dest_apic_id, uint32_t icr_low);
void udelay(unsigned int us);

/* Wall clock at system time 0, from the CMOS RTC. */
uint64_t wallclock_boot_sec(void);

#define APIC_TIMER_VECTOR    0xf0
#define APIC_SPURIOUS_VECTOR 0xff

#endif
