/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hypercall continuations: how a long hypercall stops early and is resumed.
 *
 * A handler that decides to stop (hypercall_preempt_check() said so) calls
 * hypercall_create_continuation() with the arguments that describe the work
 * still to do, and returns. The dispatcher then rewrites the guest's argument
 * registers and moves its RIP back onto the SYSCALL of the hypercall, so the
 * guest issues the same hypercall again once the hypervisor has delivered
 * events and scheduled. Inside a multicall the continuation is stored into
 * the multicall entry instead and the multicall continues itself from there.
 */
#ifndef LAMINA_HV_CONTINUATION_H
#define LAMINA_HV_CONTINUATION_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <lamina/hypercall.h>

struct cpu_regs;

#define HC_MAX_ARGS 6

/* True when the running hypercall should stop at its next safe point: an event
 * is waiting for the guest, or the hypercall has used up its time budget. */
bool hypercall_preempt_check(void);

/* Ask for `op` to be re-issued with these arguments. Always returns 0: the value
 * a handler returns is discarded when a continuation is pending. */
long hypercall_create_continuation(unsigned int op, unsigned int nargs, const uint64_t *args);

/* Dispatcher side. hypercall_begin() starts a top-level hypercall's budget;
 * hypercall_take_continuation() returns true (and forgets it) if the handler
 * asked for one, filling op and args. */
static inline void hypercall_begin(void)
{
    struct cpu_info *ci = get_cpu_info();
    ci->hc_deadline_tsc = 0; /* set by the first check: short hypercalls never read the TSC */
    ci->hc_continuation = 0;
}
bool hypercall_fetch_continuation(unsigned int *op, uint64_t args[HC_MAX_ARGS]);
static inline bool hypercall_take_continuation(unsigned int *op, uint64_t args[HC_MAX_ARGS])
{
    return get_cpu_info()->hc_continuation && hypercall_fetch_continuation(op, args);
}
/* Point the guest at the hypercall again with the continuation's arguments. */
void hypercall_apply_continuation(struct cpu_regs *regs, unsigned int op,
                                  const uint64_t args[HC_MAX_ARGS]);

/* Counters for the debug output (proof, on Lamina, that preemption happened). */
struct preempt_stats {
    uint64_t continuations[LAM_HYPERCALL_TABLE_SLOTS]; /* by hypercall number */
    uint64_t partial_tables;          /* validations or devalidations left partial */
    uint64_t resumed_tables;          /* partial tables picked up again */
    uint64_t destroys_preempted;      /* destroydomain calls that stopped and were continued */
    uint64_t retype_flushes_deferred; /* retypes that backed out to flush with mm_lock dropped */
};
extern struct preempt_stats preempt_stats;
void preempt_stats_print(void);

#endif
