#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The dom0 benchmark, run by /init inside dom0 (lamina.systest=bench) on Lamina
# and on Xen 4.17 by tests/bench/dom0/run.sh. lam-bench prints one
# "BENCH <name> <value> <unit>" line per figure; a benchmark that could not run
# is a failed check so the harness notices.
echo "bench: $(cat /sys/hypervisor/type 2>/dev/null) dom0, $(grep -c ^processor /proc/cpuinfo) vCPU(s)"
if lam-bench all; then
    echo "SYSTEST PASS bench-ran"
else
    echo "SYSTEST FAIL bench-ran: lam-bench exited $?"
fi
