# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += hypercall-page
hypercall-page_LIBS := hypercall_page
