/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-CPU software timers (common/timer.c) on top of the timer heap
 * (lib/timer_heap). A timer fires on the CPU whose heap holds it, in the
 * timer interrupt, with interrupts off.
 */
#ifndef LAMINA_HV_TIMER_H
#define LAMINA_HV_TIMER_H

#include <stdbool.h>
#include <stdint.h>
#include <hv/timer_heap.h>

/*
 * System time is a signed 64-bit count of nanoseconds, as Xen's s_time_t: a deadline with
 * bit 63 set lies in the past. STIME_DELTA_MAX is the longest interval a guest may ask for
 * (Xen's value, 2^62 - 1 ns): now + STIME_DELTA_MAX cannot overflow for 146 years.
 */
#define STIME_DELTA_MAX ((uint64_t)INT64_MAX >> 1)

/* Arm (or re-arm) t to fire at system time `expires` (ns) on this CPU. A deadline that is
 * negative as a signed time (bit 63 set) is in the past: t fires at once. Callers serialise
 * the sets of one timer (its owner's CPU, or a lock such as v->periodic_lock): two at once
 * on two CPUs would both add it. timer_stop() may run at any time. */
void timer_set(struct timer *t, uint64_t expires);
/* Take t off its heap if it is queued; it may still be running on another CPU. */
void timer_stop(struct timer *t);
/* Stop t for good: off every heap and not running anywhere when this returns. */
void timer_kill(struct timer *t);

/* The APIC timer interrupt: runs every expired timer of this CPU. */
void timer_interrupt(void);
/* This CPU's heap; the housekeeping timers (credit accounting) run on one CPU. */
void timers_init_cpu(bool with_housekeeping);

#endif
