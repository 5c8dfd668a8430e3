/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Debug keys on the serial console (as Xen's): a key typed on the hypervisor
 * console dumps state. 'h' lists them.
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/lib.h>
#include <hv/event.h>
#include <asm/mm.h>
#include <asm/x86.h>
#include <asm/irqflags.h>
#include <asm/pv/mm.h>
#include <hv/sched.h>
#include <asm/traps.h>
#include <lamina/event_channel.h>

static void dump_domains(void)
{
    static const char *const states[] = {"running", "paused", "shutdown", "dying"};
    for (unsigned int i = 0; i < MAX_DOMAINS; i++) {
        struct domain *d = domain_get(i);
        if (!d)
            continue;
        printk("d%u %s: %s%s, %lu pages (max %lu), %u vCPU(s)%s", d->domain_id, d->name,
               states[d->state],
               d->state == DOMAIN_SHUTDOWN ? shutdown_reason_name(d->shutdown_reason) : "",
               d->tot_pages, d->max_pages, d->max_vcpus, d->is_privileged ? ", privileged" : "");
        for (unsigned int j = 0; j < d->max_vcpus; j++) {
            struct vcpu *v = d->vcpus[j];
            if (!v)
                continue;
            printk("  v%u: %s mode, rip %#lx rsp %#lx, %s, upcall pending %u mask %u", j,
                   v->kernel_mode ? "kernel" : "user", (unsigned long)v->regs.rip,
                   (unsigned long)v->regs.rsp, v->blocked ? "blocked" : "runnable",
                   v->vcpu_info->evtchn_upcall_pending, v->vcpu_info->evtchn_upcall_mask);
        }
        domain_put(d);
    }
}

static void dump_memory(void)
{
    printk("memory: %lu of %lu heap frames free (%lu KiB), max_mfn %#lx",
           (unsigned long)heap_free_frames(), (unsigned long)heap_total_frames(),
           (unsigned long)heap_free_frames() * 4, (unsigned long)max_mfn);
}

static void dump_registers(void)
{
    show_registers(guest_cpu_regs());
}

static void audit_all(void)
{
    for (unsigned int i = 0; i < MAX_DOMAINS; i++) {
        struct domain *d = domain_get(i);
        if (d) {
            audit_domain_frames(d, true);
            domain_put(d);
        }
    }
}

/* Every open event channel of every domain, with its pending and mask bits. */
static void dump_evtchns(void)
{
    static const char *const states[] = {"free", "unbound", "interdomain", "pirq",
                                         "virq", "ipi",     "reserved"};
    for (unsigned int i = 0; i < MAX_DOMAINS; i++) {
        struct domain *d = domain_get(i);
        if (!d)
            continue;
        for (uint32_t p = 1; p < d->max_evtchns; p++) {
            const struct evtchn *c = &d->evtchn[p];
            if (c->state == ECS_FREE)
                continue;
            bool pend = (d->shared_info->evtchn_pending[p / 64] >> (p % 64)) & 1;
            bool mask = (d->shared_info->evtchn_mask[p / 64] >> (p % 64)) & 1;
            printk("d%u port %u: %s vcpu %u%s%s", d->domain_id, p, states[c->state], c->notify_vcpu,
                   pend ? " pending" : "", mask ? " masked" : "");
        }
        for (unsigned int j = 0; j < d->max_vcpus; j++) {
            struct vcpu *v = d->vcpus[j];
            if (v)
                printk("d%uv%u: sel %#lx upcall pending %u mask %u, %s%s, poll_nr %u, "
                       "%s CPU %u, affinity %#lx",
                       d->domain_id, j, (unsigned long)v->vcpu_info->evtchn_pending_sel,
                       v->vcpu_info->evtchn_upcall_pending, v->vcpu_info->evtchn_upcall_mask,
                       v->online ? "online" : "offline", v->blocked ? " blocked" : "", v->poll_nr,
                       v->is_running ? "loaded on" : "last on", v->processor,
                       (unsigned long)v->affinity);
        }
        domain_put(d);
    }
}

static void show_help(void);

static const struct {
    char key;
    void (*fn)(void);
    const char *what;
    /* Takes locks that code runs with interrupts on under (mm_lock, the allocators): run
     * from the next exit to a guest, with interrupts on, not from the timer interrupt that
     * polls the serial port, which may have interrupted this CPU holding one of them. */
    bool deferred;
} keys[] = {
    {'h', show_help, "show this list", false},
    {'d', dump_registers, "dump the guest registers saved on this CPU", false},
    {'q', dump_domains, "dump domains and vCPUs", false},
    {'m', dump_memory, "dump memory allocator state", false},
    {'a', audit_all, "audit every domain's frame reference counts", true},
    {'e', dump_evtchns, "dump event channels and vCPU event state", false},
    {'r', sched_dump, "dump each CPU's run queue with credits", false},
};

uint64_t deferred_keys; /* bit i: keys[i] waits for an exit to a guest */
_Static_assert(ARRAY_SIZE(keys) <= 64, "one bit per key");

void keyhandler_run_deferred(void)
{
    uint64_t pending = __atomic_exchange_n(&deferred_keys, 0, __ATOMIC_ACQ_REL);
    if (!pending)
        return;
    local_irq_enable(); /* as in a hypercall: mm_lock is taken with interrupts on */
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
        if (pending >> i & 1)
            keys[i].fn();
    local_irq_disable();
}

static void show_help(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
        printk(" '%c' %s", keys[i].key, keys[i].what);
}

/*
 * Serial input goes to dom0's console (console_io read, VIRQ_CONSOLE) or to
 * the debug keys; three Ctrl-A in a row switch between them, as on Xen.
 */
#define CTRL_A     0x01
#define INPUT_RING 1024

static bool input_to_dom0 = true;
static unsigned int ctrl_a_count;
static char input_ring[INPUT_RING];
static unsigned int input_head, input_tail; /* head: next write; tail: next read */

size_t console_input_read(char *buf, size_t len)
{
    size_t n = 0;
    unsigned long flags = local_irq_save();
    while (n < len && input_tail != input_head) {
        buf[n++] = input_ring[input_tail % INPUT_RING];
        input_tail++;
    }
    local_irq_restore(flags);
    return n;
}

static void handle_key(int c)
{
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
        if (keys[i].key == c) {
            printk("'%c' pressed -> %s", c, keys[i].what);
            if (keys[i].deferred)
                __atomic_or_fetch(&deferred_keys, 1ull << i, __ATOMIC_RELEASE);
            else
                keys[i].fn();
        }
}

void keyhandler_poll(void)
{
    int c;
    bool to_dom0 = false;
    while ((c = console_getc()) >= 0) {
        if (c == CTRL_A && ++ctrl_a_count == 3) {
            ctrl_a_count = 0;
            input_to_dom0 = !input_to_dom0 && domain_list[0];
            printk("*** Serial input to %s (type 'CTRL-a' three times to switch input)",
                   input_to_dom0 ? "DOM0" : "Lamina");
            continue;
        }
        if (c != CTRL_A)
            ctrl_a_count = 0;
        if (input_to_dom0 && domain_list[0]) {
            if (input_head - input_tail < INPUT_RING)
                input_ring[input_head++ % INPUT_RING] = (char)c;
            to_dom0 = true;
        } else {
            handle_key(c);
        }
    }
    if (to_dom0)
        send_global_virq(domain_list[0], LAM_VIRQ_CONSOLE);
}
