#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Installs what the build and the tests need on a fresh Debian 12 machine, and
# fetches Debian's kernel, Xen 4.17 and Xen 4.17's toolstack packages into build/pkgs
# (unpacked there, never installed into /boot or /usr). Idempotent: a second run does nothing.
set -euo pipefail

BUILD=${BUILD:-build}
PKGS="$BUILD/pkgs"

APT_PACKAGES=(
  build-essential clang lld llvm clang-format clang-tidy cppcheck
  qemu-system-x86 busybox-static cpio xz-utils zstd gzip
  libxml2-dev libxml2-utils uuid-dev libssl-dev libcmocka-dev liblzma-dev libzstd-dev zlib1g-dev
  xenstore-utils python3 gdb qemu-utils
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$PKGS"

# fetch_unpack META: apt-get download the package META depends on (the
# versioned one), unpack it under build/pkgs/root.
fetch_unpack() {
  local want=$1 stamp="$PKGS/.$1.stamp"
  [ -f "$stamp" ] && return 0
  (cd "$PKGS" && apt-get download -q "$want" >/dev/null)
  local deb
  deb=$(ls -t "$PKGS"/"$want"_*.deb | head -n1)
  dpkg-deb -x "$deb" "$PKGS/root"
  touch "$stamp"
}

dep_of() { # first Depends entry of a metapackage matching a pattern
  apt-cache depends "$1" 2>/dev/null | awk -v pat="$2" '$1 ~ /Depends:/ && $2 ~ pat {print $2; exit}'
}

if [ ! -f "$PKGS/.kernel.stamp" ]; then
  [ -n "$(apt-cache policy linux-image-amd64 | grep Candidate)" ] || apt-get update -qq
  kpkg=$(dep_of linux-image-amd64 '^linux-image-[0-9]')
  [ -n "$kpkg" ] || { echo "deps: cannot resolve linux-image-amd64" >&2; exit 1; }
  fetch_unpack "$kpkg"
  kimg=$(ls "$PKGS"/root/boot/vmlinuz-* | head -n1)
  ln -sf "$(realpath "$kimg")" "$PKGS/vmlinuz"
  echo "${kpkg#linux-image-}" > "$PKGS/kernel-version"
  touch "$PKGS/.kernel.stamp"
fi

if [ ! -f "$PKGS/.xen.stamp" ]; then
  fetch_unpack xen-hypervisor-4.17-amd64
  gz=$(ls "$PKGS"/root/boot/xen-4.17-amd64.gz | head -n1)
  gunzip -c "$gz" > "$PKGS/xen-4.17"
  touch "$PKGS/.xen.stamp"
fi
# Debian's own Xen 4.17 toolstack (xl, xenstored, oxenstored, xenconsoled) and every
# library it loads, for the Xen peer dom0 initramfs (scripts/mk-xen-dom0-initrd.sh):
# downloaded and unpacked under build/pkgs/xen-tools, never installed here. The list is
# the closure of the binaries the image carries; mk-xen-dom0-initrd.sh refuses a library
# that is not in it.
XEN_TOOLS_DEBS=(
  xen-utils-4.17 xen-utils-common xenstore-utils libxenmisc4.17 libxenstore4 libxentoolcore1
  libxencall1 libxenevtchn1 libxenforeignmemory1 libxengnttab1 libxendevicemodel1 libxenhypfs1
  libxentoollog1 libyajl2 libc6 libuuid1 zlib1g liblzma5 libzstd1 libgcc-s1
)
# The stamp names the list's version: a longer list downloads again.
if [ ! -f "$PKGS/.xen-tools-2.stamp" ]; then
  mkdir -p "$PKGS/xen-tools/debs"
  (cd "$PKGS/xen-tools/debs" && apt-get download -q "${XEN_TOOLS_DEBS[@]}" >/dev/null)
  for deb in "$PKGS"/xen-tools/debs/*.deb; do dpkg-deb -x "$deb" "$PKGS/xen-tools/root"; done
  touch "$PKGS/.xen-tools-2.stamp"
fi
echo "deps: ok (kernel $(cat "$PKGS/kernel-version"), xen 4.17, xen-utils-4.17 in $PKGS/xen-tools)"
