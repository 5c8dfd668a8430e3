#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Build a lean PV-only Linux for Lamina from Debian's linux-source package.
# Optional: the tests use Debian's stock linux-image-amd64, which needs nothing.
#   build-lean-kernel.sh dom0|domu [OUTDIR]
# Needs: apt-get install linux-source build-essential bc bison flex libelf-dev libssl-dev
set -euo pipefail
variant=${1:?usage: $0 dom0|domu [OUTDIR]}
case $variant in dom0 | domu) ;; *) echo "variant must be dom0 or domu" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
out=${2:-$here/../build/lean-$variant}
src=$(ls -d /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n1)
[ -n "$src" ] || { echo "linux-source is not installed (apt-get install linux-source)" >&2; exit 1; }
mkdir -p "$out"
[ -d "$out/linux" ] || { tar -C "$out" -xf "$src" && mv "$out"/linux-source-* "$out/linux"; }
cd "$out/linux"
for p in "$here"/patches/*.patch; do
    [ -f "$p" ] && { patch -p1 -N --dry-run <"$p" >/dev/null && patch -p1 -N <"$p"; }
done
make tinyconfig >/dev/null
scripts/kconfig/merge_config.sh -m .config "$here/pv-common.config" "$here/pv-$variant.config" >/dev/null
make olddefconfig >/dev/null
make -j"$(nproc)" bzImage
cp arch/x86/boot/bzImage "$out/vmlinuz"
echo "built $out/vmlinuz ($(du -k "$out/vmlinuz" | cut -f1) KiB)"
