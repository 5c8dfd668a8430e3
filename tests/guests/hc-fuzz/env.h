/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fuzzer's environment (env.c): what the grammar draws from, set up once
 * before the workers start and only read afterwards.
 *
 * Address space (L4 slots of the live table):
 *   511            the kernel region (bootstrap tables): protected
 *   HCF_PLAY_SLOT  the playground tree: every entry of its L3, L2, L1 is fair game
 *   HCF_ARENA_SLOT the workers' arenas and area pages and grant frame 0: protected
 *   HCF_LIN_SLOT   a linear (recursive) entry to the live L4, read-only
 *   hcf_fuzz_slots empty slots (and the hypervisor's) the grammar may write
 */
#ifndef HCF_ENV_H
#define HCF_ENV_H

#include <lamina/grant_table.h>

#include "fuzz.h"
#include "mm_util.h"

#define HCF_PLAY_SLOT   290
#define HCF_ARENA_SLOT  291
#define HCF_LIN_SLOT    292
#define HCF_MAX_FRAMES  48
#define HCF_TABLES      8 /* table candidates besides the playground tree */
#define HCF_SCRATCH     16
#define HCF_SACRIFICIAL 8 /* region pages whose mapping the grammar may change */
#define HCF_GNT_FRAMES  4
/* Arena tree L1 indexes: worker k's arena at k * 64, its area pages at k * 64 + 16. */
#define HCF_ARENA_L1(k) ((k)*64u)
#define HCF_AREA_L1(k)  ((k)*64u + 16u)
#define HCF_GNT_L1      300u

extern const unsigned int hcf_fuzz_slots[];
extern const unsigned int hcf_nfuzz_slots;

struct hcf_env {
    int privileged;
    uint16_t domid;        /* our numeric id (domid= on the command line; 0 by default) */
    unsigned int nr_vcpus; /* the domain's vCPUs */
    unsigned int workers;  /* vCPUs running the grammar: 0..workers-1 */
    uint64_t max_mfn;      /* XENMEM_maximum_ram_page */
    uint64_t frames[FR_NCLASSES][HCF_MAX_FRAMES];
    unsigned int nframes[FR_NCLASSES];
    uint64_t live_l4_mfn, clone_l4_mfn;
    struct mm_tree play, arena_tree;
    void *table_va[HCF_TABLES];
    uint64_t sacrificial_va[HCF_SACRIFICIAL];
    uint64_t sacrificial_l1e_ma[HCF_SACRIFICIAL];
    void *scratch_va[HCF_SCRATCH];
    uint64_t gnt_mfn[HCF_GNT_FRAMES];
    volatile struct lam_grant_entry_v1 *gnt; /* frame 0, writable */
    uint64_t ro_va;                          /* a readable, read-only page (a bootstrap table) */
    uint64_t poison_va;                      /* a read-only page of all ones */
    uint64_t ipi_ports[HCF_MAX_WORKERS];
};
extern struct hcf_env hcf_env;

/* Build it all; panics when the guest cannot set up (nothing was fuzzed yet). */
void hcf_env_init(void);
/* Per worker, on its own vCPU: callbacks and its self-IPI port. */
void hcf_env_worker_init(struct hcf_worker *w);
/* Register the event, failsafe and NMI-less callbacks of this vCPU. */
void hcf_env_register_callbacks(void);

/* The stack a spare vCPU (one no worker runs on) gets in a fuzzed context. */
uint64_t hcf_spare_stack_top(uint32_t vcpu);
/* Is rsp on a spare vCPU's stack? */
int hcf_on_spare_stack(uint64_t rsp);
/* VAs of the infrastructure, for handlers and code-address pools. */
uint64_t hcf_play_va(unsigned int i); /* playground page i (0..511) */

#endif /* HCF_ENV_H */
