# SPDX-License-Identifier: GPL-2.0-only
# vcpu-init-bad: VCPUOP_initialise with bad addresses and selectors
GUEST_TESTS += vcpu-init-bad
vcpu-init-bad_LIBS := mm_util vcpu_start
vcpu-init-bad_HV_ARGS := dom0_max_vcpus=4
