# SPDX-License-Identifier: GPL-2.0-only
# emul-singlestep: single-stepping over emulated instructions
GUEST_TESTS += emul-singlestep
# Optional framework objects (tests/guests/lib/<x>.c or .S), e.g. mm_util smp callbacks.
emul-singlestep_LIBS := mm_util
# Extra compiler flags for this test's own sources.
#emul-singlestep_CFLAGS := -DFOO=1
# Xen 4.17 cannot run it: SKIP xen:emul-singlestep, with this reason printed.
#emul-singlestep_LAMINA_ONLY := needs ... (why Xen 4.17 cannot run it)
# Boot on N emulated CPUs with N dom0 vCPUs, once per N (results emul-singlestep@smpN if several).
#emul-singlestep_SMP := 2 4
# Options added to both hypervisors' command line (Xen's option names).
#emul-singlestep_HV_ARGS := dom0_max_vcpus=2
# The kernel's own command line (start_info cmd_line; no commas: QEMU separates modules with them).
#emul-singlestep_KERNEL_ARGS := seed=1
# Kernels booted as domUs beside it: "<kernel> --domU <args>", several separated by commas.
#emul-singlestep_DOMU_MODULES := sched-spin --domU mem=16M
# An ERE Lamina's log must match for the test to pass (write $ as $$ and # as \#).
#emul-singlestep_LAMINA_LOG_EXPECT := preempt: [1-9][0-9]* continuation
# Lamina cannot pass it yet: SKIP lamina:emul-singlestep with this reason (emul-singlestep_PENDING_SMP<N>: the N-CPU run only).
#emul-singlestep_PENDING := ... (what Lamina lacks)
# Only ever booted as another test's domU (not run alone), and never prints a result.
#emul-singlestep_HELPER := the domU of ...
#emul-singlestep_NO_RESULT := spins until dom0 ends the test
