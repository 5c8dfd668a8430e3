# SPDX-License-Identifier: GPL-2.0-only
# dbg-2dom: one domain's breakpoints never fire in another
GUEST_TESTS += dbg-2dom
dbg-2dom_LIBS := mm_util vcpu_start
dbg-2dom_LAMINA_ONLY := needs a second domain started at boot (Lamina's --domU modules); Xen 4.17 on x86 has no boot-time domUs
# The same kernel twice: dom0 is the victim, the domU sets breakpoints on dom0's addresses.
dbg-2dom_DOMU_MODULES := dbg-2dom --domU mem=16M
dbg-2dom_SMP := 1 2
