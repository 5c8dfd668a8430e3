#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Assemble build/dom0/initrd.img: busybox-static, the stock kernel's Xen
# device modules, Lamina's dom0 tools with the libraries they link, the
# system tests, and dom0-tools/initramfs/init. Also places the dom0 kernel
# (Debian's vmlinuz, unmodified) at build/dom0/vmlinuz.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
OUT=$BUILD/dom0
STAGE=$OUT/root
KVER=$(cat "$BUILD/pkgs/kernel-version")
KMOD=$BUILD/pkgs/root/lib/modules/$KVER/kernel/drivers/xen

rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,sbin,lib/modules,lamina/bin,systest,etc,usr/bin,usr/sbin}
cp /bin/busybox "$STAGE/bin/busybox"
for m in xen-privcmd xen-evtchn xen-gntdev xen-gntalloc xenfs/xenfs; do
    cp "$KMOD/$m.ko" "$STAGE/lib/modules/$(basename "$m").ko"
done
# The PCI disk and NIC drivers the hardware system test loads (tests/system/dom0/pci.sh),
# in dependency order: virtio_ring, virtio, the two virtio-pci transports, virtio_pci,
# virtio_blk; failover, net_failover, virtio_net; e1000; the AHCI stack (the CRCs of
# t10-pi, SCSI, sd_mod, libata, ahci).
KDRV=$BUILD/pkgs/root/lib/modules/$KVER/kernel/drivers
mkdir -p "$STAGE/lib/modules/pci"
for m in virtio/virtio_ring virtio/virtio virtio/virtio_pci_legacy_dev \
    virtio/virtio_pci_modern_dev virtio/virtio_pci block/virtio_blk \
    net/net_failover net/virtio_net net/ethernet/intel/e1000/e1000; do
    cp "$KDRV/$m.ko" "$STAGE/lib/modules/pci/"
done
KMODS=$BUILD/pkgs/root/lib/modules/$KVER/kernel
for m in net/core/failover crypto/crct10dif_common crypto/crct10dif_generic lib/crc-t10dif \
    lib/crc64 crypto/crc64_rocksoft_generic lib/crc64-rocksoft block/t10-pi \
    drivers/scsi/scsi_common drivers/scsi/scsi_mod drivers/scsi/sd_mod drivers/ata/libata \
    drivers/ata/libahci drivers/ata/ahci; do
    cp "$KMODS/$m.ko" "$STAGE/lib/modules/pci/"
done
cp "$ROOT/dom0-tools/initramfs/init" "$STAGE/init"
chmod +x "$STAGE/init"
echo "root:x:0:0:root:/root:/bin/sh" > "$STAGE/etc/passwd"

# Lamina's tools and every shared library they need (resolved with ldd).
for t in "$BUILD"/bin/*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    cp "$t" "$STAGE/lamina/bin/"
    # A static program (lam) has none: ldd says so and fails.
    { ldd "$t" 2>/dev/null || true; } | awk '/=>/ {print $3} /^\t\/lib/ {print $1}' | while read -r lib; do
        [ -f "$lib" ] || continue
        mkdir -p "$STAGE$(dirname "$lib")"
        cp -L "$lib" "$STAGE$lib"
    done
done
# The dynamic loader at its canonical path.
if [ -f /lib64/ld-linux-x86-64.so.2 ]; then
    mkdir -p "$STAGE/lib64" && cp -L /lib64/ld-linux-x86-64.so.2 "$STAGE/lib64/"
fi
# PV test kernels that dom0 tests start with lam create: the toolstack benchmark's small
# guest (tests/system/dom0/toolbench.sh, blocks at once) and the hostile store client
# (tests/system/dom0/storeattack.sh) and the hostile blkfront (tests/system/dom0/blkattack.sh).
for k in idle-peer store-peer blk-peer; do
    if [ -f "$BUILD/guests/$k.elf" ]; then
        mkdir -p "$STAGE/lamina/guest"
        cp "$BUILD/guests/$k.elf" "$STAGE/lamina/guest/$k.elf"
    fi
done
# System tests that run inside dom0.
if [ -d "$ROOT/tests/system/dom0" ]; then
    cp "$ROOT"/tests/system/dom0/*.sh "$STAGE/systest/" 2>/dev/null || true
    cp "$ROOT"/tests/system/dom0/*.xml "$STAGE/systest/" 2>/dev/null || true # their domains
    chmod +x "$STAGE"/systest/*.sh 2>/dev/null || true
fi
[ -d "$BUILD/systest-bin" ] && cp "$BUILD"/systest-bin/* "$STAGE/lamina/bin/" 2>/dev/null || true
# The demo guest `lam create` starts: the same kernel as dom0's, a tiny initramfs, its XML.
BUILD=$BUILD "$ROOT/scripts/mkdomu-initrd.sh"
mkdir -p "$STAGE/lamina/guest" "$STAGE/etc/lamina/examples"
cp -L "$BUILD/pkgs/vmlinuz" "$STAGE/lamina/guest/vmlinuz"
cp "$OUT/domu-initrd.img" "$STAGE/lamina/guest/domu-initrd.img"
# The disk system test's guest (tests/system/dom0/disk.sh): blkfront, ext4, e2fsprogs.
BUILD=$BUILD "$ROOT/scripts/mkdomu-disk-initrd.sh"
cp "$OUT/domu-disk-initrd.img" "$STAGE/lamina/guest/domu-disk-initrd.img"
cp "$ROOT"/dom0-tools/initramfs/examples/*.xml "$STAGE/etc/lamina/examples/"

(cd "$STAGE" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) > "$OUT/initrd.img.tmp"
mv "$OUT/initrd.img.tmp" "$OUT/initrd.img"
cp -L "$BUILD/pkgs/vmlinuz" "$OUT/vmlinuz"
echo "mkinitrd: $OUT/initrd.img ($(du -k "$OUT/initrd.img" | cut -f1) KiB), kernel $KVER"
