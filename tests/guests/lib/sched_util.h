/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the scheduler test kernels (tests/guests/sched-*): the pvclock,
 * and the page a boot-time domU (sched-spin) shares with dom0. The builder
 * grants a domU's console ring page to dom0 as reference 0 and our test kernels
 * write their console through console_io, so that page is free: the domU puts
 * its runstate area and a few counters there, dom0 maps it through the grant.
 */
#ifndef LAM_GUEST_SCHED_UTIL_H
#define LAM_GUEST_SCHED_UTIL_H

#include <stdint.h>
#include <lamina/vcpu.h>

#include "mm_util.h"

/* Layout of the shared page (64-bit words, then the runstate area). */
#define PEER_MAGIC_VALUE 0x7370696e2d726479ULL /* "spin-rdy" */
struct sched_peer_page {
    uint64_t magic;                         /* PEER_MAGIC_VALUE once the area is registered */
    uint64_t spins;                         /* loop iterations, grows while the domU runs */
    uint64_t port;                          /* dom0 -> domU: an unbound port to bind, 0 = none */
    uint64_t sent_ns;                       /* domU: pvclock time of its last notification */
    uint64_t nr_sent;                       /* domU: notifications sent */
    uint64_t period_ns;                     /* dom0 -> domU: notify every period_ns, 0 = never */
    uint64_t fpu_rounds;                    /* fpu-peer: checks of its SSE registers */
    uint64_t fpu_bad;                       /* fpu-peer: checks that found them changed */
    struct lam_vcpu_runstate_info runstate; /* vCPU 0's, kept by the hypervisor */
};

/* System time (ns) from this vCPU's pvclock in shared_info. */
uint64_t sched_pvclock_ns(void);

/* Map domain dom's grant reference 0 at va (one page of a tree built by the caller);
 * 0 or the grant status / hypercall error. */
long sched_map_peer(uint64_t va, uint16_t dom, uint32_t *handle);
long sched_unmap_peer(uint64_t va, uint32_t handle);

/* mm_init(), a tree at L4 slot 302 in *tree, and domains 1..n's shared pages mapped on
 * its first n pages (peer[i], handle[i]), each up and running. 0, or -1 with the failure
 * recorded (the test should return). */
int sched_attach_peers(struct mm_tree *tree, unsigned int n, volatile struct sched_peer_page **peer,
                       uint32_t *handle);

/* Wait (yielding) until the peer page shows the magic; 0 on success, -1 after ~max_ns. */
int sched_wait_peer(volatile struct sched_peer_page *p, uint64_t max_ns);

/* Running time of the peer's vCPU 0 as its runstate area says (ns). Read while the peer is
 * not running (one CPU, and we run), the record is complete up to its last switch-out. */
uint64_t sched_peer_running_ns(volatile struct sched_peer_page *p);

/* Sort v[0..n) and return its median. */
uint64_t sched_median(uint64_t *v, int n);

/* Block (SCHEDOP_poll on a masked port, nothing pending) until deadline_ns. */
void sched_sleep_until(uint64_t deadline_ns);

#endif
