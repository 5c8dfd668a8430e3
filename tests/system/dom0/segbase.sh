#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# dom0's user-space FS base across context switches (lamina.systest=segbase), both
# hypervisors. dom0's 64-bit programs find their thread-local storage through FS (glibc and
# busybox read %fs:OFFSET); the hypervisor saves and restores each vCPU's FS base when it
# switches between domains. The same fork/exec workload runs twice: with dom0 alone (the
# CPU only switches between dom0 and idle), then while a Linux domU boots beside it (dom0
# and the domU take turns on the one CPU). After each phase the kernel's log is searched for
# user-space faults (each fault of a user program is a "segfault at" or "general protection"
# line). Checks: <phase>-no-faults. Used to tell a hypervisor's FS base handling apart from
# the programs' own bugs (docs/differences.md).
pass() { echo "SYSTEST PASS $1"; }
fail() { echo "SYSTEST FAIL $1: $2"; }
info() { echo "SYSTEST INFO $*"; }
# workload N: N rounds of short-lived programs, each of which reads its TLS at once.
workload() {
    i=0
    while [ $i -lt "$1" ]; do
        sh -c 'echo x | grep -q x' 2>/dev/null
        lam list >/dev/null 2>&1
        i=$((i + 1))
    done
}
faults() { dmesg | grep -cE 'segfault at|general protection|trap invalid opcode'; }
phase() { # NAME ROUNDS
    before=$(faults)
    t0=$(date +%s)
    workload "$2"
    n=$(($(faults) - before))
    info "$1: $2 rounds in $(($(date +%s) - t0)) s, $n user-space faults"
    dmesg | grep -E 'segfault at|general protection|trap invalid opcode' | tail -n "$n" | head -5
    if [ "$n" -eq 0 ]; then pass "$1-no-faults"; else fail "$1-no-faults" "$n faults"; fi
}
grep -m1 -E '^(vendor_id|model name)' /proc/cpuinfo
phase dom0-alone 150
# A Linux domU booting beside dom0 (the demo guest; lamstored and lamconsoled were started
# by /init): about a minute of CPU on the same physical CPU.
if lam create /etc/lamina/examples/demo.xml >/tmp/c.txt 2>&1; then
    cat /tmp/c.txt
    phase with-domU 150
    lam destroy demo >/dev/null 2>&1
else
    cat /tmp/c.txt
    fail with-domU-no-faults "lam create of the demo guest failed"
fi
