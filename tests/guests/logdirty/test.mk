# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += logdirty
logdirty_LIBS := mm_util
# The domain it builds runs on the other CPU while dom0 cleans its bitmap.
logdirty_SMP := 2
