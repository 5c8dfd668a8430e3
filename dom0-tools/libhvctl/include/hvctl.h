/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libhvctl: the hypervisor's domain controls (domctl) for dom0 tools.
 *
 * A handle wraps the way hypercalls are made: /dev/xen/privcmd in dom0
 * (hvctl_open), or a caller-supplied function (hvctl_open_with), which the
 * tests use to stand in for the hypervisor. Every call returns 0 or a
 * negative errno value as the hypervisor gave it (-ESRCH: no such domain,
 * -EINVAL: not allowed on that domain, -EPERM: not the control domain,
 * -EACCES: interface version mismatch); hvctl_strerror() turns it into words
 * for users.
 */
#ifndef HVCTL_H
#define HVCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hvctl;

/* Make hypercall `op` with up to five arguments; returns its result (negative errno). */
typedef long (*hvctl_hypercall_fn)(void *ctx, unsigned long op, const uint64_t args[5]);

/* Open /dev/xen/privcmd. NULL on failure with errno set (ENOENT: not in dom0). */
struct hvctl *hvctl_open(void);
struct hvctl *hvctl_open_with(hvctl_hypercall_fn fn, void *ctx);
void hvctl_close(struct hvctl *h);

/* What a user wants to know about a running (or dying) domain. */
struct hvctl_dominfo {
    uint16_t domid;
    bool dying, shutdown, paused, blocked, running;
    unsigned int shutdown_reason; /* valid when shutdown: 0 poweroff .. 5 soft_reset */
    uint64_t tot_pages, max_pages;
    uint64_t cpu_time_ns;
    unsigned int vcpus_online;
    unsigned int max_vcpu_id; /* ~0u: none */
};

/* One domain, by exact id (-ESRCH if it does not exist). */
int hvctl_domain_info(struct hvctl *h, uint16_t domid, struct hvctl_dominfo *out);
/* Every domain, in id order. *out is malloc'ed (free it); *count may be 0. */
int hvctl_domain_list(struct hvctl *h, struct hvctl_dominfo **out, size_t *count);

int hvctl_domain_destroy(struct hvctl *h, uint16_t domid);
int hvctl_domain_pause(struct hvctl *h, uint16_t domid);
int hvctl_domain_unpause(struct hvctl *h, uint16_t domid);
/* Credit scheduler parameters: weight 1..65535 (default 256), cap in percent of a CPU
 * (0 = none). On set, weight 0 or cap -1 leave that value as it is. */
int hvctl_sched_credit_get(struct hvctl *h, uint16_t domid, unsigned int *weight,
                           unsigned int *cap);
int hvctl_sched_credit_set(struct hvctl *h, uint16_t domid, unsigned int weight, int cap);
/* One vCPU: its state and the physical CPU it is on (or last ran on). */
struct hvctl_vcpuinfo {
    unsigned int vcpu;
    bool online, blocked, running;
    uint64_t cpu_time_ns;
    unsigned int cpu;
};
int hvctl_vcpu_info(struct hvctl *h, uint16_t domid, unsigned int vcpu, struct hvctl_vcpuinfo *out);
/* Hard affinity as a mask of physical CPUs 0-63. set stores the effective mask (the online
 * CPUs of it) in *effective when that is not NULL. */
int hvctl_vcpu_set_affinity(struct hvctl *h, uint16_t domid, unsigned int vcpu, uint64_t cpus,
                            uint64_t *effective);
int hvctl_vcpu_get_affinity(struct hvctl *h, uint16_t domid, unsigned int vcpu, uint64_t *cpus);

/* Memory limit in KiB. */
int hvctl_domain_set_max_mem(struct hvctl *h, uint16_t domid, uint64_t kib);

/*
 * The hypervisor's log ring (sysctl readconsole, what `xl dmesg` reads). Reads up to len
 * bytes into buf: from *index when incremental and *index is still held, else from the
 * oldest byte held (or where the last clear left off). *got is the bytes read, *index
 * where the read stopped (pass it back with incremental to go on). clear: forget what was
 * read, so the next plain read starts after it.
 */
int hvctl_read_console(struct hvctl *h, bool clear, bool incremental, uint32_t *index, char *buf,
                       uint32_t len, uint32_t *got);

/* One word for the domain's state, as `lam list` shows it: "dying", "crashed",
 * "shutdown", "paused", "running", "blocked" or "idle". */
const char *hvctl_state_name(const struct hvctl_dominfo *d);
/* The shutdown reason's name ("poweroff", "reboot", ...; "unknown"). */
const char *hvctl_shutdown_name(unsigned int reason);
/* A user-facing explanation of a negative result of these calls. */
const char *hvctl_strerror(int rc);

#endif
