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

/* Arm (or re-arm) t to fire at system time `expires` (ns) on this CPU. */
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
