#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Assemble build/dom0/domu-disk-initrd.img, the disk system test's guest initramfs
# (tests/system/dom0/disk.sh): busybox-static, Debian's xen-blkfront and ext4 modules for
# the kernel the guest runs (the one dom0 runs), mke2fs and e2fsck with the libraries they
# link, lam-disktest, and tests/system/disk-guest/init. mkinitrd.sh puts it into dom0's image.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
OUT=$BUILD/dom0
STAGE=$OUT/domu-disk-root
KVER=$(cat "$BUILD/pkgs/kernel-version")
KMOD=$BUILD/pkgs/root/lib/modules/$KVER/kernel
rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,sbin,etc,proc,sys,dev,tmp,mnt,root,usr/bin,usr/sbin,lib/modules}
cp /bin/busybox "$STAGE/bin/busybox"
cp "$ROOT/tests/system/disk-guest/init" "$STAGE/init"
chmod +x "$STAGE/init"
echo "root:x:0:0:root:/root:/bin/sh" > "$STAGE/etc/passwd"
# Loaded in this order by /init (ext4's dependencies first).
for m in drivers/block/xen-blkfront lib/crc16 crypto/crc32c_generic fs/mbcache fs/jbd2/jbd2 fs/ext4/ext4; do
    cp "$KMOD/$m.ko" "$STAGE/lib/modules/$(basename "$m").ko"
done
cp "$BUILD/systest-bin/lam-disktest" "$STAGE/bin/lam-disktest"
# e2fsprogs from the build host, with what they link (optional: the test says SKIP without),
# in /e2fs: busybox's own mke2fs applet must not stand in for them.
[ -f /etc/mke2fs.conf ] && cp /etc/mke2fs.conf "$STAGE/etc/"
mkdir -p "$STAGE/e2fs"
for t in /sbin/mke2fs /sbin/e2fsck; do
    [ -x "$t" ] || continue
    cp "$t" "$STAGE/e2fs/"
    ldd "$t" 2>/dev/null | awk '/=>/ {print $3} /^\t\/lib/ {print $1}' | while read -r lib; do
        [ -f "$lib" ] || continue
        mkdir -p "$STAGE$(dirname "$lib")"
        cp -L "$lib" "$STAGE$lib"
    done
done
if [ -f /lib64/ld-linux-x86-64.so.2 ]; then
    mkdir -p "$STAGE/lib64" && cp -L /lib64/ld-linux-x86-64.so.2 "$STAGE/lib64/"
fi
(cd "$STAGE" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -6) > "$OUT/domu-disk-initrd.img.tmp"
mv "$OUT/domu-disk-initrd.img.tmp" "$OUT/domu-disk-initrd.img"
echo "mkdomu-disk-initrd: $OUT/domu-disk-initrd.img ($(du -k "$OUT/domu-disk-initrd.img" | cut -f1) KiB)"
