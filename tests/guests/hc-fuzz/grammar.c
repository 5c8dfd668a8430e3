/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The grammar's top level: which production a step uses, by weight. Page
 * tables, grants and memory get the most weight: that is where PV guests have
 * broken hypervisors before (docs/security-hcfuzz.md).
 */
#include "env.h"

const struct hcf_production hcf_grammar[] = {
    {"mmu_update", 10, hcf_gen_mmu_update},
    {"mmuext_op", 10, hcf_gen_mmuext_op},
    {"update_va_mapping", 8, hcf_gen_update_va_mapping},
    {"update_va_mapping_otherdomain", 1, hcf_gen_uvm_otherdomain},
    {"memory_op", 6, hcf_gen_memory_op},
    {"grant_entry", 4, hcf_gen_grant_entry},
    {"grant_table_op", 8, hcf_gen_grant_table_op},
    {"event_channel_op", 6, hcf_gen_event_channel_op},
    {"event_channel_op_compat", 1, hcf_gen_event_channel_op_compat},
    {"vcpu_op", 5, hcf_gen_vcpu_op},
    {"sched_op", 3, hcf_gen_sched_op},
    {"sched_op_compat", 1, hcf_gen_sched_op_compat},
    {"set_timer_op", 1, hcf_gen_set_timer_op},
    {"set_trap_table", 1, hcf_gen_set_trap_table},
    {"set_gdt", 2, hcf_gen_set_gdt},
    {"update_descriptor", 3, hcf_gen_update_descriptor},
    {"stack_switch", 1, hcf_gen_stack_switch},
    {"set_callbacks", 1, hcf_gen_set_callbacks},
    {"callback_op", 1, hcf_gen_callback_op},
    {"set_segment_base", 2, hcf_gen_set_segment_base},
    {"debugreg", 2, hcf_gen_debugreg},
    {"fpu_taskswitch", 1, hcf_gen_fpu_taskswitch},
    {"iret", 2, hcf_gen_iret},
    {"xen_version", 2, hcf_gen_xen_version},
    {"console_io", 1, hcf_gen_console_io},
    {"vm_assist", 1, hcf_gen_vm_assist},
    {"physdev_op", 2, hcf_gen_physdev_op},
    {"physdev_op_compat", 1, hcf_gen_physdev_op_compat},
    {"platform_op", 1, hcf_gen_platform_op},
    {"domctl", 2, hcf_gen_domctl},
    {"multicall", 4, hcf_gen_multicall},
    {"generic", 3, hcf_gen_generic},
    {"touch", 5, hcf_gen_touch},
    {"privop", 3, hcf_gen_privop},
};
const unsigned int hcf_grammar_len = sizeof(hcf_grammar) / sizeof(hcf_grammar[0]);

static unsigned int total_weight(void)
{
    unsigned int t = 0;
    for (unsigned int i = 0; i < hcf_grammar_len; i++)
        t += hcf_grammar[i].weight;
    return t;
}

static const struct hcf_production *pick(struct hcf_worker *w)
{
    unsigned int r = (unsigned int)hcf_below(w, total_weight());
    for (unsigned int i = 0; i < hcf_grammar_len; i++) {
        if (r < hcf_grammar[i].weight)
            return &hcf_grammar[i];
        r -= hcf_grammar[i].weight;
    }
    return &hcf_grammar[0];
}

void hcf_generate(struct hcf_worker *w, struct hcf_call *c)
{
    const struct hcf_production *p = pick(w);
    c->name = p->name;
    p->gen(w, c);
}

/* A multicall entry: a hypercall production that neither sleeps nor returns elsewhere. */
void hcf_gen_simple(struct hcf_worker *w, struct hcf_call *c)
{
    const struct hcf_production *p = pick(w);
    if (p->gen == hcf_gen_multicall || p->gen == hcf_gen_iret || p->gen == hcf_gen_sched_op ||
        p->gen == hcf_gen_sched_op_compat || p->gen == hcf_gen_touch || p->gen == hcf_gen_privop ||
        p->gen == hcf_gen_grant_entry)
        p = &hcf_grammar[hcf_below(w, 5)]; /* page tables and memory instead */
    c->name = p->name;
    p->gen(w, c);
}
