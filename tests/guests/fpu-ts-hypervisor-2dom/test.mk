# SPDX-License-Identifier: GPL-2.0-only
# fpu-ts-hypervisor-2dom: the same, made by an unprivileged domU (2 vCPUs)
GUEST_TESTS += fpu-ts-hypervisor-2dom
fpu-ts-hypervisor-2dom_DIR := domu-attack
fpu-ts-hypervisor-2dom_LIBS := mm_util
fpu-ts-hypervisor-2dom_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
fpu-ts-hypervisor-2dom_DOMU_MODULES := fpu-ts-hypervisor --domU mem=16M vcpus=2
fpu-ts-hypervisor-2dom_LAMINA_LOG_EXPECT := audit d1: 0 frame\(s\) with unbalanced counts
