/* SPDX-License-Identifier: MIT */
/*
 * lamina/sched.h - the sched_op hypercall (number 29): sched_op(cmd, arg).
 *
 * The older sched_op_compat (number 6) takes the same command numbers for
 * yield, block and shutdown, but with the shutdown reason passed directly as
 * the second argument instead of through a structure.
 */
#ifndef LAMINA_SCHED_H
#define LAMINA_SCHED_H

#include "types.h"

/* Give up the CPU voluntarily; arg unused. */
#define LAM_SCHEDOP_yield 0
/* Sleep until an event is deliverable; unmasks events (upcall_mask = 0) first. */
#define LAM_SCHEDOP_block 1
/* Stop the calling domain; arg -> struct lam_sched_shutdown. */
#define LAM_SCHEDOP_shutdown 2
/* Sleep until one of the ports is pending (even if masked) or timeout; struct lam_sched_poll. */
#define LAM_SCHEDOP_poll 3
/* Shut down another domain (privileged); arg -> struct lam_sched_remote_shutdown. */
#define LAM_SCHEDOP_remote_shutdown 4
/* Record the reason a later shutdown will report, without shutting down. */
#define LAM_SCHEDOP_shutdown_code 5
/* Arm, re-arm or remove a domain watchdog; arg -> struct lam_sched_watchdog. */
#define LAM_SCHEDOP_watchdog 6
/* Pin the calling vCPU to a physical CPU (hardware domain only); struct lam_sched_pin_override. */
#define LAM_SCHEDOP_pin_override 7

/* Shutdown reasons (SHUTDOWN_*), also reported to the toolstack. */
#define LAM_SHUTDOWN_poweroff   0 /* domain exited normally: clean up and die */
#define LAM_SHUTDOWN_reboot     1 /* clean up, kill, and restart */
#define LAM_SHUTDOWN_suspend    2 /* clean up, save suspend info, kill */
#define LAM_SHUTDOWN_crash      3 /* tell the controller we crashed */
#define LAM_SHUTDOWN_watchdog   4 /* restart because the watchdog timed out */
#define LAM_SHUTDOWN_soft_reset 5 /* reset the domain without destroying it */
#define LAM_SHUTDOWN_MAX        5

struct lam_sched_shutdown {
    uint32_t reason; /* LAM_SHUTDOWN_* */
};

struct lam_sched_poll {
    lam_guest_addr_t ports; /* array of lam_evtchn_port_t */
    uint32_t nr_ports;      /* at most 128 */
    uint32_t pad;
    uint64_t timeout; /* absolute system time in ns; 0 = none */
};

struct lam_sched_remote_shutdown {
    lam_domid_t domain_id;
    uint16_t pad;
    uint32_t reason; /* LAM_SHUTDOWN_* */
};

struct lam_sched_watchdog {
    uint32_t id;      /* 0 to allocate a new watchdog; returns its id */
    uint32_t timeout; /* seconds; 0 removes the watchdog */
};

struct lam_sched_pin_override {
    int32_t pcpu; /* physical CPU, or -1 to undo the override */
};

LAM_ASSERT_SIZE(struct lam_sched_shutdown, 4);
LAM_ASSERT_SIZE(struct lam_sched_poll, 24);
LAM_ASSERT_OFFSET(struct lam_sched_poll, nr_ports, 8);
LAM_ASSERT_OFFSET(struct lam_sched_poll, timeout, 16);
LAM_ASSERT_SIZE(struct lam_sched_remote_shutdown, 8);
LAM_ASSERT_OFFSET(struct lam_sched_remote_shutdown, reason, 4);
LAM_ASSERT_SIZE(struct lam_sched_watchdog, 8);
LAM_ASSERT_SIZE(struct lam_sched_pin_override, 4);

#endif /* LAMINA_SCHED_H */
