# SPDX-License-Identifier: GPL-2.0-only
# xcr0-lower: lowering XCR0 below a saved XSAVE image
GUEST_TESTS += xcr0-lower
xcr0-lower_LIBS := mm_util vcpu_start
xcr0-lower_HV_ARGS := dom0_max_vcpus=2
