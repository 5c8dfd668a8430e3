# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += timer-flood timer-flood-peer
timer-flood_LIBS := mm_util vcpu_start
timer-flood-peer_DIR := timer-flood
timer-flood-peer_LIBS := mm_util vcpu_start
timer-flood_LAMINA_ONLY := needs boot-time domUs (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
timer-flood_DOMU_MODULES := timer-flood-peer --domU mem=16M vcpus=32, timer-flood-peer --domU mem=16M vcpus=32
timer-flood_HV_ARGS := dom0_max_vcpus=32
timer-flood-peer_HELPER := only booted as timer-flood's domU
timer-flood-peer_NO_RESULT := spins its 32 vCPUs on timers until destroyed; never prints a result
