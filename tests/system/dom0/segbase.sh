#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# dom0's user-space FS base across context switches (lamina.systest=segbase), both
# hypervisors and both toolstacks. dom0's 64-bit programs find their thread-local storage
# through FS (glibc and busybox read %fs:OFFSET); the hypervisor saves and restores each
# vCPU's FS base when it switches between domains. The same fork/exec workload runs twice:
# with dom0 alone (the CPU only switches between dom0 and idle), then while Linux domUs boot
# beside it one after another (dom0 and a domU take turns on the one CPU). After each phase
# the kernel's log is searched for user-space faults (each fault of a user program is a
# "segfault at" or "general protection" line). Checks: <phase>-no-faults.
# The domUs are built by the image's toolstack: Lamina's `lam create` (libdombuild), or, in
# the Xen peer's image (run-dom0.sh --hv xen --initrd xl), Debian's `xl create`; both get the
# demo guest (Debian's kernel, /lamina/guest/domu-initrd.img, 128 MiB, 1 vCPU) with
# lamina.domu=poweroff, so each powers itself off once its /init runs and is destroyed.
# Used to tell a hypervisor's FS base handling apart from our builder's and from the
# programs' own bugs (docs/differences.md).
. "$(dirname "$0")/common.sh"
if [ -f /var/run/xen/xenconsoled.pid ] && command -v xl >/dev/null; then TS=xl; else TS=lam; fi
GUEST_ARGS="console=hvc0 quiet lamina.domu=poweroff"
# workload N: N rounds of short-lived programs, each of which reads its TLS at once.
workload() {
    i=0
    while [ $i -lt "$1" ]; do
        sh -c 'echo x | grep -q x' 2>/dev/null
        $TS list >/dev/null 2>&1
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
# create NAME: build the demo guest under NAME with the image's toolstack.
create() {
    if [ $TS = xl ]; then
        cat >/tmp/seg-$1.cfg <<XL
name = "$1"
type = "pv"
kernel = "/lamina/guest/vmlinuz"
ramdisk = "/lamina/guest/domu-initrd.img"
extra = "$GUEST_ARGS"
memory = 128
vcpus = 1
on_poweroff = "destroy"
on_crash = "destroy"
XL
        xl create /tmp/seg-$1.cfg
    else
        sed -e "s|<name>demo</name>|<name>$1</name>|" \
            -e "s|<cmdline>.*</cmdline>|<cmdline>$GUEST_ARGS</cmdline>|" \
            /etc/lamina/examples/demo.xml >/tmp/seg-$1.xml
        lam create /tmp/seg-$1.xml
    fi
}
exists() { if [ $TS = xl ]; then xl domid "$1"; else lam info "$1"; fi >/dev/null 2>&1; }
# guests: in the background, one guest after another until /tmp/seg.stop appears; each is
# waited for until it is gone (powered off), or destroyed after 300 s.
guests() {
    k=0 ok=0
    while [ ! -e /tmp/seg.stop ]; do
        k=$((k + 1))
        if create seg$k >/tmp/seg-create.txt 2>&1; then ok=$((ok + 1)); else
            cat /tmp/seg-create.txt
            sleep 1
            continue
        fi
        w=0
        while exists seg$k && [ $w -lt 3000 ]; do sleep 0.1; w=$((w + 1)); done
        exists seg$k && $TS destroy seg$k >/dev/null 2>&1
    done
    echo "$ok" >/tmp/seg.count
}
grep -m1 -E '^(vendor_id|model name)' /proc/cpuinfo
info "toolstack: $TS; hypervisor changeset: $(cat /sys/hypervisor/properties/changeset 2>/dev/null)"
phase dom0-alone 100
rm -f /tmp/seg.stop /tmp/seg.count
guests &
phase with-domU 200
touch /tmp/seg.stop
wait
info "with-domU: $(cat /tmp/seg.count 2>/dev/null) guests built by $TS create during the phase"
[ "$(cat /tmp/seg.count 2>/dev/null)" -gt 0 ] 2>/dev/null || fail with-domU-guests "no guest built"
