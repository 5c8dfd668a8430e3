# SPDX-License-Identifier: GPL-2.0-only
# Entries from 32-bit (compat) user code; the -intel variant runs on a CPU that
# has SYSENTER in long mode (_QEMU_CPU), the default one (AMD) has not.
GUEST_TESTS += compat-entry compat-entry-intel
compat-entry_LIBS := mm_util callbacks
compat-entry-intel_DIR := compat-entry
compat-entry-intel_LIBS := mm_util callbacks
compat-entry-intel_LAMINA_ONLY := Xen 4.17 double-faults on SYSENTER from compat mode under QEMU TCG with an Intel CPU model (docs/differences.md)
compat-entry-intel_QEMU_CPU := max,vendor=GenuineIntel
