# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-contend-2dom
mm-contend-2dom_LIBS := mm_util smp
mm-contend-2dom_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
# Three CPUs: dom0's vCPU 0 on CPU 0, the domU's two vCPUs on CPUs 1 and 2 (dom0's other
# vCPUs are never brought up), so dom0 shares the memory lock with the domU, not a CPU.
mm-contend-2dom_SMP := 3
mm-contend-2dom_DOMU_MODULES := mm-contend-peer --domU mem=16M vcpus=2
