#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Null hypercall benchmark: boot build/guests/bench-hypercall.elf on Xen 4.17
# and on Lamina in the same invocation (same QEMU command line, run one after
# the other so they do not compete for the CPUs), and print cycles per call
# for each and the ratio Lamina / Xen (goal: <= 1). Absolute numbers mean
# little under TCG; the ratio from one run is what to compare.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
export BUILD
KERNEL=$BUILD/guests/bench-hypercall.elf
if [ ! -f "$KERNEL" ]; then
    echo "bench-hypercall: $KERNEL missing (make -C tests/guests all)" >&2
    exit 1
fi
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$ROOT/tests/guests/run.sh" --jobs 1 --hv both --results "$tmp" bench-hypercall >/dev/null 2>&1

cycles() { # hv -> median cycles per call, or empty
    sed -n 's/^bench: .* median \([0-9]*\) cycles\/call.*/\1/p' \
        "$BUILD/guests/logs/$1-bench-hypercall.log" 2>/dev/null | head -n1
}
xen=$(cycles xen)
lam=$(cycles lamina)
echo "bench hypercall: null hypercall (xen_version 0) round trip, median cycles/call"
echo "  xen-4.17: ${xen:-n/a}"
echo "  lamina:   ${lam:-n/a}"
if [ -n "$xen" ] && [ -n "$lam" ] && [ "$xen" -gt 0 ]; then
    awk -v l="$lam" -v x="$xen" 'BEGIN { printf "  ratio lamina/xen: %.2f\n", l / x }'
else
    echo "  ratio lamina/xen: n/a (a run did not report; see $BUILD/guests/logs/*-bench-hypercall.log)"
fi
