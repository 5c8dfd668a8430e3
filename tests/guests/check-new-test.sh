#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Checks scripts/new-test.sh: its --help, the names and values it refuses, and
# that a test it creates is formatted, builds, and carries its metadata into
# tests.meta. Works on a copy of the guests Makefile and framework in a
# temporary directory, never in tests/guests.
#
#   check-new-test.sh [RESULTS]   "PASS|FAIL new-test:<check>" lines, appended
#                                 to RESULTS (default: standard output only)
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
NEW=$ROOT/scripts/new-test.sh
RESULTS=${1:-/dev/null}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

record() { # verdict check [detail]
    echo "$1 new-test:$2" | tee -a "$RESULTS"
    [ "$1" = PASS ] || { failed=1; [ -z "${3-}" ] || echo "  new-test:$2: $3" >&2; }
}
check() { # name command...: PASS when the command succeeds
    local name=$1
    shift
    if "$@" >"$tmp/out" 2>&1; then record PASS "$name"; else record FAIL "$name" "$(tail -n3 "$tmp/out")"; fi
}

# A guests tree to create into: the build rules, the framework and the
# sched-spin kernel a test may name as its domU.
GUESTS=$tmp/guests
mkdir -p "$GUESTS"
cp -r "$HERE/Makefile" "$HERE/meta.mk" "$HERE/lib" "$HERE/sched-spin" "$GUESTS/"

check help "$NEW" --help
grep -q -- '--lamina-only' "$tmp/out" || record FAIL help-text "--help does not describe --lamina-only"

# Each must be refused, leaving nothing behind.
refused() { # check args...
    local name=$1 before
    shift
    before=$(ls -R "$GUESTS")
    if "$NEW" --dir "$GUESTS" "$@" >"$tmp/out" 2>&1; then
        record FAIL "refuse-$name" "accepted: $*"
    elif [ "$(ls -R "$GUESTS")" != "$before" ]; then
        record FAIL "refuse-$name" "refused but left files behind"
    else
        record PASS "refuse-$name"
    fi
}
refused no-name
refused upper-case Bad
refused digit-first 1st
refused underscore a_b
refused dot x.y
refused too-long "$(printf 'a%.0s' {1..33})"
refused bench bench-foo
refused shutdown shutdown-foo
refused existing-dir version
refused existing-variant fpu-peer
refused two-names abc def
refused bad-smp --smp "2 x" abc
refused bad-lib --libs "no_such_lib" abc
refused bad-domu --domu "no-such-kernel --domU mem=16M" abc
refused comma-domu --domu "sched-spin --domU mem=16M,x" abc
refused quote-title --title 'say "hi"' abc
refused unknown-option --frobnicate abc

# Dry run: both files on standard output, nothing written.
name=lam-new-test-check
if "$NEW" --dir "$GUESTS" --dry-run "$name" >"$tmp/out" 2>&1 && [ ! -e "$GUESTS/$name" ] &&
    grep -q "^GUEST_TESTS += $name\$" "$tmp/out" && grep -q '^void test_main(void)$' "$tmp/out"; then
    record PASS dry-run
else
    record FAIL dry-run "$(tail -n3 "$tmp/out")"
fi

# A test with every option the script has.
check create "$NEW" --dir "$GUESTS" --title "the template's own check" \
    --lamina-only="checks the 'lamina-only' path; \$HOME and # stay text" --smp "2 4" \
    --hv-args "dom0_max_vcpus=2 gnttab_max_frames=8" --libs "mm_util smp" \
    --domu "sched-spin --domU mem=16M" --domu "sched-spin --domU mem=16M weight=512" "$name"
for f in main.c test.mk; do
    if head -n1 "$GUESTS/$name/$f" 2>/dev/null | grep -q 'SPDX-License-Identifier: GPL-2.0-only'; then
        record PASS "spdx-$f"
    else
        record FAIL "spdx-$f" "$GUESTS/$name/$f lacks the SPDX line"
    fi
done
refused existing-new "$name"
check clang-format clang-format --dry-run --Werror --style="file:$ROOT/.clang-format" "$GUESTS/$name/main.c"

# It builds with the framework, and make hands its metadata to run.sh unchanged
# (a make of its own: nothing inherited from a calling make's command line).
unset MAKEFLAGS MFLAGS MAKELEVEL
check build make -s --no-print-directory -C "$GUESTS" ROOT="$ROOT" BUILD="$tmp/build" meta \
    "$tmp/build/guests/$name.elf"
meta_is() { # VAR expected
    local got
    # shellcheck source=/dev/null
    got=$(. "$tmp/build/guests/tests.meta" && eval "printf '%s' \"\${META_$1[\$name]-}\"")
    if [ "$got" = "$2" ]; then
        record PASS "meta-$1"
    else
        record FAIL "meta-$1" "got '$got', want '$2'"
    fi
}
meta_is LAMINA_ONLY "checks the 'lamina-only' path; \$HOME and # stay text"
meta_is SMP "2 4"
meta_is HV_ARGS "dom0_max_vcpus=2 gnttab_max_frames=8"
meta_is DOMU_MODULES "sched-spin --domU mem=16M, sched-spin --domU mem=16M weight=512"
meta_is PENDING ""
exit $failed
