# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += dom-destroy-race
dom-destroy-race_LIBS := mm_util smp
