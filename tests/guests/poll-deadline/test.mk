# SPDX-License-Identifier: GPL-2.0-only
# poll-deadline: poll with a deadline that passes while it blocks returns
GUEST_TESTS += poll-deadline
