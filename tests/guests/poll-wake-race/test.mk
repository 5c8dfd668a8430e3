# SPDX-License-Identifier: GPL-2.0-only
# poll-wake-race: a poll woken by another CPU, then a poll with a timeout at once
GUEST_TESTS += poll-wake-race
poll-wake-race_LIBS := mm_util smp
poll-wake-race_SMP := 2
