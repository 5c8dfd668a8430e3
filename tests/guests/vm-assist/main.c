/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vm_assist (21) as Linux uses it: enabling types 0, 2, 3 and 5 succeeds and
 * type 5 can be disabled again; an unknown type is -EINVAL and an unknown
 * command -ENOSYS. Also sched_op yield and sched_op_compat yield return 0.
 */
#include <lamina/errno.h>
#include <lamina/sched.h>
#include <lamina/vm_assist.h>

#include "lam.h"

const char lam_test_title[] = "vm_assist and sched_op yield";

void test_main(void)
{
    static const unsigned types[] = {
        LAM_VMASST_TYPE_4gb_segments, LAM_VMASST_TYPE_writable_pagetables,
        LAM_VMASST_TYPE_pae_extended_cr3, LAM_VMASST_TYPE_runstate_update_flag};
    for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        long rc = hypercall_vm_assist(LAM_VMASST_CMD_enable, types[i]);
        lam_printf("vm_assist(enable, %u) = %ld\n", types[i], rc);
        LAM_CHECK(rc == 0, "vm_assist(enable, %u) returned %ld", types[i], rc);
    }
    long rc = hypercall_vm_assist(LAM_VMASST_CMD_disable, LAM_VMASST_TYPE_runstate_update_flag);
    LAM_CHECK(rc == 0, "vm_assist(disable, runstate_update_flag) returned %ld", rc);

    rc = hypercall_vm_assist(LAM_VMASST_CMD_enable, 30);
    lam_printf("vm_assist(enable, 30) = %ld\n", rc);
    LAM_CHECK(rc == -LAM_EINVAL, "vm_assist(enable, 30) returned %ld, expected -EINVAL", rc);
    rc = hypercall_vm_assist(7, LAM_VMASST_TYPE_writable_pagetables);
    lam_printf("vm_assist(7, 2) = %ld\n", rc);
    LAM_CHECK(rc == -LAM_ENOSYS, "vm_assist(cmd 7) returned %ld, expected -ENOSYS", rc);

    rc = hypercall_sched_op(LAM_SCHEDOP_yield, NULL);
    LAM_CHECK(rc == 0, "sched_op(yield) returned %ld", rc);
    rc = hypercall_sched_op_compat(LAM_SCHEDOP_yield, 0);
    LAM_CHECK(rc == 0, "sched_op_compat(yield) returned %ld", rc);
    rc = hypercall_sched_op(0x7fff, NULL);
    LAM_CHECK(rc == -LAM_ENOSYS, "sched_op(unknown) returned %ld, expected -ENOSYS", rc);
}
