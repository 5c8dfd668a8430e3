# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += evtchn-vcpus
evtchn-vcpus_LIBS := mm_util vcpu_start
evtchn-vcpus_HV_ARGS := dom0_max_vcpus=2
