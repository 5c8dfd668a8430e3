/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Secondary vCPUs for test kernels: start vCPU n of the test domain at a C
 * function on its own stack (VCPUOP_initialise + VCPUOP_up), with events
 * masked (it waits with SCHEDOP_poll), the framework's trap table and the
 * current page tables (mm_init() must have run). Needs the mm_util library.
 * Boot with dom0_max_vcpus=N (the runner does for tests with a <name>_SMP).
 */
#ifndef LAM_GUEST_SMP_H
#define LAM_GUEST_SMP_H

#include <stdint.h>

#include "lam.h"

#define SMP_MAX_VCPUS   4
#define SMP_STACK_BYTES 16384

/* How many vCPUs the domain has (VCPUOP_is_up answers for 0..n-1). */
unsigned int smp_nr_vcpus(void);
/* The vCPUs a test uses: all of them, at most SMP_MAX_VCPUS; 0 (and the test is
 * skipped) when there are fewer than 2. */
unsigned int smp_test_vcpus(void);
/* Start vCPU id (1..SMP_MAX_VCPUS-1) at fn(id); returns the hypercall's rc. When fn
 * returns, the vCPU marks itself done and takes itself offline (VCPUOP_down). */
long smp_start_vcpu(unsigned int id, void (*fn)(unsigned int id));
/* Wait until vCPU id's function has returned; 0, or -1 after timeout_ms. */
int smp_wait_done(unsigned int id, unsigned int timeout_ms);

/* Pin vCPU vcpu of the test domain (dom0) to physical CPU cpu (< 8) with domctl
 * setvcpuaffinity (hard); 0 or the hypercall's error. Not for concurrent use. */
long smp_pin(unsigned int vcpu, unsigned int cpu);
/* The physical CPU vCPU vcpu runs on or last ran on (domctl getvcpuinfo); -1 on error. */
int smp_cpu_of(unsigned int vcpu);

/* Event channel helpers (2-level, polling, the ports masked). */
uint32_t smp_bind_ipi(unsigned int vcpu); /* port notifying vcpu; panics on error */
void smp_send(uint32_t port);
/* Wait until port is pending, then clear it. */
void smp_poll_clear(uint32_t port);

/* System time from this vCPU's pvclock (ns). */
uint64_t smp_now_ns(void);

#endif /* LAM_GUEST_SMP_H */
