#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Assemble build/dom0/domu-initrd.img, the demo guest's initramfs: busybox-static and
# dom0-tools/initramfs/domu/init (a console shell, or poweroff with lamina.domu=poweroff).
# mkinitrd.sh puts it, Debian's vmlinuz and /etc/lamina/examples/demo.xml into dom0's image.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
OUT=$BUILD/dom0
STAGE=$OUT/domu-root
rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,sbin,etc,proc,sys,dev,tmp,root,usr/bin,usr/sbin}
cp /bin/busybox "$STAGE/bin/busybox"
cp "$ROOT/dom0-tools/initramfs/domu/init" "$STAGE/init"
chmod +x "$STAGE/init"
echo "root:x:0:0:root:/root:/bin/sh" > "$STAGE/etc/passwd"
(cd "$STAGE" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9) > "$OUT/domu-initrd.img.tmp"
mv "$OUT/domu-initrd.img.tmp" "$OUT/domu-initrd.img"
echo "mkdomu-initrd: $OUT/domu-initrd.img ($(du -k "$OUT/domu-initrd.img" | cut -f1) KiB)"
