# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += segbase-canonical
segbase-canonical_LIBS := mm_util vcpu_start
segbase-canonical_HV_ARGS := dom0_max_vcpus=3
