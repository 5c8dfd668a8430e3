#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Toolstack and store benchmarks against the Xen peer (docs/benchmarks.md), one boot after
# the other so they never compete for the host's cores, the same QEMU command line
# (tests/system/run-dom0.sh, -smp 1, --mem 2560 so 50 guests of 32 MiB fit beside dom0's
# 512 MiB):
#  1. store: Xen 4.17 booting the Xen peer's dom0 image (run-dom0.sh --initrd xl, Debian's
#     xen-utils-4.17), where Debian's C xenstored, oxenstored and lamstored each serve dom0
#     in turn and the same client (lam-store-bench) measures them over the Unix socket, two
#     rounds in opposite orders (tests/system/dom0/storebench.sh). Table: ops/s of each
#     daemon (mean of the rounds) and lamstored / xenstored, lamstored / oxenstored.
#  2. toolstack: tests/system/dom0/toolbench.sh on Xen 4.17 with xl (the peer image), on
#     Xen 4.17 with lam (Lamina's dom0 image: lam, lamstored, lamconsoled) and on Lamina with
#     lam. Table: each figure, Lamina+lam / Xen+xl, and the goal; the middle column tells the
#     toolstack's share from the hypervisor's.
# Absolute figures mean little under TCG on a shared host; compare ratios.
#   run.sh [--only store|toolstack]
# Output also appended to $BUILD/results/bench-toolstack.txt.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
export BUILD
ONLY=
while [ $# -gt 0 ]; do
    case $1 in
    --only) ONLY=$2; shift 2 ;;
    *) echo "usage: $0 [--only store|toolstack]" >&2; exit 2 ;;
    esac
done
OUT=$BUILD/results/bench-toolstack.txt
mkdir -p "$BUILD/results" "$BUILD/system"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
RUN=$ROOT/tests/system/run-dom0.sh

# boot HV INITRD TEST [ARGS...]: one boot; its log's path on stdout, failed checks on stderr.
boot() {
    local hv=$1 initrd=$2 test=$3
    shift 3
    LAMINA_SYSTEM_TIMEOUT=${LAMINA_SYSTEM_TIMEOUT:-1500} "$RUN" --hv "$hv" --initrd "$initrd" \
        --test "$test" --results "$tmp/$hv-$test.checks" "$@" >/dev/null 2>&1
    grep '^FAIL' "$tmp/$hv-$test.checks" | sed "s/^/  /" >&2
    echo "$BUILD/system/$hv-$test-v1.log"
}

store_table() { # LOG
    sed -n 's/^STOREBENCH \([a-z]*\) round=[0-9]* \([a-z0-9]*\) *clients=\([0-9]*\) *ops\/s=\([0-9.]*\).*/\1 \2 \3 \4/p' \
        "$1" >"$tmp/store"
    printf '  %-10s %7s %12s %12s %12s %9s %9s\n' op clients xenstored oxenstored lamstored \
        lam/xs lam/oxs
    awk '{ k = $2 " " $3; sum[$1, k] += $4; n[$1, k]++; if (!(k in seen)) { seen[k] = 1; order[++m] = k } }
        END {
            for (i = 1; i <= m; i++) {
                k = order[i]; split(k, f, " ")
                x = n["xenstored", k] ? sum["xenstored", k] / n["xenstored", k] : -1
                o = n["oxenstored", k] ? sum["oxenstored", k] / n["oxenstored", k] : -1
                l = n["lamstored", k] ? sum["lamstored", k] / n["lamstored", k] : -1
                printf "  %-10s %7s %12s %12s %12s %9s %9s\n", f[1], f[2],
                    x < 0 ? "n/a" : sprintf("%.0f", x), o < 0 ? "n/a" : sprintf("%.0f", o),
                    l < 0 ? "n/a" : sprintf("%.0f", l),
                    (x > 0 && l >= 0) ? sprintf("%.2f", l / x) : "n/a",
                    (o > 0 && l >= 0) ? sprintf("%.2f", l / o) : "n/a"
            }
        }' "$tmp/store"
}

# The toolstack figures, their goals: a ratio lam/xl, an absolute bound for lam, or none.
FIGS="create-first-line:ratio<=0.5 create-toolstack:lam<50 create32-first10:- create32-last10:- create32-max:- list50:lam<20 tool-start:-"
tool_table() { # XEN+XL-LOG XEN+LAM-LOG LAMINA+LAM-LOG
    sed -n 's/^BENCH \([a-z0-9-]*\) \([-0-9.]*\) ms.*/\1 \2/p' "$1" >"$tmp/xl"
    sed -n 's/^BENCH \([a-z0-9-]*\) \([-0-9.]*\) ms.*/\1 \2/p' "$2" >"$tmp/xenlam"
    sed -n 's/^BENCH \([a-z0-9-]*\) \([-0-9.]*\) ms.*/\1 \2/p' "$3" >"$tmp/lam"
    printf '  %-18s %14s %14s %14s %8s  %s\n' figure xen-4.17+xl xen-4.17+lam lamina+lam \
        "lamina/xl" goal
    local f name goal x m l
    for f in $FIGS; do
        name=${f%%:*} goal=${f#*:}
        x=$(awk -v n="$name" '$1 == n { print $2 }' "$tmp/xl")
        m=$(awk -v n="$name" '$1 == n { print $2 }' "$tmp/xenlam")
        l=$(awk -v n="$name" '$1 == n { print $2 }' "$tmp/lam")
        awk -v n="$name" -v x="$x" -v m="$m" -v l="$l" -v g="$goal" 'BEGIN {
            r = (x != "" && l != "" && x > 0) ? sprintf("%.3g", l / x) : "n/a"
            verdict = ""
            if (g ~ /^ratio<=/) { b = substr(g, 8); verdict = "lamina/xl <= " b
                if (r != "n/a") verdict = verdict (r + 0 <= b + 0 ? " (met)" : " (not met)") }
            else if (g ~ /^lam</) { b = substr(g, 5); verdict = "lamina+lam < " b " ms"
                if (l != "") verdict = verdict (l + 0 < b + 0 ? " (met)" : " (not met)") }
            printf "  %-18s %14s %14s %14s %8s  %s\n", n, (x == "" ? "n/a" : x " ms"),
                (m == "" ? "n/a" : m " ms"), (l == "" ? "n/a" : l " ms"), r, verdict }'
    done
    # Growth with the count: the last 10 creates against the first 10, per toolstack.
    awk 'FNR == 1 { t = FILENAME; sub(/.*\//, "", t)
            t = t == "xl" ? "xen-4.17+xl" : t == "xenlam" ? "xen-4.17+lam" : "lamina+lam" }
        $1 == "create32-first10" { a[t] = $2 } $1 == "create32-last10" { b[t] = $2 }
        END { for (t in a) if (a[t] > 0 && (t in b))
            printf "  %s: 50 creates, last 10 / first 10 = %.2f (goal: no growth, about 1)\n",
                t, b[t] / a[t] }' "$tmp/xl" "$tmp/xenlam" "$tmp/lam"
}

echo "# bench toolstack: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)," \
    "QEMU -cpu max,-smap (Xen: max,-smap,-xsave, run-dom0.sh) -smp 1, dom0_mem=512M dom0_max_vcpus=1" | tee -a "$OUT"
if [ "$ONLY" != toolstack ]; then
    log=$(boot xen xl storebench)
    echo "store daemons in Xen 4.17's dom0, one client over the Unix socket, ops/s" \
        "(mean of 2 rounds, 1 s each):" | tee -a "$OUT"
    store_table "$log" | tee -a "$OUT"
fi
if [ "$ONLY" != store ]; then
    xlog=$(boot xen xl toolbench --mem 2560)
    cp "$xlog" "$tmp/xen-xl.log"
    mlog=$(boot xen dom0 toolbench --mem 2560)
    llog=$(boot lamina dom0 toolbench --mem 2560 --domU none)
    echo "toolstack: Xen 4.17 + xl (Debian's xen-utils-4.17), Xen 4.17 + lam, Lamina + lam:" \
        | tee -a "$OUT"
    tool_table "$tmp/xen-xl.log" "$mlog" "$llog" | tee -a "$OUT"
fi
