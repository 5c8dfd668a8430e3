# SPDX-License-Identifier: GPL-2.0-only
# segsel-notpresent: loading a not-present segment selector in the hypervisor
GUEST_TESTS += segsel-notpresent
segsel-notpresent_LIBS := mm_util vcpu_start callbacks
segsel-notpresent_HV_ARGS := dom0_max_vcpus=2
