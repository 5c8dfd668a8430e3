# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += vcpu-init-bad-2dom
vcpu-init-bad-2dom_DIR := domu-attack
vcpu-init-bad-2dom_LIBS := mm_util
vcpu-init-bad-2dom_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
vcpu-init-bad-2dom_DOMU_MODULES := vcpu-init-bad --domU mem=16M vcpus=4
vcpu-init-bad-2dom_LAMINA_LOG_EXPECT := audit d1: 0 frame\(s\) with unbalanced counts
