/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Debug registers: the hardware accessors and a PV vCPU's virtual DR0-DR3, DR6 and DR7
 * (pv/debugreg.c). A vCPU's breakpoints are live on the CPU only while it runs and has one
 * enabled in DR7 (loaded lazily at each switch, as Xen does), so they fire in the hypervisor
 * too while it works for that vCPU (debug.c ignores those hits, as Xen 4.17).
 */
#ifndef LAMINA_ASM_DEBUGREG_H
#define LAMINA_ASM_DEBUGREG_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

#define DR6_DEFAULT    0xffff0ff0ull /* DR6 with no condition recorded */
#define DR6_BP_MASK    0xfull        /* B0-B3: which breakpoint fired */
#define DR6_BD         (1ull << 13)  /* general detect */
#define DR6_BS         (1ull << 14)  /* single step */
#define DR7_DEFAULT    0x400ull      /* DR7 with nothing enabled (bit 10 reads as 1) */
#define DR7_ACTIVE     0xffull       /* L0-L3, G0-G3 */
#define DR7_GD         (1ull << 13)  /* general detect enable */
#define DR7_RW_SHIFT   16            /* R/W0 at bits 16-17, LEN0 at 18-19, then every 4 */
#define DR7_RW_EXECUTE 0u
#define DR7_RW_IO      2u

uint64_t read_debugreg(unsigned int reg);
void write_debugreg(unsigned int reg, uint64_t value);

/* A new vCPU's debug registers: nothing enabled. */
void pv_debugreg_init(struct vcpu *v);
/* set_debugreg for v (the running vCPU, or one being initialised): 0 or -errno as Xen. */
long pv_set_debugreg(struct vcpu *v, int reg, uint64_t value);
/* Context switch: take prev's breakpoints off this CPU, put next's on. */
void pv_debugreg_switch_from(const struct vcpu *prev);
void pv_debugreg_switch_to(const struct vcpu *next);
/* A #DB raised by the guest running v, with the DR6 the CPU reported: recorded in v's DR6. */
void pv_debugreg_record(struct vcpu *v, uint64_t dr6);

#endif
