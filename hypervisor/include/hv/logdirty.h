/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Log-dirty mode: which of a domain's guest frames may have been written since the
 * toolstack last asked (domctl shadow_op; the design is in docs/log-dirty.md and at the
 * top of arch/x86/pv/logdirty.c). Everything here is under the domain's memory lock
 * (mm_locked_for(d)): marks come from paths that hold it, reads take the global one.
 */
#ifndef LAMINA_HV_LOGDIRTY_H
#define LAMINA_HV_LOGDIRTY_H

#include <stdbool.h>
#include <stdint.h>

#include <asm/frame.h>
#include <hv/dirty_bitmap.h>

struct domain;
struct lam_domctl_shadow_op;

struct domain_logdirty {
    bool enabled;
    uint32_t fault_count; /* write faults taken: none in this design (see logdirty.c) */
    uint32_t dirty_count; /* frames newly marked since the last CLEAN */
    /* The shadow pool Xen would hold for the domain (GET/SET_ALLOCATION answer it): Lamina
     * has no shadow page tables and reserves nothing for it. */
    unsigned long pool_pages;
    struct dirty_bitmap bitmap;
};

/* domctl shadow_op on d (not the caller: hc_domctl's checks come first). */
long logdirty_domctl(struct domain *d, struct lam_domctl_shadow_op *sc);
/* Mark the guest frame the M2P gives for mfn, if d owns it and logs dirty frames. */
void logdirty_mark_frame(struct domain *d, mfn_t mfn);
/* Mark guest frame pfn of d (MMU_MACHPHYS_UPDATE moves a frame to it). */
void logdirty_mark_pfn(struct domain *d, uint64_t pfn);
/* A frame's last writable, table or descriptor reference went (pv/pagetype.c). */
void logdirty_type_released(struct page_info *pg);
/* The domain is being freed: give the bitmap back. */
void logdirty_teardown(struct domain *d);

#endif
