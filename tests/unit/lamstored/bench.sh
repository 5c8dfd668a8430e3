#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Store benchmark: lamstored, and Debian's C xenstored (Xen 4.17) when it can
# run on this host, measured in the same run with ratios. $DAEMON and $BENCH
# name the binaries; XEN_XENSTORED may name Xen's daemon (otherwise the
# copy unpacked under build/pkgs, if any, is tried).
set -u
SECS=${BENCH_SECONDS:-1}
dir=$(mktemp -d /tmp/lamstored-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$dir"; }
trap cleanup EXIT

"$DAEMON" --socket "$dir/lam.sock" --ro-socket "$dir/lam_ro.sock" --no-rings 2>"$dir/lam.log" &
pids+=($!)
for _ in $(seq 100); do [ -S "$dir/lam.sock" ] && break; sleep 0.05; done
echo "# lamstored ($SECS s per run)"
"$BENCH" "$dir/lam.sock" "$SECS" | tee "$dir/lam.txt"

# Xen 4.17's C xenstored, if present and able to serve a socket client here.
xs=${XEN_XENSTORED:-}
root=$(dirname "$DAEMON")/../pkgs/root
[ -z "$xs" ] && [ -x "$root/usr/lib/xen-4.17/bin/xenstored" ] && xs=$root/usr/lib/xen-4.17/bin/xenstored
if [ -z "$xs" ] || [ ! -x "$xs" ]; then
  echo "# xen-4.17 xenstored: not unpacked here (xen-utils-4.17); no comparison"
  exit 0
fi
libs=$(find "$(dirname "$xs")/../../.." -name 'libxen*.so*' -printf '%h\n' 2>/dev/null | sort -u | tr '\n' ':')
mkdir -p "$dir/xen"
XENSTORED_RUNDIR=$dir/xen LD_LIBRARY_PATH=$libs "$xs" -N -D 2>"$dir/xen.log" &
pids+=($!)
for _ in $(seq 100); do [ -S "$dir/xen/socket" ] && break; sleep 0.05; done
if ! XENSTORED_PATH=$dir/xen/socket timeout 5 xenstore-write /probe 1 2>/dev/null; then
  echo "# xen-4.17 xenstored: cannot serve socket clients on a host without Xen"
  echo "#   (with -D it crashes on the first write; without -D it needs /dev/xen/privcmd)"
  echo "#   peer figures in Xen 4.17's dom0: tests/bench/toolstack/run.sh --only store"
  exit 0
fi
echo "# xen-4.17 xenstored"
"$BENCH" "$dir/xen/socket" "$SECS" | tee "$dir/xen.txt"
echo "# ratios lamstored / xen-4.17 (ops/s)"
paste -d' ' "$dir/lam.txt" "$dir/xen.txt" | awk '{
  split($3, a, "="); split($9, b, "=");
  printf "%-10s %-12s ratio=%.2f\n", $1, $2, (b[2] > 0 ? a[2] / b[2] : 0) }'
