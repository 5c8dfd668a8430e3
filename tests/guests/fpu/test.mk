# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += fpu
fpu_LIBS := mm_util vcpu_start
fpu_HV_ARGS := dom0_max_vcpus=2
