#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The hardware system test, run by /init inside dom0 (lamina.systest=pci): dom0 booted
# with ACPI (no acpi=off) and a virtio-blk disk (run-dom0.sh --acpi --disk), on Lamina
# and on Xen 4.17 with the same QEMU line. dom0 must find the PCI bus, drive the disk
# through virtio-pci with its interrupts delivered as event channels, and read and
# write it. One line per check: "SYSTEST PASS <name>" or "SYSTEST FAIL <name>: <why>".
# Each PCI function is also printed as "PCIDEV <bdf> <vendor>:<device> <class>" (the
# harness compares the lists of the two hypervisors), and the checksum of what dom0
# wrote as "DISKWRITE <sha256>" (the harness checks it in the image afterwards).
pass() { echo "SYSTEST PASS $1"; }
fail() { echo "SYSTEST FAIL $1: $2"; }
check() { name=$1; shift; if "$@"; then pass "$name"; else fail "$name" "$*"; fi; }
arg() { sed -n "s/.*lamina\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }

check acpi-on [ -d /sys/firmware/acpi/tables ]
ndev=0
for d in /sys/bus/pci/devices/*; do
    [ -e "$d/vendor" ] || continue
    echo "PCIDEV ${d##*/} $(cat "$d/vendor"):$(cat "$d/device") $(cat "$d/class")"
    ndev=$((ndev + 1))
done
echo "pci: $ndev function(s)"
check pci-bus [ "$ndev" -gt 0 ]
host=$(grep -l 0x060000 /sys/bus/pci/devices/*/class 2>/dev/null | head -n1)
check pci-host-bridge [ -n "$host" ]

# virtio-blk: 1af4:1001 (transitional) or 1af4:1042 (modern).
blkdev=
for d in /sys/bus/pci/devices/*; do
    [ "$(cat "$d/vendor" 2>/dev/null)" = 0x1af4 ] || continue
    case $(cat "$d/device") in 0x1001 | 0x1042) blkdev=$d ;; esac
done
check virtio-blk-listed [ -n "$blkdev" ]
loaded=0
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk; do
    insmod "/lib/modules/pci/$m.ko" && loaded=$((loaded + 1)) || echo "pci: insmod $m failed"
done
check modules-load [ $loaded -eq 6 ]
i=0
while [ ! -b /dev/vda ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
check vda-present [ -b /dev/vda ]
drv=$(basename "$(readlink "$blkdev/driver" 2>/dev/null)" 2>/dev/null)
check virtio-pci-bound [ "$drv" = virtio-pci ]
echo "pci: interrupt of $blkdev: $(cat "$blkdev/irq" 2>/dev/null)"
grep -i -E 'virtio|pirq|msi' /proc/interrupts | sed 's/^/pci: /'

# The first MiB was filled by the host; its SHA-256 is on the command line.
want=$(arg disksha256)
got=$(dd if=/dev/vda bs=65536 count=16 iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1)
check disk-read-host-data [ -n "$want" -a "$got" = "$want" ]

# Write a fresh MiB at 1 MiB, bypassing the page cache both ways, and read it back.
dd if=/dev/urandom of=/tmp/pattern bs=65536 count=16 2>/dev/null
wsum=$(sha256sum /tmp/pattern | cut -d' ' -f1)
dd if=/tmp/pattern of=/dev/vda bs=65536 seek=16 count=16 oflag=direct conv=fsync 2>/dev/null
rsum=$(dd if=/dev/vda bs=65536 skip=16 count=16 iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1)
check disk-write-readback [ "$rsum" = "$wsum" ]
echo "DISKWRITE $wsum"

# Many requests in a row: 16 MiB in 4 KiB direct reads, each one an interrupt.
n=$(dd if=/dev/vda bs=4096 count=4096 iflag=direct 2>&1 >/dev/null | sed -n 's/^\([0-9]*\)+0 records in/\1/p')
check disk-read-4096-requests [ "$n" = 4096 ]
irqs=$(grep -i virtio /proc/interrupts | awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i } END { print s + 0 }')
echo "pci: virtio interrupts counted: $irqs"
check disk-interrupts [ "${irqs:-0}" -ge 4096 ]
sync
# What the kernel said about its PCI devices and interrupts (for the log).
dmesg | grep -i -E 'xen.*(irq|gsi|pirq|pci)|pci.*(irq|msi)|virtio|acpi.*(irq|gsi|sci)|swiotlb' |
    sed 's/^/pci: dmesg: /' | head -n 60
