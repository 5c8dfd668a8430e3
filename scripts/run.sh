#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make run: boot Lamina in QEMU with Debian's kernel as dom0 (a root shell on the
# serial console; 'poweroff' ends QEMU, Ctrl-A X quits QEMU at any time).
#   LAMINA_KERNEL  first domain's kernel (default build/dom0/vmlinuz; a test kernel
#                  such as build/guests/console.elf works too)
#   LAMINA_ARGS    its command line
#   LAMINA_INITRD  its initrd (default build/dom0/initrd.img with the default kernel)
#   LAMINA_CMDLINE the hypervisor's command line
#   LAMINA_MEM     QEMU memory (default 1024M)
#   HV=xen         boot Debian's Xen 4.17 instead, with the same command line
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-$PWD/build}
kernel=${LAMINA_KERNEL:-$BUILD/dom0/vmlinuz}
if [ -z "${LAMINA_KERNEL:-}" ]; then
    args=${LAMINA_ARGS:-console=hvc0 earlyprintk=xen acpi=off initcall_blacklist=cmos_init}
    initrd=${LAMINA_INITRD:-$BUILD/dom0/initrd.img}
else
    args=${LAMINA_ARGS:-}
    initrd=${LAMINA_INITRD:-}
fi
cmdline=${LAMINA_CMDLINE:-console=com1 com1=115200 noreboot loglvl=info dom0_mem=512M}
hv=$BUILD/lamina
[ "${HV:-lamina}" = xen ] && hv=$BUILD/pkgs/xen-4.17
for f in "$hv" "$kernel" ${initrd:+"$initrd"}; do
    [ -f "$f" ] || { echo "run: $f is missing; run 'make' first" >&2; exit 1; }
done
modules="$kernel${args:+ $args}${initrd:+,$initrd}"
echo "run: $(basename "$hv") with $(basename "$kernel") -- 'poweroff' in dom0 or Ctrl-A X quits" >&2
status=0
# -smap: Debian's dom0 kernel runs IRETQ in ring 3 (sync_core), and QEMU 7.2's TCG reads the
# IRET frame with supervisor accesses, which SMAP refuses on the (user) kernel stack: dom0
# dies on either hypervisor once it enforces SMAP (docs/security/smap.md). PKU stays shown to
# the hypervisor: the PV CPUID policy hides it from guests, as Xen's (docs/security/cpuid.md).
qemu-system-x86_64 -nographic -no-reboot -m "${LAMINA_MEM:-1024M}" -cpu max,-smap \
    -kernel "$hv" -append "$cmdline" -initrd "$modules" \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 || status=$?
# isa-debug-exit: 1 means dom0 powered off cleanly (0 means QEMU was quit by hand).
case $status in 0 | 1) exit 0 ;; 3) echo "run: dom0 crashed or the hypervisor panicked" >&2 ;; esac
exit $status
