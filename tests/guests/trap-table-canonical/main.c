/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest entry points that are not canonical. Xen 4.17's set_trap_table
 * copies entries one by one until an address of 0 and refuses a non-canonical address with
 * -EINVAL, keeping the entries before it and dropping the rest; there is no limit on how
 * many entries a table has (a long one is preempted and continued). A bounce to a
 * non-canonical handler would otherwise make the exit to the guest fault in the hypervisor
 * (trap 0x80 with such an address, then int $0x80, panicked Lamina). stack_switch takes any
 * stack pointer, as on Xen (a bad one crashes the domain at the next switch from user mode).
 */
#include <lamina/traps.h>

#include "lam.h"

const char lam_test_title[] = "trap table and stack addresses that are not canonical";

#define NONCANON  0x0000800000000000ull
#define NONCANON2 0xfff0000000001000ull

static volatile int marks;
void mark_int3(void);
/* An int3 handler that counts and returns (RSP at the RCX slot of the bounce frame). */
__asm__(".text\n.globl mark_int3\nmark_int3:\n"
        "  pop %rcx\n  pop %r11\n"
        "  lock incl marks(%rip)\n"
        "  push $0\n  push %rcx\n  push %r11\n  push %rax\n"
        "  mov $23, %eax\n  syscall\n  ud2\n");

#define TABLE_MAX 300
static struct lam_trap_info table[TABLE_MAX + 1];

static void entry(unsigned int i, uint8_t vector, uint64_t address)
{
    table[i] = (struct lam_trap_info){
        .vector = vector, .flags = 3, .cs = LAM_FLAT_KERNEL_CS, .address = address};
}

static int int3_marks(void)
{
    int before = marks;
    __asm__ volatile("int3" ::: "memory");
    return marks - before;
}

/* int $0x80 with no usable entry: #GP((0x80 << 3) | 2), caught through the exception table. */
static int int80_gp(void)
{
    lam_exception_reset();
    __asm__ volatile("1: int $0x80\n2:\n" LAM_ASM_EXTABLE(1b, 2b)::: "memory");
    return lam_last_exception.seen && lam_last_exception.vector == 13 &&
           lam_last_exception.error_code == ((0x80 << 3) | 2);
}

static void expect(const char *what, long got, long want)
{
    lam_printf("%s: %ld\n", what, got);
    LAM_CHECK(got == want, "%s: %ld, expected %ld", what, got, want);
}

void test_main(void)
{
    uint64_t mark = (uint64_t)(uintptr_t)mark_int3;

    /* The int3 entry first, then a non-canonical one: -EINVAL, the first one kept. */
    memset(table, 0, sizeof(table));
    entry(0, 3, mark);
    entry(1, 6, NONCANON);
    expect("set_trap_table: int3, then #UD at 0x0000800000000000", hypercall_set_trap_table(table),
           -22);
    expect("int3 reaches the entry before the bad one", int3_marks(), 1);
    lam_install_trap_table();

    memset(table, 0, sizeof(table));
    entry(0, 0x80, NONCANON);
    entry(1, 3, mark);
    expect("set_trap_table: 0x80 at 0x0000800000000000, then int3", hypercall_set_trap_table(table),
           -22);
    expect("int $0x80 after it: #GP(0x402)", int80_gp(), 1);
    expect("int3 after it: the framework's handler, not the entry after the bad one", int3_marks(),
           0);
    LAM_CHECK(lam_last_exception.vector == 3, "int3 went to the framework's handler");

    memset(table, 0, sizeof(table));
    entry(0, 0x80, NONCANON2);
    expect("set_trap_table: 0x80 at 0xfff0000000001000", hypercall_set_trap_table(table), -22);
    expect("int $0x80 after it: #GP(0x402)", int80_gp(), 1);

    /* 300 entries (Lamina stopped at 256): all taken, and a bad 290th is refused. */
    lam_install_trap_table();
    memset(table, 0, sizeof(table));
    for (unsigned int i = 0; i < TABLE_MAX; i++)
        entry(i, 0x40, mark);
    entry(TABLE_MAX - 1, 3, mark);
    expect("set_trap_table: 300 entries, the last int3", hypercall_set_trap_table(table), 0);
    expect("int3 reaches the 300th entry", int3_marks(), 1);
    lam_install_trap_table();
    entry(TABLE_MAX - 1, 0x40, mark);
    entry(289, 0x41, NONCANON);
    expect("set_trap_table: 300 entries, the 290th not canonical", hypercall_set_trap_table(table),
           -22);
    lam_install_trap_table();
    LAM_CHECK(int3_marks() == 0, "the framework's int3 handler is back");

    /* stack_switch checks nothing (the stack is only used when user mode is left). */
    expect("stack_switch to 0x0000800000000000",
           hypercall_stack_switch(LAM_FLAT_KERNEL_SS, NONCANON), 0);
    expect("stack_switch with SS 0", hypercall_stack_switch(0, 0x1000), 0);
    uint64_t good[1] __attribute__((aligned(16)));
    expect("stack_switch back", hypercall_stack_switch(LAM_FLAT_KERNEL_SS, (uintptr_t)(good + 1)),
           0);
}
