# SPDX-License-Identifier: GPL-2.0-only
# dbg-hypercall-watch: guest data breakpoints on memory the hypervisor touches
GUEST_TESTS += dbg-hypercall-watch
dbg-hypercall-watch_LIBS := mm_util
