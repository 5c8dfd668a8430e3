# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-linear-chain-2dom
mm-linear-chain-2dom_DIR := domu-attack
mm-linear-chain-2dom_LIBS := mm_util
mm-linear-chain-2dom_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
mm-linear-chain-2dom_DOMU_MODULES := mm-linear-chain --domU mem=16M
mm-linear-chain-2dom_LAMINA_LOG_EXPECT := audit d1: 0 frame\(s\) with unbalanced counts
