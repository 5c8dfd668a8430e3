#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# dom0 benchmark: the same Debian kernel and dom0 initramfs booted on Xen 4.17
# and on Lamina in one invocation, with the same QEMU command line and one (or --smp N)
# physical CPU (tests/system/run-dom0.sh --systest bench), one boot after the
# other so they never compete for the host's cores. Figures:
#   dom0-start    host time from launching QEMU to the hypervisor's "*** Serial input to DOM0"
#                 line (hypervisor boot and dom0 construction; informative, no goal)
#   boot-to-init  host time from launching QEMU to dom0's /init line on the serial port
#   getppid, fork-exit, fork-exec, page-fault: lam-bench inside dom0 (median of 5 rounds)
# and the ratio Lamina / Xen for each (goal: boot <= 0.8, the rest <= 1).
# Absolute figures mean little under TCG on a shared host; compare ratios.
#   run.sh [--runs N] [--smp N]
#     --runs N  N boots of each hypervisor (alternating which goes first)
#     --smp N   N emulated physical CPUs and N dom0 vCPUs (default 1); with N > 1 the
#               table also has evtchn-rtt, the cross-CPU event channel round trip
#               between two vCPUs of a test domain (tests/guests/smp-evtchn)
# Output also appended to $BUILD/results/bench-dom0.txt.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
export BUILD
RUNS=1
SMP=1
while [ $# -gt 0 ]; do
    case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --smp) SMP=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--smp N]" >&2; exit 2 ;;
    esac
done
OUT=$BUILD/results/bench-dom0.txt
mkdir -p "$BUILD/results" "$BUILD/system"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
NAMES="dom0-start boot-to-init getppid fork-exit fork-exec page-fault"
SYSARGS=() LOGTAG=v1
if ((SMP > 1)); then
    SYSARGS=(--smp "$SMP" --vcpus "$SMP")
    LOGTAG=v$SMP-smp$SMP
    NAMES="$NAMES evtchn-rtt"
fi

# figures HV DIR: boot once, leave "<name> <value> <unit>" lines in DIR/HV.
figures() {
    local hv=$1 dir=$2
    "$ROOT/tests/system/run-dom0.sh" --hv "$hv" --systest bench "${SYSARGS[@]}" \
        --results "$dir/$hv.checks" --timing "$dir/$hv.timing" >/dev/null 2>&1
    local log=$BUILD/system/$hv-bench-$LOGTAG.log
    {
        sed -n 's/^\([a-z0-9-]*\) \([0-9.]*\)$/\1 \2 s/p' "$dir/$hv.timing"
        sed -n 's/^BENCH \([a-z-]*\) \([0-9.]*\) \([a-z/]*\).*/\1 \2 \3/p' "$log"
        if ((SMP > 1)); then
            # The ping-pong test kernel prints "round trip <ns> ns" (2 vCPUs, -smp SMP).
            "$ROOT/tests/guests/run.sh" --hv "$hv" --smp "$SMP" --results "$dir/$hv.guest" \
                smp-evtchn >/dev/null 2>&1
            sed -n 's/^smp-evtchn: .*round trip \([0-9]*\) ns.*/evtchn-rtt \1 ns/p' \
                "$BUILD/guests/logs/$hv-smp-evtchn@smp$SMP.log"
        fi
    } >"$dir/$hv"
    grep -a '^BENCH-ERROR\|^SYSTEST FAIL' "$log" | sed "s/^/  $hv: /"
    cp "$log" "$dir/$hv.log"
}

table() { # DIR -> the figures side by side with ratios
    local dir=$1 name x l unit
    printf '  %-13s %18s %18s %8s\n' figure xen-4.17 lamina "lam/xen"
    for name in $NAMES; do
        x=$(awk -v n="$name" '$1 == n { print $2 }' "$dir/xen")
        l=$(awk -v n="$name" '$1 == n { print $2 }' "$dir/lamina")
        unit=$(awk -v n="$name" '$1 == n { print $3 }' "$dir/xen" "$dir/lamina" | head -n1)
        awk -v n="$name" -v x="${x:-}" -v l="${l:-}" -v u="${unit:-}" 'BEGIN {
            r = (x != "" && l != "" && x > 0) ? sprintf("%.2f", l / x) : "n/a"
            printf "  %-13s %18s %18s %8s\n", n, (x == "" ? "n/a" : x " " u),
                (l == "" ? "n/a" : l " " u), r }'
    done
}

{
    echo "# bench dom0: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)," \
        "QEMU -cpu max,-smap (Xen: max,-smap,-xsave, run-dom0.sh) -smp $SMP -m 1024, dom0_mem=512M dom0_max_vcpus=$SMP"
} | tee -a "$OUT"
for run in $(seq 1 "$RUNS"); do
    dir=$tmp/run$run
    mkdir -p "$dir"
    # Alternate the order so a drifting host load does not favour one side.
    if [ $((run % 2)) -eq 1 ]; then order="xen lamina"; else order="lamina xen"; fi
    for hv in $order; do figures "$hv" "$dir"; done
    echo "run $run of $RUNS (booted $order):" | tee -a "$OUT"
    table "$dir" | tee -a "$OUT"
done
