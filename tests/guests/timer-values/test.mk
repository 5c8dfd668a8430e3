# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += timer-values
