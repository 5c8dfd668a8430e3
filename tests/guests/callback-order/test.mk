# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += callback-order
callback-order_LIBS := hypercall_page callbacks
