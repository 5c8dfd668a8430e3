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
# The PCI disk drivers the hardware system test loads (tests/system/dom0/pci.sh),
# in dependency order: virtio_ring, virtio, the two virtio-pci transports, virtio_pci,
# virtio_blk.
KDRV=$BUILD/pkgs/root/lib/modules/$KVER/kernel/drivers
mkdir -p "$STAGE/lib/modules/pci"
for m in virtio/virtio_ring virtio/virtio virtio/virtio_pci_legacy_dev \
    virtio/virtio_pci_modern_dev virtio/virtio_pci block/virtio_blk; do
    cp "$KDRV/$m.ko" "$STAGE/lib/modules/pci/"
done
cp "$ROOT/dom0-tools/initramfs/init" "$STAGE/init"
chmod +x "$STAGE/init"
echo "root:x:0:0:root:/root:/bin/sh" > "$STAGE/etc/passwd"

# Lamina's tools and every shared library they need (resolved with ldd).
for t in "$BUILD"/bin/*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    cp "$t" "$STAGE/lamina/bin/"
    ldd "$t" 2>/dev/null | awk '/=>/ {print $3} /^\t\/lib/ {print $1}' | while read -r lib; do
        [ -f "$lib" ] || continue
        mkdir -p "$STAGE$(dirname "$lib")"
        cp -L "$lib" "$STAGE$lib"
    done
done
# The dynamic loader at its canonical path.
if [ -f /lib64/ld-linux-x86-64.so.2 ]; then
    mkdir -p "$STAGE/lib64" && cp -L /lib64/ld-linux-x86-64.so.2 "$STAGE/lib64/"
fi
# The toolstack benchmark's small guest (tests/system/dom0/toolbench.sh): a PV test kernel
# that blocks at once.
if [ -f "$BUILD/guests/idle-peer.elf" ]; then
    mkdir -p "$STAGE/lamina/guest"
    cp "$BUILD/guests/idle-peer.elf" "$STAGE/lamina/guest/idle-peer.elf"
fi
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
cp "$ROOT"/dom0-tools/initramfs/examples/*.xml "$STAGE/etc/lamina/examples/"

(cd "$STAGE" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) > "$OUT/initrd.img.tmp"
mv "$OUT/initrd.img.tmp" "$OUT/initrd.img"
cp -L "$BUILD/pkgs/vmlinuz" "$OUT/vmlinuz"
echo "mkinitrd: $OUT/initrd.img ($(du -k "$OUT/initrd.img" | cut -f1) KiB), kernel $KVER"
