/*
 * Debug keys on the serial console (as Xen's): a key typed on the hypervisor
 * console dumps state. 'h' lists them.
 */
#include "console.h"
#include "domain.h"
#include "lib.h"
#include "mm.h"
#include "pv_mm.h"
#include "traps.h"

const char *shutdown_reason_name(unsigned int reason);

static void dump_domains(void)
{
    static const char *const states[] = {"running", "paused", "shutdown", "dying"};
    for (unsigned int i = 0; i < MAX_DOMAINS; i++) {
        struct domain *d = domain_list[i];
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
    for (unsigned int i = 0; i < MAX_DOMAINS; i++)
        if (domain_list[i])
            audit_domain_frames(domain_list[i], true);
}

static void show_help(void);

static const struct {
    char key;
    void (*fn)(void);
    const char *what;
} keys[] = {
    {'h', show_help, "show this list"},
    {'d', dump_registers, "dump the guest registers saved on this CPU"},
    {'q', dump_domains, "dump domains and vCPUs"},
    {'m', dump_memory, "dump memory allocator state"},
    {'a', audit_all, "audit every domain's frame reference counts"},
};

static void show_help(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
        printk(" '%c' %s", keys[i].key, keys[i].what);
}

void keyhandler_poll(void)
{
    int c;
    while ((c = console_getc()) >= 0) {
        for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
            if (keys[i].key == c) {
                printk("'%c' pressed -> %s", c, keys[i].what);
                keys[i].fn();
            }
    }
}
