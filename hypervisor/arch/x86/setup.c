/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * start_lamina: the boot CPU's path from the loader to the first domain.
 */
#include <hv/bootinfo.h>
#include <hv/cmdline.h>
#include <hv/grant_table.h>
#include <hv/console.h>
#include <asm/cpu.h>
#include <asm/pv/dom_build.h>
#include <hv/kernel_image.h>
#include <hv/lib.h>
#include <asm/mm.h>
#include <hv/panic.h>
#include <asm/pv/mm.h>
#include <hv/sched.h>
#include <hv/spinlock.h>
#include <asm/smp.h>
#include <asm/reboot.h>
#include <asm/time.h>
#include <asm/traps.h>
#include <asm/x86.h>
#include <asm/pic.h>
#include <asm/entry.h>
#include <hv/version.h>
#include <asm/protect.h>
#include <asm/pv/iomem.h>
#include <asm/pv/ioport.h>
#include <asm/acpi.h>
#include <asm/irq.h>

char hv_cmdline[BOOT_CMDLINE_LEN];

static char opt_console[64] = "com1";
static char opt_com1[64];
static char opt_loglvl[32];
static uint64_t opt_dom0_mem;
static uint64_t opt_dom0_max_vcpus = 1;
static char opt_guest_loglvl[32];
static bool opt_dom0_vcpus_pin;
bool opt_idle_scrub = true;

static const struct cmdline_param params[] = {
    {"console", CP_STRING, opt_console, sizeof(opt_console), NULL},
    {"com1", CP_STRING, opt_com1, sizeof(opt_com1), NULL},
    {"loglvl", CP_STRING, opt_loglvl, sizeof(opt_loglvl), NULL},
    {"guest_loglvl", CP_STRING, opt_guest_loglvl, sizeof(opt_guest_loglvl), NULL},
    {"dom0_mem", CP_SIZE, &opt_dom0_mem, sizeof(opt_dom0_mem), NULL},
    {"dom0_max_vcpus", CP_UINT, &opt_dom0_max_vcpus, sizeof(opt_dom0_max_vcpus), NULL},
    {"noreboot", CP_BOOL, &opt_noreboot, sizeof(opt_noreboot), NULL},
    {"gnttab_max_frames", CP_UINT, &opt_gnttab_max_frames, sizeof(opt_gnttab_max_frames), NULL},
    {"gnttab_max_maptrack_frames", CP_UINT, &opt_gnttab_max_maptrack_frames,
     sizeof(opt_gnttab_max_maptrack_frames), NULL},
    {"maxcpus", CP_UINT, &opt_maxcpus, sizeof(opt_maxcpus), NULL},
    {"dom0_vcpus_pin", CP_BOOL, &opt_dom0_vcpus_pin, sizeof(opt_dom0_vcpus_pin), NULL},
    {"smep", CP_BOOL, &opt_smep, sizeof(opt_smep), NULL},
    {"smap", CP_BOOL, &opt_smap, sizeof(opt_smap), NULL},
    {"idle_scrub", CP_BOOL, &opt_idle_scrub, sizeof(opt_idle_scrub), NULL},
};

/* The module string starts with the image's name (as the loader saw it); skip that word. */
static const char *module_args(const char *s)
{
    while (*s && *s != ' ')
        s++;
    while (*s == ' ')
        s++;
    return s;
}

#define DEFAULT_DOM0_MEM (256ull << 20)

/* A boot module whose arguments start with "--domU" is a boot-time unprivileged
 * domain: "--domU [mem=SIZE] [weight=N] [cap=PCT] [vcpus=N] [--] kernel arguments". */
static bool is_domu_module(const struct boot_module *m)
{
    const char *a = module_args(m->cmdline);
    return !strncmp(a, "--domU", 6) && (a[6] == '\0' || a[6] == ' ');
}

#define DEFAULT_DOMU_MEM (32ull << 20)
#define MAX_SCHED_WEIGHT 65535 /* as Xen's credit scheduler */

struct domu_options {
    uint64_t mem;
    unsigned int weight, cap, vcpus;
};

/* A decimal number that ends at a blank or the end of the string. */
static bool decimal_word(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (*s < '0' || *s > '9')
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > 0xffffffffull)
            return false;
    }
    *out = v;
    return *s == '\0' || *s == ' ';
}

/* One "name=value" option at a; false (after logging why) if it is bad. */
static bool domu_option(const char *a, struct domu_options *o, const char *module)
{
    uint64_t v;
    const char *end;
    if (!strncmp(a, "mem=", 4)) {
        if (!size_parse(a + 4, &o->mem, &end) && (*end == '\0' || *end == ' ') &&
            o->mem >= (4ull << 20))
            return true;
    } else if (!strncmp(a, "weight=", 7)) {
        if (decimal_word(a + 7, &v) && v >= 1 && v <= MAX_SCHED_WEIGHT) {
            o->weight = (unsigned int)v;
            return true;
        }
    } else if (!strncmp(a, "cap=", 4)) {
        if (decimal_word(a + 4, &v) && v <= 100) { /* % of one CPU, summed over vCPUs */
            o->cap = (unsigned int)v;
            return true;
        }
    } else if (!strncmp(a, "vcpus=", 6)) {
        if (decimal_word(a + 6, &v) && v >= 1 && v <= MAX_VCPUS) {
            o->vcpus = (unsigned int)v;
            return true;
        }
    }
    int len = 0;
    while (a[len] && a[len] != ' ' && len < 40)
        len++;
    log_printf(LOG_ERR, "boot module '%s': bad value in --domU option '%.*s'", module, len, a);
    return false;
}

static bool is_domu_option_name(const char *a)
{
    static const char *const names[] = {"mem=", "weight=", "cap=", "vcpus="};
    for (unsigned int i = 0; i < ARRAY_SIZE(names); i++)
        if (!strncmp(a, names[i], strlen(names[i])))
            return true;
    return false;
}

/* Options up to the first word that is not one (or "--"): the rest is the kernel's command
 * line, returned; NULL if an option has a bad value (the domain is then not built). */
static const char *domu_options(const char *a, struct domu_options *o, const char *module)
{
    while (*a == ' ')
        a++;
    while (is_domu_option_name(a)) {
        if (!domu_option(a, o, module))
            return NULL;
        while (*a && *a != ' ')
            a++;
        while (*a == ' ')
            a++;
    }
    if (!strncmp(a, "--", 2) && (a[2] == ' ' || a[2] == '\0'))
        a += a[2] ? 3 : 2;
    return a;
}

static void build_boot_domu(const struct boot_module *m, domid_t id)
{
    struct domu_options o = {.mem = DEFAULT_DOMU_MEM, .weight = SCHED_DEFAULT_WEIGHT, .vcpus = 1};
    const char *a = domu_options(module_args(m->cmdline) + 6, &o, m->cmdline);
    if (!a) {
        log_printf(LOG_ERR, "boot domain d%u: not built", id);
        return;
    }
    struct kernel_image img;
    if (kernel_image_open(&img, __va(m->start), m->end - m->start)) {
        log_printf(LOG_ERR, "boot domain d%u: module '%s' cannot be loaded", id, m->cmdline);
        return;
    }
    struct dom_build_args args = {
        .kernel = img.elf,
        .kernel_len = img.elf_len,
        .cmdline = a,
        .nr_pages = o.mem >> PAGE_SHIFT,
        .privileged = false,
        .max_vcpus = o.vcpus,
    };
    struct domain *d = dom_build(id, &args);
    kernel_image_close(&img);
    if (!d) {
        log_printf(LOG_ERR, "boot domain d%u: build failed; continuing without it", id);
        return;
    }
    d->weight = o.weight;
    d->cap = o.cap;
    d->state = DOMAIN_RUNNING;
    arch_vcpu_update_time(d->vcpus[0]);
    sched_request();
    printk("boot domain d%u started from '%s' (weight %u, cap %u%%, %u vCPU(s))", id, m->cmdline,
           o.weight, o.cap, o.vcpus);
}

static void build_boot_domus(void)
{
    domid_t next = 1;
    for (unsigned int i = 1; i < boot_info.nr_modules && next < MAX_DOMAINS; i++)
        if (is_domu_module(&boot_info.modules[i]))
            build_boot_domu(&boot_info.modules[i], next++);
}

static struct domain *build_first_domain(void)
{
    if (boot_info.nr_modules == 0)
        panic("no dom0 kernel: pass the kernel as the first multiboot module "
              "(QEMU: -initrd \"<kernel> <args>\")");
    const struct boot_module *k = &boot_info.modules[0];
    const struct boot_module *rd =
        boot_info.nr_modules > 1 && !is_domu_module(&boot_info.modules[1]) ? &boot_info.modules[1]
                                                                           : NULL;

    uint64_t free_bytes = heap_free_frames() << PAGE_SHIFT;
    uint64_t mem = opt_dom0_mem ? opt_dom0_mem : MIN(DEFAULT_DOM0_MEM, free_bytes / 2);
    /* Keep some memory for the hypervisor's own allocations. */
    uint64_t reserve = 8ull << 20;
    if (mem + reserve > free_bytes) {
        log_printf(LOG_WARN, "dom0_mem=%luM is more than is free; using %luM",
                   (unsigned long)(mem >> 20), (unsigned long)((free_bytes - reserve) >> 20));
        mem = free_bytes - reserve;
    }
    unsigned int dom0_vcpus = 1;
    if (opt_dom0_max_vcpus > 1)
        dom0_vcpus = opt_dom0_max_vcpus > MAX_VCPUS ? MAX_VCPUS : (unsigned int)opt_dom0_max_vcpus;
    struct kernel_image img;
    if (kernel_image_open(&img, __va(k->start), k->end - k->start))
        panic("dom0 kernel '%s' cannot be loaded", k->cmdline);
    struct dom_build_args args = {
        .kernel = img.elf,
        .kernel_len = img.elf_len,
        .initrd = rd ? __va(rd->start) : NULL,
        .initrd_len = rd ? rd->end - rd->start : 0,
        .cmdline = module_args(k->cmdline),
        .nr_pages = mem >> PAGE_SHIFT,
        .privileged = true,
        .max_vcpus = dom0_vcpus,
    };
    struct domain *d = dom_build(0, &args);
    kernel_image_close(&img);
    if (!d)
        panic("could not build dom0 from module '%s'", k->cmdline);
    /* dom0_vcpus_pin (Xen's option): vCPU n may only run on physical CPU n (mod the count). */
    for (unsigned int i = 0; opt_dom0_vcpus_pin && i < d->max_vcpus; i++)
        if (d->vcpus[i])
            sched_set_affinity(d->vcpus[i], cpumask_of(i % nr_cpus_online));
    return d;
}

/* dom0 becomes runnable; this CPU joins the others in the scheduler, which
 * loads dom0's first vCPU (or a boot domain's) wherever a CPU is free. */
static _Noreturn void run_first_vcpu(struct vcpu *v)
{
    v->domain->state = DOMAIN_RUNNING;
    arch_vcpu_update_time(v);
    for (unsigned int i = 0; i < MAX_DOMAINS; i++)
        if (domain_list[i])
            sched_domain_changed(domain_list[i]);
    sched_idle_loop();
}

void start_lamina(uint32_t magic, uint64_t info_pa)
{
    struct cpu_info *ci = get_cpu_info();
    memset(ci, 0, sizeof(*ci));

    console_init();
    if (multiboot_parse(magic, info_pa))
        panic("unknown boot loader magic %#x: boot Lamina with multiboot 1 or 2", magic);
    /* Multiboot 1 loaders (QEMU, GRUB legacy) put the image name first, as for modules. */
    const char *cl = magic == MB1_BOOT_MAGIC ? module_args(boot_info.cmdline) : boot_info.cmdline;
    memcpy(hv_cmdline, cl, strnlen(cl, sizeof(hv_cmdline) - 1));
    int unknown = cmdline_parse(hv_cmdline, params, ARRAY_SIZE(params));
    console_configure(opt_console, opt_loglvl);

    printk("Lamina hypervisor (Xen %d.%d PV ABI), loader '%s'", LAMINA_ABI_MAJOR, LAMINA_ABI_MINOR,
           boot_info.loader);
    printk("Command line: %s", hv_cmdline);
    lock_debug_init(); /* the lock-debug image says so */
    if (unknown)
        log_printf(LOG_DEBUG, "%d command-line parameter(s) not used by Lamina", unknown);
    for (unsigned int i = 0; i < boot_info.nr_ranges; i++)
        printk(" e820 %016lx - %016lx type %u", (unsigned long)boot_info.ranges[i].addr,
               (unsigned long)(boot_info.ranges[i].addr + boot_info.ranges[i].len),
               boot_info.ranges[i].type);
    for (unsigned int i = 0; i < boot_info.nr_modules; i++)
        printk(" module %u: %#lx-%#lx '%s'", i, (unsigned long)boot_info.modules[i].start,
               (unsigned long)boot_info.modules[i].end, boot_info.modules[i].cmdline);

    mm_init();
    m2p_init();
    pic_disable();
    cpu_init_boot();
    cpu_load_tables(ci);
    debug_ist_selftest();
    protect_selftest();
    time_init();
    apic_timer_init();
    timers_init();
    sched_init();
    smp_boot_secondaries();

    struct acpi_devices dev;
    acpi_find_devices(&dev);
    irq_init(&dev);
    ioport_setup(&dev);
    iomem_setup();
    struct domain *d0 = build_first_domain();
    build_boot_domus();
    printk("*** Serial input to DOM0 (type 'CTRL-a' three times to switch input to Lamina's "
           "debug keys, 'h' for help)");
    run_first_vcpu(d0->vcpus[0]);
}
