# SPDX-License-Identifier: GPL-2.0-only
# fpu-ts-hypervisor: the hypervisor's own FPU instructions while the guest's CR0.TS is set
GUEST_TESTS += fpu-ts-hypervisor
fpu-ts-hypervisor_LIBS := mm_util vcpu_start
fpu-ts-hypervisor_HV_ARGS := dom0_max_vcpus=2
