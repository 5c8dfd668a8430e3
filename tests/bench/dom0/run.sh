#!/usr/bin/env bash
# dom0 benchmark: the same Debian kernel and dom0 initramfs booted on Xen 4.17
# and on Lamina in one invocation, with the same QEMU command line and one
# physical CPU (tests/system/run-dom0.sh --systest bench), one boot after the
# other so they never compete for the host's cores. Figures:
#   dom0-start    host time from launching QEMU to the hypervisor's "*** Serial input to DOM0"
#                 line (hypervisor boot and dom0 construction; informative, no goal)
#   boot-to-init  host time from launching QEMU to dom0's /init line on the serial port
#   getppid, fork-exit, fork-exec, page-fault: lam-bench inside dom0 (median of 5 rounds)
# and the ratio Lamina / Xen for each (goal: boot <= 0.8, the rest <= 1).
# Absolute figures mean little under TCG on a shared host; compare ratios.
#   run.sh [--runs N]     N boots of each hypervisor (alternating which goes first)
# Output also appended to $BUILD/results/bench-dom0.txt.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
export BUILD
RUNS=1
while [ $# -gt 0 ]; do
    case $1 in
    --runs) RUNS=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N]" >&2; exit 2 ;;
    esac
done
OUT=$BUILD/results/bench-dom0.txt
mkdir -p "$BUILD/results" "$BUILD/system"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
NAMES="dom0-start boot-to-init getppid fork-exit fork-exec page-fault"

# figures HV DIR: boot once, leave "<name> <value> <unit>" lines in DIR/HV.
figures() {
    local hv=$1 dir=$2
    "$ROOT/tests/system/run-dom0.sh" --hv "$hv" --systest bench \
        --results "$dir/$hv.checks" --timing "$dir/$hv.timing" >/dev/null 2>&1
    {
        sed -n 's/^\([a-z0-9-]*\) \([0-9.]*\)$/\1 \2 s/p' "$dir/$hv.timing"
        sed -n 's/^BENCH \([a-z-]*\) \([0-9.]*\) \([a-z/]*\).*/\1 \2 \3/p' \
            "$BUILD/system/$hv-bench-v1.log"
    } >"$dir/$hv"
    grep -a '^BENCH-ERROR\|^SYSTEST FAIL' "$BUILD/system/$hv-bench-v1.log" | sed "s/^/  $hv: /"
    cp "$BUILD/system/$hv-bench-v1.log" "$dir/$hv.log"
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
        "QEMU -cpu max,-smap,-pku -smp 1 -m 1024, dom0_mem=512M"
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
