#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Create a PV test kernel: tests/guests/NAME/main.c and test.mk from a template.
#
#   scripts/new-test.sh [options] NAME
#
#   --title TEXT          what the test checks (lam_test_title; default: a TODO)
#   --lamina-only[=WHY]   Xen 4.17 cannot run it (NAME_LAMINA_ONLY := WHY)
#   --smp "N ..."         boot on N CPUs with N dom0 vCPUs, once per N (NAME_SMP)
#   --hv-args "OPTS"      options added to both hypervisors' command line (NAME_HV_ARGS)
#   --libs "LIB ..."      optional framework objects from tests/guests/lib (NAME_LIBS)
#   --domu "KERNEL ARGS"  a kernel booted as a domU beside it, e.g. "sched-spin --domU
#                         mem=16M"; repeat for more (NAME_DOMU_MODULES; Lamina only, so
#                         usually with --lamina-only)
#   --dir DIR             create NAME under DIR instead of tests/guests
#   --dry-run             print the two files instead of writing them
#   -h, --help            this text
#
# NAME: lower-case letters, digits and '-', starting with a letter, at most 32
# characters; not the name of an existing kernel, and not bench-*, shutdown-* or
# shutdowncode-* (names the runner treats specially). The other metadata
# variables (NAME_PENDING, NAME_LAMINA_LOG_EXPECT, ...) are in test.mk, commented
# out; docs/test-kernels.md describes them all.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
GUESTS_SRC=$ROOT/tests/guests

usage() { sed -n '3,23p' "$0" | sed 's/^# \{0,1\}//'; }
die() {
    echo "new-test: $*" >&2
    exit 1
}

name="" title="" lamina_only="" smp="" hv_args="" libs="" dir=$GUESTS_SRC dry_run=0
domus=()
need_arg() { (($1 >= 2)) || die "$2 needs a value (see --help)"; }
while (($#)); do
    case $1 in
    -h | --help) usage; exit 0 ;;
    --title) need_arg $# "$1"; title=$2; shift 2 ;;
    --lamina-only) lamina_only="needs a Lamina-only feature (say which; Xen 4.17 lacks it)"; shift ;;
    --lamina-only=*) lamina_only=${1#*=}; shift ;;
    --smp) need_arg $# "$1"; smp=$2; shift 2 ;;
    --hv-args) need_arg $# "$1"; hv_args=$2; shift 2 ;;
    --libs) need_arg $# "$1"; libs=$2; shift 2 ;;
    --domu) need_arg $# "$1"; domus+=("$2"); shift 2 ;;
    --dir) need_arg $# "$1"; dir=$2; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    -*) die "unknown option $1 (see --help)" ;;
    *)
        [ -z "$name" ] || die "one NAME only ('$name', then '$1')"
        name=$1
        shift
        ;;
    esac
done

# --- Checks: the name, then each value ----------------------------------------
[ -n "$name" ] || die "no NAME given (see --help)"
[[ $name =~ ^[a-z][a-z0-9-]*$ ]] || die "bad name '$name': lower-case letters, digits, '-', starting with a letter"
((${#name} <= 32)) || die "bad name '$name': longer than 32 characters"
case $name in
bench-* | shutdown-* | shutdowncode-*) die "bad name '$name': bench-*, shutdown-*, shutdowncode-* mean something to the runner" ;;
esac
# Every kernel the guests Makefile builds, tests and benchmarks, variants included.
kernels=$(make -s --no-print-directory -C "$GUESTS_SRC" list-kernels) ||
    die "cannot list the existing kernels (make -C tests/guests list-kernels)"
for k in $kernels; do
    [ "$k" != "$name" ] || die "a kernel named '$name' exists already"
done
[ ! -e "$GUESTS_SRC/$name" ] || die "tests/guests/$name exists already"
[ ! -e "$dir/$name" ] || die "$dir/$name exists already"
[ -d "$dir" ] || die "no directory $dir"

for v in "$title" "$lamina_only" "$smp" "$hv_args" "$libs" ${domus[@]+"${domus[@]}"}; do
    case $v in *$'\n'*) die "values must be one line" ;; esac
done
[[ -z $smp || $smp =~ ^[1-9][0-9]*( [1-9][0-9]*)*$ ]] || die "--smp: CPU counts such as \"2 4\""
for l in $libs; do
    [ -f "$GUESTS_SRC/lib/$l.c" ] || [ -f "$GUESTS_SRC/lib/$l.S" ] ||
        die "--libs: no tests/guests/lib/$l.c or .S"
done
domu_list=""
for d in ${domus[@]+"${domus[@]}"}; do
    case $d in *,*) die "--domu: no commas (QEMU separates modules with them)" ;; esac
    k=${d%% *}
    case " $kernels " in *" $k "*) ;; *) die "--domu: no kernel named '$k'" ;; esac
    domu_list="${domu_list:+$domu_list, }$d"
done
title=${title:-TODO: what $name checks}
[[ $title != *[\"\\]* && $title != *'*/'* ]] || die "--title: no '\"', '\\' or '*/' (it goes into C)"
((${#title} <= 60)) || die "--title: at most 60 characters"

# A make value: '$' is written '$$' and '#' is written '\#'.
mk() {
    local v=${1//\$/\$\$}
    printf '%s' "${v//#/\\#}"
}
# "NAME_VAR := value" when given, else the commented example.
mk_var() { # var value example
    if [ -n "$2" ]; then
        printf '%s_%s := %s\n' "$name" "$1" "$(mk "$2")"
    else
        printf '#%s_%s := %s\n' "$name" "$1" "$3"
    fi
}

main_c() {
    cat <<EOF
/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * $name: $title.
 * Say here what the test checks and why; print the values each check compares.
 */
#include <lamina/version.h>

#include "lam.h"

const char lam_test_title[] = "$title";

void test_main(void)
{
    /* An example check (replace it): compare with the ABI's values, not with what came back. */
    long v = hypercall_xen_version(LAM_XENVER_version, NULL);
    lam_printf("xen_version: %lx\n", (unsigned long)v);
    LAM_CHECK(v > 0 && LAM_XENVER_MAJOR(v) >= 4, "XENVER_version returned %lx", v);
}
EOF
}

test_mk() {
    cat <<EOF
# SPDX-License-Identifier: GPL-2.0-only
# $name: $title
GUEST_TESTS += $name
# Optional framework objects (tests/guests/lib/<x>.c or .S), e.g. mm_util smp callbacks.
$(mk_var LIBS "$libs" "mm_util")
# Extra compiler flags for this test's own sources.
$(mk_var CFLAGS "" "-DFOO=1")
# Xen 4.17 cannot run it: SKIP xen:$name, with this reason printed.
$(mk_var LAMINA_ONLY "$lamina_only" "needs ... (why Xen 4.17 cannot run it)")
# Boot on N emulated CPUs with N dom0 vCPUs, once per N (results $name@smpN if several).
$(mk_var SMP "$smp" "2 4")
# Options added to both hypervisors' command line (Xen's option names).
$(mk_var HV_ARGS "$hv_args" "dom0_max_vcpus=2")
# The kernel's own command line (start_info cmd_line; no commas: QEMU separates modules with them).
$(mk_var KERNEL_ARGS "" "seed=1")
# Kernels booted as domUs beside it: "<kernel> --domU <args>", several separated by commas.
$(mk_var DOMU_MODULES "$domu_list" "sched-spin --domU mem=16M")
# An ERE Lamina's log must match for the test to pass (write \$ as \$\$ and # as \\#).
$(mk_var LAMINA_LOG_EXPECT "" "preempt: [1-9][0-9]* continuation")
# Lamina cannot pass it yet: SKIP lamina:$name with this reason (${name}_PENDING_SMP<N>: the N-CPU run only).
$(mk_var PENDING "" "... (what Lamina lacks)")
# Only ever booted as another test's domU (not run alone), and never prints a result.
$(mk_var HELPER "" "the domU of ...")
$(mk_var NO_RESULT "" "spins until dom0 ends the test")
EOF
}

if ((dry_run)); then
    echo "=== $dir/$name/main.c"
    main_c
    echo "=== $dir/$name/test.mk"
    test_mk
    exit 0
fi
mkdir "$dir/$name"
main_c >"$dir/$name/main.c"
test_mk >"$dir/$name/test.mk"
echo "new-test: created $dir/$name/main.c and test.mk"
if [ "$dir" = "$GUESTS_SRC" ]; then
    echo "  next: make -C tests/guests all && tests/guests/run.sh --hv both $name"
fi
