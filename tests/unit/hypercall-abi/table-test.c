/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host test of the generated dispatch table: builds the generated
 * hypercall-table.c against stand-in integrator headers, defines a few
 * handlers, and checks numbers, names, argument counts, privilege, argument
 * casts and the -ENOSYS path of handlers that are not defined.
 * Prints one "PASS|FAIL table:<case>" line per case.
 */
#include <stdio.h>
#include <string.h>

#include <hv/hypercall-dispatch.h>
#include <hypervisor/hypercall-handlers.h>
#include <lamina/hypercall.h>
#include <lamina/errno.h>

static int last_cmd;
static guest_ptr_t last_ptr;

long hc_xen_version(int cmd, guest_ptr_t arg)
{
    last_cmd = cmd;
    last_ptr = arg;
    return 0x40011;
}

long hc_update_va_mapping_otherdomain(unsigned long va, uint64_t pte, unsigned long flags,
                                      domid_t domid)
{
    return (long)(va + pte + flags) + domid;
}

long hc_iret(void)
{
    return 7;
}

static int failures;

static void check(int ok, const char *name)
{
    printf("%s table:%s\n", ok ? "PASS" : "FAIL", name);
    if (!ok)
        failures++;
}

static int slot_is(int nr, const char *name, unsigned nargs, unsigned who)
{
    const struct hypercall_desc *d = &hypercall_table[nr];
    return d->call && d->name && strcmp(d->name, name) == 0 && d->nargs == nargs && d->who == who;
}

int main(void)
{
    uint64_t args[6] = {0};

    check(LAM_HYPERCALL_XEN_VERSION == 17 && LAM_HYPERCALL_CONSOLE_IO == 18 &&
              LAM_HYPERCALL_IRET == 23 && LAM_HYPERCALL_SCHED_OP == 29 &&
              LAM_HYPERCALL_EVENT_CHANNEL_OP == 32 && LAM_HYPERCALL_HYPFS_OP == 42 &&
              LAM_HYPERCALL_MAX == 42,
          "numbers-match-xen");
    check(slot_is(17, "xen_version", 2, HC_WHO_ANY) && slot_is(1, "mmu_update", 4, HC_WHO_ANY) &&
              slot_is(7, "platform_op", 1, HC_WHO_PRIV) && slot_is(23, "iret", 0, HC_WHO_ANY) &&
              /* domctl checks privilege itself, after the version and domain (Xen's order) */
              slot_is(36, "domctl", 1, HC_WHO_ANY),
          "descriptors");

    int empty_ok = 1;
    for (int nr = 0; nr < HYPERCALL_TABLE_SIZE; nr++) {
        int listed = nr <= 42 && nr != 11;
        if (listed != (hypercall_table[nr].call != NULL))
            empty_ok = 0;
    }
    check(empty_ok, "unlisted-slots-null");

    /* int argument: the low 32 bits of the register, sign-extended. */
    args[0] = 0xffffffff00000006ULL;
    args[1] = 0xffff800000001000ULL;
    long r = hypercall_table[17].call(args);
    check(r == 0x40011 && last_cmd == 6 && last_ptr == 0xffff800000001000ULL, "int-and-ptr-args");
    args[0] = 0xfffffffffffffffeULL;
    hypercall_table[17].call(args);
    check(last_cmd == -2, "int-sign");

    /* domid argument truncates to 16 bits. */
    args[0] = 1;
    args[1] = 2;
    args[2] = 3;
    args[3] = 0x12340005ULL;
    check(hypercall_table[22].call(args) == 1 + 2 + 3 + 5, "domid-truncation");

    check(hypercall_table[23].call(args) == 7, "no-arg-handler");
    check(hypercall_table[1].call(args) == -LAM_ENOSYS, "missing-handler-enosys");
    check(hypercall_table[42].call(args) == -LAM_ENOSYS, "missing-handler-enosys-last");
    return failures != 0;
}
