#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The hardware system test, run by /init inside dom0 (lamina.systest=pci): dom0 booted
# with ACPI (no acpi=off) and a virtio-blk disk (run-dom0.sh --acpi --disk), on Lamina
# and on Xen 4.17 with the same QEMU line. dom0 must find the PCI bus, drive the disk
# through virtio-pci with its interrupts delivered as event channels, and read and
# write it. One line per check: "SYSTEST PASS <name>" or "SYSTEST FAIL <name>: <why>".
# Each PCI function is also printed as "PCIDEV <bdf> <vendor>:<device> <class>" (the
# harness compares the lists of the two hypervisors), and the checksum of what dom0
# wrote as "DISKWRITE virtio <sha256>" (the harness checks it in the image afterwards).
# With run-dom0.sh --disk ahci, the AHCI disk (/dev/sda) is read and written the same
# way ("DISKWRITE ahci <sha256>"), its interrupt an MSI.
# The disk has one queue per vCPU, each with its own MSI-X vector (a pirq). With
# run-dom0.sh --nic, each NIC (virtio-net, e1000) in turn gets 10.0.2.15/24 and no
# route beyond that network, fetches 4 MiB from the build host's server (10.0.2.2,
# lamina.netport; SHA-256 lamina.netsha256) and uploads 4 MiB (random bytes as hex text) that the server
# checksums.
. "$(dirname "$0")/common.sh"

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
echo "DISKWRITE virtio $wsum"

# Many requests in a row: 16 MiB in 4 KiB direct reads, each one an interrupt.
n=$(dd if=/dev/vda bs=4096 count=4096 iflag=direct 2>&1 >/dev/null | sed -n 's/^\([0-9]*\)+0 records in/\1/p')
check disk-read-4096-requests [ "$n" = 4096 ]
irqs=$(grep -i virtio /proc/interrupts | awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i } END { print s + 0 }')
echo "pci: virtio interrupts counted: $irqs"
check disk-interrupts [ "${irqs:-0}" -ge 4096 ]

# MSI-X: the disk's queues each have a vector of their own, delivered as a pirq
# ("xen-pirq" with the "msi-x" handler name in /proc/interrupts), and each queue's
# line counted interrupts. vCPUs from the command line: one queue per vCPU.
vcpus=$(arg vcpus)
vblk=$(basename "$(ls -d "$blkdev"/virtio* 2>/dev/null | head -n1)")
qlines=$(grep -E "msi-?x.*$vblk-req\.[0-9]+" /proc/interrupts | wc -l)
echo "pci: $vblk MSI-X queue lines: $qlines (vCPUs ${vcpus:-?})"
check disk-msix-per-queue [ -n "$vblk" -a "$qlines" -ge "${vcpus:-1}" ]
busy=$(grep -E "msi-?x.*$vblk-req\.[0-9]+" /proc/interrupts |
    awk '{ s = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; if (s > 0) n++ } END { print n + 0 }')
check disk-msix-interrupts [ "$busy" -ge 1 ]
sync

# The AHCI disk (run-dom0.sh --disk ahci): the same reads and writes through libata.
ahcisum=$(arg ahcisha256)
if [ -n "$ahcisum" ]; then
    aloaded=0
    for m in crct10dif_common crct10dif_generic crc-t10dif crc64 crc64_rocksoft_generic \
        crc64-rocksoft t10-pi scsi_common scsi_mod sd_mod libata libahci ahci; do
        insmod "/lib/modules/pci/$m.ko" && aloaded=$((aloaded + 1)) || echo "pci: insmod $m failed"
    done
    check ahci-modules-load [ $aloaded -eq 13 ]
    i=0
    while [ ! -b /dev/sda ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
    check ahci-sda-present [ -b /dev/sda ]
    got=$(dd if=/dev/sda bs=65536 count=16 iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1)
    check ahci-read-host-data [ "$got" = "$ahcisum" ]
    dd if=/dev/urandom of=/tmp/apattern bs=65536 count=16 2>/dev/null
    awsum=$(sha256sum /tmp/apattern | cut -d' ' -f1)
    dd if=/tmp/apattern of=/dev/sda bs=65536 seek=16 count=16 oflag=direct conv=fsync 2>/dev/null
    arsum=$(dd if=/dev/sda bs=65536 skip=16 count=16 iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1)
    check ahci-write-readback [ "$arsum" = "$awsum" ]
    echo "DISKWRITE ahci $awsum"
    n=$(dd if=/dev/sda bs=4096 count=2048 iflag=direct 2>&1 >/dev/null | sed -n 's/^\([0-9]*\)+0 records in/\1/p')
    check ahci-read-2048-requests [ "$n" = 2048 ]
    alines=$(grep -E 'ahci' /proc/interrupts)
    echo "$alines" | sed 's/^/pci: /'
    acount=$(echo "$alines" | awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i } END { print s + 0 }')
    check ahci-interrupts [ "$acount" -ge 2048 ]
    check ahci-msi [ -n "$(echo "$alines" | grep -i msi)" ]
    sync
fi

# The NICs (run-dom0.sh --nic): every network test talks to 10.0.2.2 only.
netport=$(arg netport)
if [ -n "$netport" ]; then
    nloaded=0
    for m in failover net_failover virtio_net e1000; do
        insmod "/lib/modules/pci/$m.ko" && nloaded=$((nloaded + 1)) || echo "pci: insmod $m failed"
    done
    check net-modules-load [ $nloaded -eq 4 ]
    i=0
    while [ "$(ls /sys/class/net | grep -vc '^lo$')" -lt 1 ] && [ $i -lt 50 ]; do
        sleep 0.2
        i=$((i + 1))
    done
    ip link set lo up
    # busybox wget posts its file as a string (up to the first NUL): 4 MiB of hex text.
    head -c 2097152 /dev/urandom | od -An -vtx1 | tr -d ' \n' >/tmp/upload
    upsum=$(sha256sum /tmp/upload | cut -d' ' -f1)
    for ifc in /sys/class/net/*; do
        ifc=${ifc##*/}
        [ "$ifc" = lo ] && continue
        # virtio-net's netdev hangs off its virtio device, e1000's off the PCI function.
        drv=$(basename "$(readlink "/sys/class/net/$ifc/device/driver")")
        [ "$drv" = virtio_net ] && nic=virtio-net || nic=$drv
        ip link set "$ifc" up
        ip addr add 10.0.2.15/24 dev "$ifc"
        i=0
        while ! grep -q 1 "/sys/class/net/$ifc/carrier" 2>/dev/null && [ $i -lt 50 ]; do
            sleep 0.2
            i=$((i + 1))
        done
        rm -f /tmp/blob /tmp/answer
        timeout 120 wget -q -O /tmp/blob "http://10.0.2.2:$netport/blob"
        got=$(sha256sum /tmp/blob 2>/dev/null | cut -d' ' -f1)
        check "$nic-tcp-receive" [ -n "$got" -a "$got" = "$(arg netsha256)" ]
        timeout 120 wget -q -O /tmp/answer --post-file=/tmp/upload "http://10.0.2.2:$netport/upload"
        check "$nic-tcp-send" [ "$(cat /tmp/answer 2>/dev/null)" = "$upsum" ]
        echo "pci: $ifc ($nic): $(cat "/sys/class/net/$ifc/statistics/rx_bytes") bytes in," \
            "$(cat "/sys/class/net/$ifc/statistics/tx_bytes") out"
        ip addr flush dev "$ifc"
        ip link set "$ifc" down
        if [ "$nic" = virtio-net ]; then
            vnet=$(basename "$(readlink "/sys/class/net/$ifc/device")")
            nq=$(grep -E "msi-?x.*$vnet-(input|output)\.[0-9]+" /proc/interrupts | wc -l)
            echo "pci: $vnet MSI-X queue lines: $nq"
            check virtio-net-msix-queues [ "$nq" -ge 2 ]
        fi
    done
    grep -E 'eth|virtio|e1000' /proc/interrupts | sed 's/^/pci: /'
fi
# What the kernel said about its PCI devices and interrupts (for the log).
dmesg | grep -i -E 'xen.*(irq|gsi|pirq|pci)|pci.*(irq|msi)|virtio|acpi.*(irq|gsi|sci)|swiotlb' |
    sed 's/^/pci: dmesg: /' | head -n 60
