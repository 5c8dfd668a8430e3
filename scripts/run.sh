#!/usr/bin/env bash
# make run: boot Lamina in QEMU on the serial console.
#   LAMINA_KERNEL  first domain's kernel (default: the console test kernel;
#                  once Linux boots as dom0 (issue 6) this becomes build/dom0/vmlinuz)
#   LAMINA_ARGS    its command line
#   LAMINA_CMDLINE the hypervisor's command line
#   HV=xen         boot Debian's Xen 4.17 instead, with the same command line
# Quit QEMU with Ctrl-A X.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-$PWD/build}
kernel=${LAMINA_KERNEL:-$BUILD/guests/console.elf}
args=${LAMINA_ARGS:-}
cmdline=${LAMINA_CMDLINE:-console=com1 com1=115200 noreboot loglvl=all dom0_mem=64M}
hv=$BUILD/lamina
[ "${HV:-lamina}" = xen ] && hv=$BUILD/pkgs/xen-4.17
for f in "$hv" "$kernel"; do
  [ -f "$f" ] || { echo "run: $f is missing; run 'make' first" >&2; exit 1; }
done
echo "run: $(basename "$hv") with $(basename "$kernel") -- quit with Ctrl-A X" >&2
exec qemu-system-x86_64 -nographic -no-reboot -m 256 -cpu max \
  -kernel "$hv" -append "$cmdline" -initrd "$kernel${args:+ $args}" \
  -device isa-debug-exit,iobase=0xf4,iosize=0x04
