# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += evtchn-ops
evtchn-ops_LIBS := callbacks
evtchn-ops_HV_ARGS := dom0_max_vcpus=2
