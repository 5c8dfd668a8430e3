# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += gnt-limits
gnt-limits_LIBS := mm_util
gnt-limits_HV_ARGS := gnttab_max_frames=4 gnttab_max_maptrack_frames=2
