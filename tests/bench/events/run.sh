#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Events and system calls benchmark, Lamina against Xen 4.17 in one run:
#  - guest system-call round trip from user mode (test kernel user-syscall),
#  - event channel ping-pong between two vCPUs of dom0 over IPI ports (evtchn-vcpus),
#  - event channel ping-pong between dom0 and a boot-time domU (evtchn-2dom): Lamina
#    only, as Xen 4.17 cannot start domains at boot on x86.
# The kernels are test kernels (tests/guests), which also check what they time.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
export BUILD
"$HERE/../guest-bench.sh" user-syscall "bench events: guest system call from user mode" \
    "syscall round trip from user mode"
"$HERE/../guest-bench.sh" evtchn-vcpus "bench events: event channel between two dom0 vCPUs" \
    "evtchn round trip vCPU0<->vCPU1"

# Two boot-time domains: Lamina alone.
tmp=$(mktemp)
rm -f "$BUILD/guests/logs/lamina-evtchn-2dom.log" # no stale figure
trap 'rm -f "$tmp"' EXIT
"$ROOT/tests/guests/run.sh" --jobs 1 --hv lamina --results "$tmp" evtchn-2dom >/dev/null 2>&1
lam=$(grep -F "bench: evtchn round trip dom0<->d1" "$BUILD/guests/logs/lamina-evtchn-2dom.log" \
    2>/dev/null | sed -n 's/.* median \([0-9]*\) cycles\/.*/\1/p' | head -n1)
echo "bench events: event channel between two boot-time domains, median cycles per operation"
printf '  %-36s %12s %12s %8s\n' operation xen-4.17 lamina ratio
printf '  %-36s %12s %12s %8s\n' "evtchn round trip dom0<->d1" n/a "${lam:-n/a}" n/a
echo "  xen-4.17: not measured: Xen 4.17 cannot start domains at boot on x86 (no domU"
echo "  without a toolstack); compare the vCPU ping-pong above instead."
grep -q '^PASS' "$tmp" || echo "  lamina: run did not succeed; see $BUILD/guests/logs/lamina-evtchn-2dom.log"
