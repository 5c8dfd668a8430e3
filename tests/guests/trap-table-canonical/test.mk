# SPDX-License-Identifier: GPL-2.0-only
# trap-table-canonical: trap table and stack addresses that are not canonical
GUEST_TESTS += trap-table-canonical
