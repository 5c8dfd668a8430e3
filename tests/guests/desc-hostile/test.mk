# SPDX-License-Identifier: GPL-2.0-only
# desc-hostile: set_gdt and update_descriptor against hostile input
GUEST_TESTS += desc-hostile
# Optional framework objects (tests/guests/lib/<x>.c or .S), e.g. mm_util smp callbacks.
desc-hostile_LIBS := mm_util
# Extra compiler flags for this test's own sources.
#desc-hostile_CFLAGS := -DFOO=1
# Xen 4.17 cannot run it: SKIP xen:desc-hostile, with this reason printed.
#desc-hostile_LAMINA_ONLY := needs ... (why Xen 4.17 cannot run it)
# Boot on N emulated CPUs with N dom0 vCPUs, once per N (results desc-hostile@smpN if several).
#desc-hostile_SMP := 2 4
# Options added to both hypervisors' command line (Xen's option names).
#desc-hostile_HV_ARGS := dom0_max_vcpus=2
# The kernel's own command line (start_info cmd_line; no commas: QEMU separates modules with them).
#desc-hostile_KERNEL_ARGS := seed=1
# Kernels booted as domUs beside it: "<kernel> --domU <args>", several separated by commas.
#desc-hostile_DOMU_MODULES := sched-spin --domU mem=16M
# An ERE Lamina's log must match for the test to pass (write $ as $$ and # as \#).
#desc-hostile_LAMINA_LOG_EXPECT := preempt: [1-9][0-9]* continuation
# Lamina cannot pass it yet: SKIP lamina:desc-hostile with this reason (desc-hostile_PENDING_SMP<N>: the N-CPU run only).
#desc-hostile_PENDING := ... (what Lamina lacks)
# Only ever booted as another test's domU (not run alone), and never prints a result.
#desc-hostile_HELPER := the domU of ...
#desc-hostile_NO_RESULT := spins until dom0 ends the test
