# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += vcpu-up
vcpu-up_LIBS := mm_util vcpu_start
vcpu-up_HV_ARGS := dom0_max_vcpus=2
