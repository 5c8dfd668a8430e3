#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Assemble build/dom0-xl/initrd.img, the Xen peer's dom0 initramfs: Lamina's dom0 image
# (build/dom0/root, staged by mkinitrd.sh, run first) plus Debian's own Xen 4.17 toolstack
# from the packages deps.sh unpacked under build/pkgs/xen-tools: xl, the C xenstored,
# oxenstored, xenconsoled, xenconsole, xen-init-dom0, the xenstore-* utilities and every
# library they load. Its /etc/lamina/services replaces Lamina's daemons with xencommons'
# steps done by hand (dom0-tools/initramfs/xen-services), so `xl list`, `xl info` and
# `xl create` work at the shell. The benchmarks and tests/system/dom0/xl.sh run in it;
# Lamina's own tools stay in the image for the comparisons.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
XT=$BUILD/pkgs/xen-tools/root
SRC=$BUILD/dom0/root
OUT=$BUILD/dom0-xl
STAGE=$OUT/root
XBIN=usr/lib/xen-4.17/bin
if [ ! -x "$XT/$XBIN/xl" ]; then
    echo "mk-xen-dom0-initrd: no $XT/$XBIN/xl (run scripts/deps.sh)" >&2
    exit 1
fi
[ -d "$SRC" ] || { echo "mk-xen-dom0-initrd: no $SRC (run scripts/mkinitrd.sh)" >&2; exit 1; }

rm -rf "$STAGE"
mkdir -p "$OUT"
cp -a "$SRC" "$STAGE"
mkdir -p "$STAGE/$XBIN" "$STAGE/usr/sbin" "$STAGE/usr/bin" "$STAGE/etc/xen" "$STAGE/etc/lamina"

# The programs, at Debian's paths (libxl runs xenconsole and libxl-save-helper from
# /usr/lib/xen-4.17/bin), and on PATH without Debian's version-picking wrappers.
XPROGS="xl xenstored oxenstored xenconsoled xenconsole xen-init-dom0 libxl-save-helper"
for p in $XPROGS; do
    cp "$XT/$XBIN/$p" "$STAGE/$XBIN/$p"
    ln -sf "/$XBIN/$p" "$STAGE/usr/sbin/$p"
done
UTILS=$(cd "$XT/usr/bin" && ls xenstore* 2>/dev/null | tr '\n' ' ')
for u in $UTILS; do cp -P "$XT/usr/bin/$u" "$STAGE/usr/bin/$u"; done
cp "$XT/etc/xen/xl.conf" "$XT/etc/xen/oxenstored.conf" "$STAGE/etc/xen/"

# Every library those programs load, taken from the downloaded packages only: a library
# found nowhere but on the build machine means deps.sh's list is short.
libpath=$XT/usr/lib/x86_64-linux-gnu:$XT/lib/x86_64-linux-gnu
need=$(for p in $XPROGS; do echo "$XT/$XBIN/$p"; done; for u in $UTILS; do echo "$XT/usr/bin/$u"; done)
for b in $need; do
    [ -L "$b" ] && continue
    LD_LIBRARY_PATH=$libpath ldd "$b" | awk '/=>/ {print $1}'
done | sort -u | while read -r lib; do
    found=
    for d in usr/lib/x86_64-linux-gnu lib/x86_64-linux-gnu; do
        if [ -e "$XT/$d/$lib" ]; then
            mkdir -p "$STAGE/$d"
            cp -L "$XT/$d/$lib" "$STAGE/$d/$lib"
            found=1
            break
        fi
    done
    if [ -z "$found" ]; then
        echo "mk-xen-dom0-initrd: $lib is in none of the downloaded packages (scripts/deps.sh)" >&2
        exit 1
    fi
done
mkdir -p "$STAGE/lib64"
cp -L "$XT/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" "$STAGE/lib64/ld-linux-x86-64.so.2"
# glibc loads libgcc_s at run time (pthread_cancel, unwinding), so ldd does not list it: xl
# aborted with "libgcc_s.so.1 must be installed for pthread_cancel to work" once the Lamina
# image (whose dynamic lam used to bring it) stopped carrying it.
mkdir -p "$STAGE/lib/x86_64-linux-gnu"
cp -L "$XT/lib/x86_64-linux-gnu/libgcc_s.so.1" "$STAGE/lib/x86_64-linux-gnu/libgcc_s.so.1"

# xencommons' steps instead of lamstored and lamconsoled; Xen's daemons use /var/run.
mkdir -p "$STAGE/var"
ln -sfn ../run "$STAGE/var/run"
cp "$ROOT/dom0-tools/initramfs/xen-services" "$STAGE/etc/lamina/services"

# The guest xl.sh and the benchmarks create is the demo guest mkinitrd.sh put in
# /lamina/guest (Debian's kernel, scripts/mkdomu-initrd.sh).
[ -f "$STAGE/lamina/guest/domu-initrd.img" ] ||
    { echo "mk-xen-dom0-initrd: no demo guest in $SRC/lamina/guest" >&2; exit 1; }

(cd "$STAGE" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) >"$OUT/initrd.img.tmp"
mv "$OUT/initrd.img.tmp" "$OUT/initrd.img"
echo "mk-xen-dom0-initrd: $OUT/initrd.img ($(du -k "$OUT/initrd.img" | cut -f1) KiB)"
