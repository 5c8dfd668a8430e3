#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Boot Debian's kernel as dom0 with the dom0 initramfs on Lamina or on Xen 4.17
# (the same QEMU and kernel command lines for both, so the test is differential),
# run an in-dom0 system test (/systest/<name>.sh, default tests/system/dom0/dom0.sh)
# and record its checks as "PASS|FAIL <hv>:<name>:<check>" lines.
#   run-dom0.sh [--hv lamina|xen] [--results FILE] [--vcpus N] [--smp N]
#               [--test|--systest NAME] [--timing FILE] [--cpu LABEL=MODEL]
#               [--acpi] [--disk virtio|ahci]... [--nic virtio|e1000]... [--domU "KERNEL [ARGS]"]...
#               [--initrd dom0|xl] [--mem MIB]
# --initrd xl: the Xen peer's dom0 image (build/dom0-xl/initrd.img,
# scripts/mk-xen-dom0-initrd.sh: Debian's xl, xenstored, xenconsoled as dom0's services)
# instead of Lamina's (build/dom0/initrd.img). --mem MIB: the machine's memory (QEMU -m,
# default 1024; dom0 keeps dom0_mem=512M, the rest is free for guests).
# --acpi: dom0 boots with ACPI (without acpi=off), so it sees the PCI bus.
# --disk virtio|ahci (repeatable): a virtio-blk disk, or a disk on an ICH9 AHCI controller,
# each a fresh 32 MiB image file per run whose first MiB holds random data (its SHA-256
# goes to dom0 as lamina.disksha256 / lamina.ahcisha256). After the run each image must
# hold at 1 MiB what dom0 reported writing ("DISKWRITE <kind> <sha256>"), and the PCI
# functions dom0 listed ("PCIDEV ..." lines) are kept in build/system/<hv>-<test>.pci.
# The virtio disk has one queue per dom0 vCPU (num-queues=N with --vcpus N).
# --nic virtio|e1000 (repeatable): a NIC on its own QEMU user network (IPv6 off), and an
# HTTP server on the build host's 127.0.0.1 (tests/system/net-server.py) that dom0
# reaches as 10.0.2.2, never another address: its port and the SHA-256 of the 4 MiB it
# serves go to dom0 as lamina.netport and lamina.netsha256. Without --nic QEMU adds
# its default NIC as before.
# --domU: a boot-time domU on Lamina (a test kernel under build/guests/, or a path, and
# its --domU module arguments, e.g. "console-peer mem=16M -- flood"), ids 1, 2, ... in
# order; without any, idle-peer (for dom0.sh's lam checks); "--domU none" for none.
# Xen 4.17 ignores them.
# --smp N: N emulated physical CPUs (QEMU -smp N, default 1); results are then
# tagged "-smpN" (e.g. lamina:dom0-2vcpu-smp2:...).
# --cpu LABEL=MODEL: QEMU -cpu MODEL instead of the default (max,-smap on Lamina,
# max,-smap,-xsave on Xen: see below); results are then tagged "-LABEL" (e.g.
# lamina:dom0-intel:..., lamina:cpu-skylake:...).
# --timing FILE: host-side times from launching QEMU, in seconds: "dom0-start"
# to the hypervisor's "*** Serial input to DOM0" line (both print it once dom0
# is built, just before it first runs) and "boot-to-init" to the serial line
# where dom0's /init reports ("init: ...").
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
HV=lamina
RESULTS=$BUILD/results/system.txt
VCPUS=1
SMP=1
SYSTEST=dom0
TIMING=
CPU_MODEL=
CPU_LABEL=
ACPI=off
DISKS=()
NICS=()
DOMUS=()
INITRD=dom0
MEM=1024
while [ $# -gt 0 ]; do
    case $1 in
    --hv) HV=$2; shift 2 ;;
    --results) RESULTS=$2; shift 2 ;;
    --vcpus) VCPUS=$2; shift 2 ;;
    --smp) SMP=$2; shift 2 ;;
    --test | --systest) SYSTEST=$2; shift 2 ;;
    --timing) TIMING=$2; shift 2 ;;
    --cpu) CPU_LABEL=${2%%=*}; CPU_MODEL=${2#*=}; shift 2 ;;
    --acpi) ACPI=on; shift ;;
    --disk) DISKS+=("$2"); shift 2 ;;
    --nic) NICS+=("$2"); shift 2 ;;
    --domU) DOMUS+=("$2"); shift 2 ;;
    --initrd) INITRD=$2; shift 2 ;;
    --mem) MEM=$2; shift 2 ;;
    *)
        echo "usage: $0 [--hv lamina|xen] [--results FILE] [--vcpus N] [--smp N] [--systest NAME]" \
            "[--timing FILE] [--cpu LABEL=MODEL] [--acpi] [--disk virtio|ahci]... [--nic virtio|e1000]..." \
            "[--domU \"KERNEL [ARGS]\"]..." \
            "[--initrd dom0|xl] [--mem MIB]" >&2
        exit 2
        ;;
    esac
done
case $HV in
lamina) image=$BUILD/lamina ;;
xen) image=$BUILD/pkgs/xen-4.17 ;;
*) echo "$0: unknown hypervisor '$HV'" >&2; exit 2 ;;
esac
case $INITRD in
dom0) initrd=$BUILD/dom0/initrd.img ;;
xl) initrd=$BUILD/dom0-xl/initrd.img ;;
*) echo "$0: unknown initrd '$INITRD'" >&2; exit 2 ;;
esac
# The default CPU: QEMU's max without SMAP (below). On Xen 4.17 also without XSAVE: with it,
# Xen under QEMU's TCG corrupts dom0's user programs while domUs run (segfaults reading
# other pages' data, with xl's domUs as with lam's; 0 of 4 segbase runs without XSAVE or on
# Nehalem, faults in most runs with it: docs/differences.md). Lamina keeps XSAVE.
if [ -z "$CPU_MODEL" ]; then
    case $HV in
    xen) CPU_MODEL=max,-smap,-xsave ;;
    *) CPU_MODEL=max,-smap ;;
    esac
fi
mkdir -p "$BUILD/system" "$(dirname "$RESULTS")"
log=$BUILD/system/$HV-$SYSTEST-v$VCPUS.log
tag="$HV:$SYSTEST"
[ "$VCPUS" != 1 ] && tag="$tag-${VCPUS}vcpu"
if [ "$SMP" != 1 ]; then
    tag="$tag-smp$SMP"
    log=$BUILD/system/$HV-$SYSTEST-v$VCPUS-smp$SMP.log
fi
if [ -n "$CPU_LABEL" ]; then
    tag="$tag-$CPU_LABEL"
    log=${log%.log}-$CPU_LABEL.log
fi
if [ ! -f "$image" ] || [ ! -f "$initrd" ]; then
    echo "FAIL $tag:completed (missing $image or $initrd)" >>"$RESULTS"
    exit 0
fi

# One command line for both hypervisors. -cpu max without SMAP: Debian's dom0 runs
# IRETQ in ring 3 (sync_core) and QEMU 7.2's TCG reads the IRET frame with supervisor
# accesses, which SMAP refuses on the (user) stack, so dom0 crashes on Xen 4.17 and on
# Lamina alike once they enforce SMAP (a QEMU bug: real CPUs pop it at CPL 3). PKU stays:
# the PV CPUID policy hides it from dom0, as Xen's does. On Xen, rtc-cmos
# takes IRQ 8 from the hvc console ("Flags mismatch irq 8") unless kept out.
# One physical CPU unless --smp; dom0's vCPUs are multiplexed on the CPUs.
hvargs="console=com1 com1=115200 noreboot loglvl=all dom0_mem=512M dom0_max_vcpus=$VCPUS"
kargs="console=hvc0 earlyprintk=xen quiet initcall_blacklist=cmos_init"
[ "$ACPI" = off ] && kargs="$kargs acpi=off"
kargs="$kargs lamina.systest=$SYSTEST lamina.hosttime=$(date +%s)"
kargs="$kargs lamina.vcpus=$VCPUS lamina.pcpus=$SMP"

# The disk: random data in the first MiB, zeros elsewhere.
qdisk=()
disk_imgs=()
for kind in ${DISKS[@]+"${DISKS[@]}"}; do
    img=${log%.log}.$kind.img
    head -c 1048576 /dev/urandom >"$img"
    truncate -s 32M "$img"
    sum=$(head -c 1048576 "$img" | sha256sum | cut -d' ' -f1)
    case $kind in
    virtio)
        kargs="$kargs lamina.disksha256=$sum"
        qdisk+=(-drive "file=$img,if=none,id=disk0,format=raw,cache=unsafe"
            -device "virtio-blk-pci,drive=disk0,num-queues=$VCPUS")
        ;;
    ahci)
        kargs="$kargs lamina.ahcisha256=$sum"
        qdisk+=(-drive "file=$img,if=none,id=disk1,format=raw,cache=unsafe"
            -device ich9-ahci,id=ahci0 -device ide-hd,drive=disk1,bus=ahci0.0)
        ;;
    *) echo "$0: unknown disk '$kind'" >&2; rm -f "$img"; exit 2 ;;
    esac
    disk_imgs+=("$kind=$img")
done

# The NICs, each on its own user network, and the host's server for them.
qnet=()
netsrv=
if [ ${#NICS[@]} -gt 0 ]; then
    blob=${log%.log}.net.blob
    portfile=${log%.log}.net.port
    rm -f "$portfile"
    head -c 4194304 /dev/urandom >"$blob"
    python3 "$ROOT/tests/system/net-server.py" --blob "$blob" --port-file "$portfile" \
        --lifetime "${LAMINA_SYSTEM_TIMEOUT:-600}" >"${log%.log}.net.log" 2>&1 &
    netsrv=$!
    for _ in $(seq 50); do [ -s "$portfile" ] && break; sleep 0.1; done
    kargs="$kargs lamina.netport=$(cat "$portfile" 2>/dev/null)"
    kargs="$kargs lamina.netsha256=$(sha256sum "$blob" | cut -d' ' -f1)"
    i=0
    for n in "${NICS[@]}"; do
        case $n in
        virtio) dev=virtio-net-pci ;;
        e1000) dev=e1000 ;;
        *) echo "$0: unknown NIC '$n'" >&2; kill "$netsrv"; exit 2 ;;
        esac
        qnet+=(-netdev "user,id=net$i,ipv6=off" -device "$dev,netdev=net$i")
        i=$((i + 1))
    done
fi

# A boot-time domU for the lam checks (Lamina's --domU modules; Xen 4.17 ignores
# modules after the initrd, and dom0.sh then skips those checks).
domu=
[ ${#DOMUS[@]} -eq 0 ] && [ -f "$BUILD/guests/idle-peer.elf" ] && DOMUS=("idle-peer mem=16M")
[ "${DOMUS[*]}" = none ] && DOMUS=()
for d in "${DOMUS[@]}"; do
    kernel=${d%% *} args=
    [ "$kernel" != "$d" ] && args=" ${d#* }"
    [ -f "$kernel" ] || kernel=$BUILD/guests/$kernel.elf
    domu="$domu,$kernel --domU$args"
done

# QEMU's serial output goes through a FIFO so each line is seen (and timed) as it
# arrives. Lamina ends QEMU itself (isa-debug-exit) when dom0 powers off; Xen
# halts the machine instead, so QEMU is stopped once Xen reports dom0's end.
fifo=$(mktemp -u "$BUILD/system/serial.XXXXXX")
mkfifo "$fifo"
trap 'rm -f "$fifo"; [ -n "$netsrv" ] && kill "$netsrv" 2>/dev/null' EXIT
: >"$log"
start=$EPOCHREALTIME
timeout "${LAMINA_SYSTEM_TIMEOUT:-600}" qemu-system-x86_64 -nographic -no-reboot -m "$MEM" \
    -cpu "$CPU_MODEL" -smp "$SMP" \
    -kernel "$image" -append "$hvargs" \
    -initrd "$BUILD/dom0/vmlinuz $kargs,$initrd$domu" \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 "${qdisk[@]}" ${qnet[@]+"${qnet[@]}"} \
    </dev/null >"$fifo" 2>&1 &
qemu=$!
init_at= dom0_at=
while IFS= read -r line; do
    line=${line%$'\r'}
    printf '%s\n' "$line" >>"$log"
    case $line in
    init:*) [ -z "$init_at" ] && init_at=$EPOCHREALTIME ;;
    *"*** Serial input to DOM0"*) [ -z "$dom0_at" ] && dom0_at=$EPOCHREALTIME ;;
    "(XEN) Hardware Dom0 "* | "(XEN) Hardware domain 0 "*) kill "$qemu" 2>/dev/null ;;
    esac
done <"$fifo"
wait "$qemu"
status=$?

if [ -n "$TIMING" ]; then
    : >"$TIMING"
    [ -n "$dom0_at" ] && awk -v a="$start" -v b="$dom0_at" \
        'BEGIN { printf "dom0-start %.3f\n", b - a }' >>"$TIMING"
    [ -n "$init_at" ] && awk -v a="$start" -v b="$init_at" \
        'BEGIN { printf "boot-to-init %.3f\n", b - a }' >>"$TIMING"
fi

sed -n 's/^SYSTEST \(PASS\|FAIL\|SKIP\) \([^:]*\).*/\1 '"$tag"':\2/p' "$log" >>"$RESULTS"
if ! grep -aq '^SYSTEST DONE' "$log"; then
    echo "FAIL $tag:completed (no SYSTEST DONE; QEMU status $status; log $log)" >>"$RESULTS"
else
    echo "PASS $tag:completed" >>"$RESULTS"
fi
if [ -n "$netsrv" ]; then
    kill "$netsrv" 2>/dev/null
    wait "$netsrv" 2>/dev/null
    rm -f "$blob" "$portfile"
    netsrv=
fi
# What dom0 wrote at 1 MiB of each disk ("DISKWRITE <kind> <sha256>") must be there.
[ ${#disk_imgs[@]} -gt 0 ] && grep -a '^PCIDEV ' "$log" | cut -d' ' -f2- >"${log%.log}.pci"
for d in ${disk_imgs[@]+"${disk_imgs[@]}"}; do
    kind=${d%%=*} img=${d#*=}
    wrote=$(sed -n "s/^DISKWRITE $kind \([0-9a-f]*\).*/\1/p" "$log" | head -n1)
    ondisk=$(dd if="$img" bs=65536 skip=16 count=16 2>/dev/null | sha256sum | cut -d' ' -f1)
    check=disk-write-in-image
    [ "$kind" != virtio ] && check=$kind-write-in-image
    if [ -n "$wrote" ] && [ "$wrote" = "$ondisk" ]; then
        echo "PASS $tag:$check" >>"$RESULTS"
    else
        echo "FAIL $tag:$check (dom0 wrote '${wrote:-nothing}', image has $ondisk)" >>"$RESULTS"
    fi
    rm -f "$img"
done
# How each hypervisor reports dom0's own poweroff.
case $HV in
lamina) off='Domain 0 shutdown: reason 0 (poweroff)' ;;
xen) off='(XEN) Hardware Dom0 halted: halting machine' ;;
esac
# With ACPI, dom0 powers off through Xen's ACPI S5 (XENPF_enter_acpi_sleep) instead.
off2=$off
[ "$HV" = xen ] && [ "$ACPI" = on ] && off2='(XEN) Entering ACPI S5 state.'
if grep -aqF "$off" "$log" || grep -aqF "$off2" "$log"; then
    echo "PASS $tag:clean-poweroff" >>"$RESULTS"
else
    echo "FAIL $tag:clean-poweroff (log $log)" >>"$RESULTS"
fi
if [ "$HV" = lamina ]; then
    if grep -aq 'audit d0: 0 frame(s) with unbalanced counts' "$log"; then
        echo "PASS $tag:frame-audit" >>"$RESULTS"
    else
        echo "FAIL $tag:frame-audit (log $log)" >>"$RESULTS"
    fi
fi
grep -a 'SYSTEST FAIL' "$log" | sed 's/^/  /'
exit 0
