# SPDX-License-Identifier: GPL-2.0-only
# emul-privop-forms: privileged instructions in their other encodings
GUEST_TESTS += emul-privop-forms
# Optional framework objects (tests/guests/lib/<x>.c or .S), e.g. mm_util smp callbacks.
emul-privop-forms_LIBS := mm_util
# Extra compiler flags for this test's own sources.
#emul-privop-forms_CFLAGS := -DFOO=1
# Xen 4.17 cannot run it: SKIP xen:emul-privop-forms, with this reason printed.
#emul-privop-forms_LAMINA_ONLY := needs ... (why Xen 4.17 cannot run it)
# Boot on N emulated CPUs with N dom0 vCPUs, once per N (results emul-privop-forms@smpN if several).
#emul-privop-forms_SMP := 2 4
# Options added to both hypervisors' command line (Xen's option names).
#emul-privop-forms_HV_ARGS := dom0_max_vcpus=2
# The kernel's own command line (start_info cmd_line; no commas: QEMU separates modules with them).
#emul-privop-forms_KERNEL_ARGS := seed=1
# Kernels booted as domUs beside it: "<kernel> --domU <args>", several separated by commas.
#emul-privop-forms_DOMU_MODULES := sched-spin --domU mem=16M
# An ERE Lamina's log must match for the test to pass (write $ as $$ and # as \#).
#emul-privop-forms_LAMINA_LOG_EXPECT := preempt: [1-9][0-9]* continuation
# Lamina cannot pass it yet: SKIP lamina:emul-privop-forms with this reason (emul-privop-forms_PENDING_SMP<N>: the N-CPU run only).
#emul-privop-forms_PENDING := ... (what Lamina lacks)
# Only ever booted as another test's domU (not run alone), and never prints a result.
#emul-privop-forms_HELPER := the domU of ...
#emul-privop-forms_NO_RESULT := spins until dom0 ends the test
