# SPDX-License-Identifier: GPL-2.0-only
# cpuid-policy: the CPUID leaves and MSRs a PV guest is shown, each compared with Xen 4.17
GUEST_TESTS += cpuid-policy
# QEMU's default model, the widest (-cpu max: PKU, SMAP, UMIP, LA57, ...), an Intel server
# (PKU; Xen's GDS/CLWB rules apply) and an AMD one (Zen 3: PKU).
cpuid-policy_QEMU_CPU := qemu64 max Skylake-Server-v4 EPYC-Milan
# Every leaf, MSR read and MSR write printed on a "cmp" line must be the same on both.
cpuid-policy_COMPARE := ^cmp [a-z]
