# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += failsafe
failsafe_LIBS := mm_util vcpu_start callbacks
failsafe_HV_ARGS := dom0_max_vcpus=2
