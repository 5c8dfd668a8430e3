# SPDX-License-Identifier: GPL-2.0-only
# physdev-irq: dom0's interrupt and PCI physdev operations and port rules, bad values
GUEST_TESTS += physdev-irq
