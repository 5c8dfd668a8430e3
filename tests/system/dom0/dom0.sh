#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The dom0 system test, run by /init inside dom0 (lamina.systest=dom0). One line
# per check: "SYSTEST PASS <name>" or "SYSTEST FAIL <name>: <why>".
. "$(dirname "$0")/common.sh"

check hypervisor-type [ "$(cat /sys/hypervisor/type)" = xen ]
check capabilities-control_d grep -q control_d /proc/xen/capabilities
for m in xen_privcmd xen_evtchn xen_gntdev xen_gntalloc xenfs; do
    check "module-$m" grep -q "^$m " /proc/modules
done
for n in privcmd evtchn gntdev gntalloc xenbus; do
    check "device-$n" [ -c /dev/xen/$n ]
done
check privcmd-hypercall lam-systest hypercall
check privcmd-foreign-map lam-systest foreign-map

# Running domains through lam (domctl over privcmd), on either hypervisor.
lam_state() { lam list 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'; }
lam list >/tmp/lam-list.txt 2>&1
cat /tmp/lam-list.txt
check lam-list-dom0 grep -Eq '^ 0 +Domain-0 +running ' /tmp/lam-list.txt
lam destroy 0 >/tmp/lam-d0.txt 2>&1
rc=$?
cat /tmp/lam-d0.txt
check lam-destroy-dom0-refused [ $rc -eq 1 ]
check lam-destroy-dom0-says-why grep -q 'lam: destroy: cannot destroy: domain 0: not possible' \
    /tmp/lam-d0.txt
lam pause 4000 >/tmp/lam-p.txt 2>&1
rc=$?
check lam-pause-missing-domain [ $rc -eq 1 ]
check lam-pause-missing-says-why grep -q 'domain 4000: no such domain' /tmp/lam-p.txt
lam vcpu-list 0 >/tmp/lam-v.txt 2>&1
cat /tmp/lam-v.txt
check lam-vcpu-list grep -Eq '^0 +[0-9]+ +(running|runnable|blocked) ' /tmp/lam-v.txt
lam vcpu-pin 0 0 63 >/tmp/lam-pin.txt 2>&1
rc=$?
cat /tmp/lam-pin.txt
check lam-vcpu-pin-offline-cpu-refused [ $rc -eq 1 ]
check lam-vcpu-pin-all sh -c 'lam vcpu-pin 0 0 all >/dev/null'
# Every vCPU is up in dom0, and with as many busy processes as physical CPUs every
# physical CPU runs one of dom0's vCPUs at once (the scheduler spreads them; the
# harness passes the counts as lamina.vcpus= and lamina.pcpus=).
want_vcpus=$(sed -n 's/.*lamina.vcpus=\([0-9]*\).*/\1/p' /proc/cmdline)
pcpus=$(sed -n 's/.*lamina.pcpus=\([0-9]*\).*/\1/p' /proc/cmdline)
check vcpus-online [ "$(grep -c '^processor' /proc/cpuinfo)" = "$want_vcpus" ]
if [ "$want_vcpus" -ge 2 ] && [ "$pcpus" -ge 2 ]; then
    busy=$((want_vcpus < pcpus ? want_vcpus : pcpus))
    spin_pids=""
    k=0
    while [ $k -lt $busy ]; do (while :; do :; done) & spin_pids="$spin_pids $!"; k=$((k + 1)); done
    # Running vCPUs on distinct physical CPUs: sampled a few times (Linux takes a moment
    # to spread the spinners over its vCPUs).
    spread=0
    for t in 1 2 3 4 5 6 7 8 9 10; do
        sleep 1
        lam vcpu-list 0 >/tmp/lam-spread.txt 2>&1
        spread=$(awk '$3 == "running" { print $2 }' /tmp/lam-spread.txt | sort -u | wc -l)
        [ "$spread" -ge "$busy" ] && break
    done
    kill $spin_pids
    cat /tmp/lam-spread.txt
    echo "vcpus-spread: $spread of $pcpus physical CPUs running dom0 vCPUs at once (want $busy)"
    check vcpus-spread [ "$spread" -ge "$busy" ]
fi
# The boot-time domU (idle-peer; Lamina only): pause, unpause, weight, destroy.
if [ -n "$(lam_state 1)" ]; then
    check lam-domU-listed [ "$(lam_state 1)" = blocked ]
    lam pause 1 && check lam-pause [ "$(lam_state 1)" = paused ]
    lam unpause 1 && check lam-unpause [ "$(lam_state 1)" = blocked ]
    lam sched-credit --weight 512 --cap 50 1 >/tmp/lam-s.txt 2>&1
    cat /tmp/lam-s.txt
    check lam-sched-credit grep -Eq '^1 +512 +50$' /tmp/lam-s.txt
    lam destroy 1
    check lam-destroy-domU [ -z "$(lam_state 1)" ]
    lam destroy 1 >/tmp/lam-d1.txt 2>&1
    check lam-destroy-gone grep -q 'domain 1: no such domain' /tmp/lam-d1.txt
else
    echo "SYSTEST SKIP lam-domU-lifecycle: no boot-time domU (Xen 4.17 starts none)"
fi

# 32-bit user space (the kernel's IA32 emulation): a static i386 program makes system
# calls by int $0x80, through the vDSO (which uses SYSCALL on AMD-like CPUs and SYSENTER
# on Intel ones, if the kernel could register those callbacks) and with that instruction
# directly. The other instruction faults from compat mode on this CPU.
vendor=$(sed -n 's/^vendor_id[[:space:]]*: //p' /proc/cpuinfo | head -n1)
case $vendor in
GenuineIntel) fast=sysenter other=syscall ;;
*) fast=syscall other=sysenter ;;
esac
lam-compat32 int80 vdso $fast >/tmp/compat32.txt 2>&1
rc=$?
cat /tmp/compat32.txt
check compat32-int80 grep -q '^compat32 int80: ok' /tmp/compat32.txt
check compat32-vdso grep -q '^compat32 vdso: ok' /tmp/compat32.txt
check "compat32-vdso-uses-$fast" grep -q "^vdso: $fast\$" /tmp/compat32.txt
check "compat32-$fast" grep -q "^compat32 $fast: ok" /tmp/compat32.txt
check compat32-exit-status [ $rc -eq 0 ]
echo "SYSTEST SKIP compat32-$other: $vendor CPU, no $other from compat mode"

start=$(date +%s)
i=0
while [ $i -lt 1000 ]; do /bin/true || break; i=$((i + 1)); done
end=$(date +%s)
echo "fork+exec: 1000 cycles in $((end - start)) s"
check fork-exec-1000 [ $i -eq 1000 ]

# Memory stress: several processes together take most of the free memory.
free_kb=$(sed -n 's/^MemAvailable: *\([0-9]*\) kB/\1/p' /proc/meminfo)
per=$((free_kb * 8 / 10 / 4 / 1024))
pids=""
for k in 1 2 3 4; do lam-systest memstress $per > /tmp/mem$k.log 2>&1 & pids="$pids $!"; done
ok=1
for p in $pids; do wait $p || ok=0; done
cat /tmp/mem*.log
check "memstress-4x${per}MiB" [ $ok -eq 1 ]
after_kb=$(sed -n 's/^MemAvailable: *\([0-9]*\) kB/\1/p' /proc/meminfo)
check memory-returned [ $after_kb -gt $((free_kb * 9 / 10)) ]

# The clock: the wall clock agrees with the host's at boot (passed on the command
# line by the harness), and advances in step during a sleep.
host=$(sed -n 's/.*lamina.hosttime=\([0-9]*\).*/\1/p' /proc/cmdline)
now=$(date +%s)
echo "clock: dom0 $now, host at QEMU start $host"
if [ -n "$host" ] && [ "$now" -ge $((host - 5)) ] && [ "$now" -le $((host + 600)) ]; then
    pass clock-wall
else
    fail clock-wall "dom0 says $now, host said $host"
fi
# A host that stalls QEMU (a loaded CI machine) shows up as a late wake-up, so a
# second sample is taken before calling the clock wrong.
took=
for attempt in 1 2; do
    t0=$(date +%s)
    sleep 3
    t1=$(date +%s)
    took="$took $((t1 - t0))"
    [ $((t1 - t0)) -ge 2 ] && [ $((t1 - t0)) -le 5 ] && break
done
if [ $((t1 - t0)) -ge 2 ] && [ $((t1 - t0)) -le 5 ]; then
    pass clock-advances
else
    fail clock-advances "sleep 3 took$took s of wall clock"
fi
