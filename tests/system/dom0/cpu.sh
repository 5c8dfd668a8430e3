#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The CPU-model system test, run by /init inside dom0 (lamina.systest=cpu): the harness
# boots dom0 under several QEMU CPU models (run-dom0.sh --cpu), and this checks that the
# kernel came up and what it decided from the CPUID the hypervisor showed it: no
# protection keys (a kernel that sees PKU executes WRPKRU and panics at boot), nothing
# only a ring-0 or HVM kernel could use, and a working system. One line per check:
# "SYSTEST PASS <name>" or "SYSTEST FAIL <name>: <why>".
. "$(dirname "$0")/common.sh"

flags=" $(sed -n 's/^flags[[:space:]]*: //p' /proc/cpuinfo | head -n1) "
echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
echo "cpu flags:$flags"
has() { case $flags in *" $1 "*) return 0 ;; esac; return 1; }
lacks() { ! has "$1"; }

check hypervisor-type [ "$(cat /sys/hypervisor/type)" = xen ]
check flag-hypervisor has hypervisor
for f in pku ospke smep smap umip vmx svm la57 invpcid pdpe1gb tsc_deadline_timer; do
    check "flag-no-$f" lacks "$f"
done
check privcmd-hypercall lam-systest hypercall
i=0
while [ $i -lt 100 ]; do /bin/true || break; i=$((i + 1)); done
check fork-exec-100 [ $i -eq 100 ]
t0=$(date +%s)
sleep 2
t1=$(date +%s)
check clock-advances [ $((t1 - t0)) -ge 1 -a $((t1 - t0)) -le 5 ]
