# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-linear-chain
mm-linear-chain_LIBS := mm_util
