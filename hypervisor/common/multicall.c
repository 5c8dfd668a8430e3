/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * multicall: a batch of hypercalls in one guest entry. Each entry's result is
 * written back. An iret entry is performed and ends the batch (as on Xen);
 * a nested multicall is refused with -EINVAL.
 *
 * Preemption (as Xen): between entries, and when an entry asks for a
 * continuation of itself. Then the entry's op and arguments are rewritten in
 * the guest's list to describe what remains (its result is not written), and
 * the multicall continues itself from that entry with the count reduced.
 */
#include <hv/continuation.h>
#include <lamina/hypercall-numbers.h>
#include <hv/errcodes.h>
#include <asm/guest_access.h>
#include <hv/hypercall-dispatch.h>
#include <hv/domain.h>
#include <lamina/mmu.h>

#define MULTICALL_MAX 1024 /* entries per call; more is a guest bug, not a workload */

/* Re-issue the multicall for entries [i, nr_calls). */
static long continue_from(guest_ptr_t calls, unsigned int i, unsigned int nr_calls)
{
    const uint64_t args[2] = {calls + (uint64_t)i * sizeof(struct lam_multicall_entry),
                              nr_calls - i};
    return hypercall_create_continuation(LAM_HYPERCALL_MULTICALL, 2, args);
}

long hc_multicall(guest_ptr_t calls, unsigned int nr_calls)
{
    struct domain *d = current_domain();

    if (nr_calls > MULTICALL_MAX)
        return -EINVAL;
    for (unsigned int i = 0; i < nr_calls; i++) {
        if (i && hypercall_preempt_check())
            return continue_from(calls, i, nr_calls);
        struct lam_multicall_entry e;
        guest_ptr_t at = calls + (uint64_t)i * sizeof(e);
        if (copy_from_guest(&e, at, sizeof(e)))
            return -EFAULT;
        long ret;
        if (e.op >= HYPERCALL_TABLE_SIZE || !hypercall_table[e.op].call)
            ret = -ENOSYS;
        else if (e.op == LAM_HYPERCALL_IRET) {
            /* As Xen: the iret happens and ends the batch; the guest resumes in the
             * frame at its stack pointer, with that frame's RAX (also the entry's result). */
            ret = hypercall_table[LAM_HYPERCALL_IRET].call(e.args);
            e.result = (uint64_t)ret;
            copy_to_guest(at + offsetof(struct lam_multicall_entry, result), &e.result,
                          sizeof(e.result));
            return ret;
        } else if (e.op == LAM_HYPERCALL_MULTICALL)
            ret = -EINVAL;
        else if (hypercall_table[e.op].who == HC_WHO_PRIV && !d->is_privileged)
            ret = -EPERM;
        else {
            const uint64_t args[6] = {e.args[0], e.args[1], e.args[2], e.args[3], e.args[4], 0};
            ret = hypercall_table[e.op].call(args);
            unsigned int op;
            uint64_t cont[HC_MAX_ARGS];
            if (hypercall_take_continuation(&op, cont)) {
                /* The entry itself stopped early: it is redone from the rewritten args. */
                e.op = op;
                for (unsigned int a = 0; a < 6; a++)
                    e.args[a] = cont[a];
                if (copy_to_guest(at, &e, sizeof(e)))
                    return -EFAULT;
                return continue_from(calls, i, nr_calls);
            }
        }
        e.result = (uint64_t)ret;
        if (copy_to_guest(at + offsetof(struct lam_multicall_entry, result), &e.result,
                          sizeof(e.result)))
            return -EFAULT;
        if (d->state != DOMAIN_RUNNING)
            break; /* an entry shut the domain down */
    }
    return 0;
}
