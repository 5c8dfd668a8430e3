# SPDX-License-Identifier: GPL-2.0-only
# The compiler flags of every hypervisor source file, shared by the hypervisor
# build (hypervisor/Makefile) and by the host tests that compile the same files
# freestanding (tests/unit/hypervisor/Makefile), so the two can never drift.
# Include with HV_ROOT set to the hypervisor/ directory and GEN to build/gen.

HV_CC ?= gcc

# Where the private headers live: <hv/...> generic, <asm/...> x86, <lamina/...>
# the public ABI, and the generated headers (<lamina/hypercall-numbers.h>,
# <hypervisor/hypercall-handlers.h>, <asm/asm-offsets.h>).
HV_INCLUDES := -I$(HV_ROOT)/include -I$(HV_ROOT)/arch/x86/include \
               -I$(HV_ROOT)/../hypercall-abi -I$(GEN)

HV_WARN := -std=c11 -Wall -Wextra -Werror -Wmissing-prototypes -Wmissing-declarations

# Freestanding, no red zone (interrupts use the same stack), no SSE in the
# hypervisor (guest FPU state is the guest's), position independent code so the
# image can live at 0xffff82d040000000, outside the top 2 GiB.
HV_CFLAGS := $(HV_WARN) -O2 -g -ffreestanding -nostdinc \
             -isystem $(shell $(HV_CC) -print-file-name=include) \
             -fno-stack-protector -fno-builtin -mno-red-zone -mno-sse -mno-sse2 -mno-mmx \
             -mno-avx -fpie -fvisibility=hidden -fno-omit-frame-pointer \
             -fno-asynchronous-unwind-tables -fcf-protection=none -fno-jump-tables \
             $(HV_INCLUDES)
HV_ASFLAGS := -D__ASSEMBLER__ $(HV_INCLUDES)
