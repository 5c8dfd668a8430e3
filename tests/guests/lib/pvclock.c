/* SPDX-License-Identifier: GPL-2.0-only */
/* System time from the pvclock record in shared_info (see lam.h). */
#include <lamina/shared_info.h>

#include "lam.h"

uint64_t lam_pvclock_ns(void)
{
    const volatile struct lam_vcpu_time_info *t = &lam_shared_info->vcpu_info[0].time;
    uint32_t version;
    uint64_t ns;
    do {
        version = t->version;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        uint64_t delta = lam_rdtsc() - t->tsc_timestamp;
        int8_t shift = t->tsc_shift;
        delta = shift >= 0 ? delta << shift : delta >> -shift;
        ns = t->system_time + (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
    } while ((version & 1) || version != t->version);
    return ns;
}
