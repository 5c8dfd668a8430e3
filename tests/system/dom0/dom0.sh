#!/bin/sh
# The dom0 system test, run by /init inside dom0 (lamina.systest=dom0). One line
# per check: "SYSTEST PASS <name>" or "SYSTEST FAIL <name>: <why>".
pass() { echo "SYSTEST PASS $1"; }
fail() { echo "SYSTEST FAIL $1: $2"; }
check() { name=$1; shift; if "$@"; then pass "$name"; else fail "$name" "$*"; fi; }

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
t0=$(date +%s)
sleep 3
t1=$(date +%s)
if [ $((t1 - t0)) -ge 2 ] && [ $((t1 - t0)) -le 5 ]; then
    pass clock-advances
else
    fail clock-advances "sleep 3 took $((t1 - t0)) s of wall clock"
fi
