# SPDX-License-Identifier: GPL-2.0-only
# mm-iomem: I/O memory the hypervisor keeps from dom0 (and every domU)
GUEST_TESTS += mm-iomem
mm-iomem_LIBS := mm_util
