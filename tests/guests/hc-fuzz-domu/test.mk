# SPDX-License-Identifier: GPL-2.0-only
# hc-fuzz-domu: the hypercall fuzzer as an unprivileged boot-time domU; dom0 watches
GUEST_TESTS += hc-fuzz-domu
hc-fuzz-domu_LAMINA_ONLY := needs the fuzzer started as a domU at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
hc-fuzz-domu_DOMU_MODULES := hc-fuzz --domU mem=32M vcpus=2 -- seed=0x5eed3 calls=4000 domid=1
hc-fuzz-domu_LAMINA_LOG_EXPECT := audit d1: 0 frame\(s\) with unbalanced counts
