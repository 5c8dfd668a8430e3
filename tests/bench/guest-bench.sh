#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Shared runner of the benchmark kernels (tests/bench/<name>/): boot
# build/guests/<kernel>.elf on Xen 4.17 and on Lamina in the same invocation
# (same QEMU command line, one after the other so they do not compete for the
# CPUs) and print, per operation, the median cycles on each and the ratio
# Lamina / Xen (goal: <= 1). Absolute numbers mean little under TCG; the
# ratios from one run are what to compare.
#   guest-bench.sh KERNEL TITLE OPERATION...
# Each OPERATION is the text after "bench: " in the kernel's lines
# "bench: <operation> ... median <N> cycles/...".
set -u
kernel=$1 title=$2
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
export BUILD
# Several rounds of each operation take a while under software emulation.
export LAMINA_GUEST_TIMEOUT=${LAMINA_GUEST_TIMEOUT:-300}
if [ ! -f "$BUILD/guests/$kernel.elf" ]; then
    echo "$kernel: $BUILD/guests/$kernel.elf missing (make -C tests/guests all)" >&2
    exit 1
fi
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$ROOT/tests/guests/run.sh" --jobs 1 --hv both --results "$tmp" "$kernel" >/dev/null 2>&1

median() { # hv, operation prefix -> median cycles, or empty
    grep -F "bench: $2" "$BUILD/guests/logs/$1-$kernel.log" 2>/dev/null |
        sed -n 's/.* median \([0-9]*\) cycles\/.*/\1/p' | head -n1
}
echo "$title, median cycles per operation"
printf '  %-36s %12s %12s %8s\n' operation xen-4.17 lamina ratio
for op in "$@"; do
    xen=$(median xen "$op")
    lam=$(median lamina "$op")
    ratio=n/a
    if [ -n "$xen" ] && [ -n "$lam" ] && [ "$xen" -gt 0 ]; then
        ratio=$(awk -v l="$lam" -v x="$xen" 'BEGIN { printf "%.2f", l / x }')
    fi
    printf '  %-36s %12s %12s %8s\n' "$op" "${xen:-n/a}" "${lam:-n/a}" "$ratio"
done
for hv in xen lamina; do
    if ! grep -q '^PASS' <(grep -F "$kernel" "$tmp" | grep -F "$hv") 2>/dev/null; then
        echo "  $hv: run did not succeed ($(grep -F "$hv" "$tmp" | head -n1)); see" \
            "$BUILD/guests/logs/$hv-$kernel.log"
    fi
done
