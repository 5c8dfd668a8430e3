#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# compare-pci.sh LAMINA.pci XEN.pci: the PCI functions dom0 listed on each hypervisor
# (run-dom0.sh --disk keeps "<bdf> <vendor>:<device> <class>" lines) must be the same
# and not empty. Prints one result line: PASS|FAIL both:pci:same-devices.
set -u
a=$1 b=$2
if [ ! -s "$a" ] || [ ! -s "$b" ]; then
    echo "FAIL both:pci:same-devices (missing or empty: $a $b)"
elif diff -q "$a" "$b" >/dev/null; then
    echo "PASS both:pci:same-devices ($(wc -l <"$a") functions)"
else
    echo "FAIL both:pci:same-devices (lists differ: diff $a $b)"
fi
