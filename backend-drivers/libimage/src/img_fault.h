/* SPDX-License-Identifier: GPL-2.0-only */
/* Fault injection for the crash-consistency tests: after `n` more metadata operations
 * (writes, truncates, syncs through img_meta_*), every further one fails with -EIO and
 * writes nothing, as if the process had died at that point. n < 0 turns injection off.
 * Not part of the public API: only tests include this. */
#ifndef LAMINA_IMG_FAULT_H
#define LAMINA_IMG_FAULT_H

void img_fault_after(long n);
/* The metadata operations done since the counter was last set (to size the test loop). */
long img_fault_count(void);

#endif
