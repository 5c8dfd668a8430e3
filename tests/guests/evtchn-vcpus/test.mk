# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += evtchn-vcpus
evtchn-vcpus_LIBS := mm_util vcpu_start
