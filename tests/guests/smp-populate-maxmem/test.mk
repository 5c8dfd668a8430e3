# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += smp-populate-maxmem
smp-populate-maxmem_LIBS := mm_util smp
smp-populate-maxmem_SMP := 2
