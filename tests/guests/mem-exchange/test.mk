# SPDX-License-Identifier: GPL-2.0-only
# mem-exchange: XENMEM_exchange, good and bad (swiotlb-xen's machine-contiguous buffers)
GUEST_TESTS += mem-exchange
mem-exchange_LIBS := mm_util
