/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grant tables (v1): per-domain shared entries, active (pinned) state, and the
 * maptrack table of mappings a domain holds of other domains' grants.
 *
 * Who holds which reference: a grant mapping's general reference (and, when
 * it is writable, its writable type reference) on the granted frame belongs
 * to the mapping's maptrack entry, not to the L1 entry that the mapping
 * writes. Those L1 entries carry PTE_GRANT_MAPPING (bit 62, Xen's
 * _PAGE_GNTTAB) so that the page-table code knows to leave their references
 * alone and refuses to let a guest write or remove them (pv/pagetype.c).
 * Everything runs under mm_lock.
 */
#ifndef LAMINA_HV_GRANT_TABLE_H
#define LAMINA_HV_GRANT_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/frame.h>
#include <hv/hypercall-types.h>
#include <asm/page.h>
#include <lamina/mmu.h>

struct domain;

/* L1 entries created by map_grant_ref: never accepted from a guest. */
#define PTE_GRANT_MAPPING LAM_PTE_GNTTAB

#define GNTTAB_DEFAULT_MAX_FRAMES 64u /* Xen 4.17 default (gnttab_max_frames) */
/* Xen 4.17's default: 1024 maptrack frames of 256 entries, of which it hands out all but
 * one handle (measured by tests/guests/gnt-maptrack). */
#define GNTTAB_DEFAULT_MAX_MAPTRACK (1024u * 256u - 1u)
/* Upper bounds for the boot options. */
#define GNTTAB_LIMIT_MAX_FRAMES      4096u
#define GNTTAB_LIMIT_MAPTRACK_FRAMES 16384u

/* Boot options (Xen's names): the defaults for every domain. The maptrack
 * limit is in frames of 256 handles, as on Xen. */
extern uint64_t opt_gnttab_max_frames;
extern uint64_t opt_gnttab_max_maptrack_frames;

/* d's limits from frame counts, a negative one meaning the default (gnttab_max_frames=,
 * gnttab_max_maptrack_frames=); for gnttab_init. */
void gnttab_set_limits(struct domain *d, int max_frames, int max_maptrack_frames);
/* The defaults themselves (createdomain checks a domain's limits against them, as Xen). */
unsigned int gnttab_default_max_frames(void);
unsigned int gnttab_default_max_maptrack_frames(void);
/* Create d's (empty) grant table with the limits in d->max_grant_frames / d->max_maptrack
 * (gnttab_set_limits). */
int gnttab_init(struct domain *d);

/* Builder hook: write reserved entry ref (0 console, 1 store) of d, granting
 * frame to grantee, as a toolstack seeds them. Allocates the first frame if
 * needed. 0 or -errno. */
int gnttab_seed_entry(struct domain *d, unsigned int ref, uint16_t grantee, mfn_t frame,
                      bool readonly);

/* d is dying: undo every mapping it holds of others' grants (zapping the L1
 * entries that are still grant entries) and free its maptrack. Frames that
 * others map of d stay referenced by their maptrack entries until unmapped. */
void gnttab_release_mappings(struct domain *d);

/* The granter d is dying: give up its allocation reference on each table frame.
 * The frames stay until nobody maps them (gnttab_frames_unreferenced), then
 * gnttab_destroy frees them with the rest of the table. Caller holds mm_lock. */
void gnttab_drop_frame_allocations(struct domain *d);
bool gnttab_frames_unreferenced(const struct domain *d);
void gnttab_destroy(struct domain *d);

/* Frame audit: call fn once per reference a live grant mapping holds on a
 * frame (writable = also a writable type reference). Caller holds mm_lock. */
void gnttab_audit_mappings(void (*fn)(mfn_t mfn, bool writable, void *arg), void *arg);

/* pv/pagetype.c: drop the references a (non-grant) L1 entry of table held, once it is
 * replaced. */
void pt_put_l1_entry_refs(pte_t e, mfn_t table);

long hc_grant_table_op(unsigned int cmd, guest_ptr_t ops, unsigned int count);

#endif
