# SPDX-License-Identifier: GPL-2.0-only
# poll-short-timeout: poll with timeouts a few microseconds ahead returns
GUEST_TESTS += poll-short-timeout
