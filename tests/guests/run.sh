#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Boot PV test kernels under QEMU on Xen 4.17 and/or Lamina and record results.
#
#   run.sh [--hv lamina|xen|both] [--results FILE] [--jobs N] [--smp N]
#          [--cpu MODEL] [--name NAME] [--expect-log ERE] [test ...]
#
# Every test kernel build/guests/<test>.elf is the first domain, booted with the
# same QEMU and hypervisor command line on both hypervisors. A run ends when the
# result line and the hypervisor's shutdown message have been seen, when QEMU
# exits, or at the timeout (LAMINA_GUEST_TIMEOUT, default 60 s). Serial logs go
# to $BUILD/guests/logs/<hv>-<test>.log.
#
# Result lines (appended to --results, default $BUILD/results/guests.txt):
#   PASS|FAIL|SKIP xen:<test>, PASS|FAIL|SKIP lamina:<test>, FAIL diff:<test>
# A verdict is SUCCESS, SKIP, ERROR, FAILURE (from "Test result:"), CRASH (no
# result line) or TIMEOUT. SUCCESS -> PASS; a test-level SKIP -> SKIP; else FAIL.
# A pending test (<test>_PENDING, or <test>_PENDING_SMP<N> for one CPU count's
# run) records SKIP on Lamina unless it passes.
#
# SMP: --smp N boots every test on N emulated CPUs (QEMU -smp N) with the test
# domain given N vCPUs (dom0_max_vcpus=N); results are then named <test>@smpN.
# A test with <test>_SMP always runs that way: one number runs it once (named
# <test>), several ("2 4") once per count (named <test>@smpN).
#
# CPU models: QEMU -cpu max (an AMD-like CPU) unless --cpu MODEL (every test on
# that model, results named <test>@MODEL) or <test>_QEMU_CPU names the model, or
# several (once per model, named <test>@MODEL when several).
# <test>_COMPARE (an ERE): the lines of both logs that match it must be the same
# on both hypervisors, else FAIL diff:<test> (the difference is written to
# $BUILD/guests/logs/diff-<test>.txt).
#
# What a test needs (CPUs, domUs, hypervisor options, ...) is in its test.mk;
# make writes it to $BUILD/guests/tests.meta, which is all this script reads.
# Without test names: every test there but the helpers (kernels only ever
# booted as another test's domU).
#
# Another Lamina image (LAMINA_IMAGE=build/lamina-lockdebug): --name NAME records
# its runs as NAME:<test> with logs NAME-<test>.log, and --expect-log ERE fails
# every Lamina run whose log lacks ERE (e.g. the image's own banner or report).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
GUESTS=$BUILD/guests
LOGS=$GUESTS/logs
RESULTS=$BUILD/results/guests.txt
HV=both
SMP=0
CPU=""
JOBS=${LAMINA_GUEST_JOBS:-2}
TIMEOUT=${LAMINA_GUEST_TIMEOUT:-60}
# A pending test is not expected to pass; do not wait the full timeout for it.
PENDING_TIMEOUT=${LAMINA_PENDING_TIMEOUT:-10}
XEN_IMAGE=${XEN_IMAGE:-$BUILD/pkgs/xen-4.17}
LAMINA_IMAGE=${LAMINA_IMAGE:-$BUILD/lamina}
META=$GUESTS/tests.meta
LNAME=lamina # what Lamina's results and logs are named (--name)
EXPECT_LOG=""

# Both hypervisors get exactly this command line.
HV_CMDLINE="console=com1 com1=115200 noreboot loglvl=all dom0_mem=64M"

usage() { sed -n '2,40p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

tests=()
while (($#)); do
    case $1 in
    --hv) HV=$2; shift 2 ;;
    --results) RESULTS=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    --smp) SMP=$2; shift 2 ;;
    --cpu) CPU=$2; shift 2 ;;
    --name) LNAME=$2; shift 2 ;;
    --expect-log) EXPECT_LOG=$2; shift 2 ;;
    -h | --help) usage ;;
    -*) echo "run.sh: unknown option $1" >&2; usage ;;
    *) tests+=("$1"); shift ;;
    esac
done
case $HV in lamina | xen | both) ;; *) usage ;; esac
if [ ! -f "$META" ]; then
    echo "run.sh: no test metadata at $META (make -C tests/guests meta)" >&2
    exit 1
fi
# META_TESTS, META_BENCHES and, per kernel name, META_<VAR>[<name>] (meta.mk).
# shellcheck source=/dev/null
. "$META"
if ((${#tests[@]} == 0)); then
    for t in "${META_TESTS[@]}"; do
        [ -n "${META_HELPER[$t]-}" ] || tests+=("$t")
    done
fi
mkdir -p "$LOGS" "$(dirname "$RESULTS")"
STATE=$(mktemp -d)
trap 'rm -rf "$STATE"' EXIT

record() { echo "$1" | tee -a "$RESULTS"; }

# Hypervisor shutdown message (one line) for each hypervisor.
shutdown_re() {
    case $1 in
    xen) echo '^\(XEN\) Hardware (Dom0 |domain 0 did)' ;;
    # Lamina: "(LAM) [time] Domain 0 shutdown: reason <n> (<name>)".
    lamina) echo '^\(LAM\) .*Domain 0 shutdown: ' ;;
    esac
}

# The shutdown line a shutdown-<reason> test must produce.
reason_re() { # hv reason
    case $1:$2 in
    xen:poweroff) echo 'Hardware Dom0 halted' ;;
    xen:reboot) echo 'Hardware Dom0 shutdown: rebooting' ;;
    xen:crash) echo 'Hardware Dom0 crashed' ;;
    xen:watchdog) echo 'Hardware Dom0 shutdown: watchdog rebooting' ;;
    xen:suspend) echo 'Hardware Dom0 shutdown \(unknown reason 2\)' ;;
    xen:soft_reset) echo 'Hardware domain 0 did unsupported soft reset' ;;
    lamina:*) echo "Domain 0 shutdown: reason [0-9]+ \\($2\\)" ;;
    esac
}

# Is $1 a kernel make knows (a test or a benchmark)?
is_kernel() {
    local k
    for k in "${META_TESTS[@]}" "${META_BENCHES[@]}"; do
        [ "$k" = "$1" ] && return 0
    done
    return 1
}

# CPU counts a test runs with (one run each): --smp, else <test>_SMP, else 1.
smp_counts() {
    if ((SMP > 0)); then
        echo "$SMP"
    else
        echo "${META_SMP[$1]:-1}"
    fi
}
# CPU models a test runs on (one run each): --cpu, else <test>_QEMU_CPU, else max.
cpu_models() {
    if [ -n "$CPU" ]; then
        echo "$CPU"
    else
        echo "${META_QEMU_CPU[$1]:-max}"
    fi
}
# One run of a test is "<test>@<cpus>@<model>". The name results and logs use:
# <test>, then @smpN with --smp or a <test>_SMP listing several counts, then
# @<model> with --cpu or a <test>_QEMU_CPU listing several models.
name_of() { # test cpus model
    local n=$1
    if ((SMP > 0)) || (($(smp_counts "$1" | wc -w) > 1)); then
        n="$n@smp$2"
    fi
    if [ -n "$CPU" ] || (($(cpu_models "$1" | wc -w) > 1)); then
        n="$n@$3"
    fi
    echo "$n"
}
# The parts of a run "<test>@<cpus>@<model>".
run_test() { echo "${1%%@*}"; }
run_cpus() { local r=${1#*@}; echo "${r%%@*}"; }
run_model() { echo "${1##*@}"; }

# run_one hv run timeout: boot <test> on <cpus> CPUs, watch the log, write the verdict to $STATE.
run_one() {
    local hv=$1 run=$2 limit=$3 image log kernel verdict="TIMEOUT" pid i cpus cmdline t n model
    t=$(run_test "$run") cpus=$(run_cpus "$run") model=$(run_model "$run")
    n=$(name_of "$t" "$cpus" "$model")
    [ "$hv" = xen ] && image=$XEN_IMAGE || image=$LAMINA_IMAGE
    [ "$hv" = xen ] && log=$LOGS/xen-$n.log || log=$LOGS/$LNAME-$n.log
    cmdline=$HV_CMDLINE
    ((cpus > 1)) && cmdline="$cmdline dom0_max_vcpus=$cpus"
    # <test>_KERNEL_ARGS: the kernel's own command line (after its name in the module string).
    kernel=$GUESTS/$t.elf${META_KERNEL_ARGS[$t]:+ ${META_KERNEL_ARGS[$t]}}
    # <test>_DOMU_MODULES: further test kernels booted as domUs ("<name> --domU args").
    local domu domus=() name rest
    IFS=, read -ra domus <<<"${META_DOMU_MODULES[$t]-}"
    for domu in ${domus[@]+"${domus[@]}"}; do
        read -r name rest <<<"$domu"
        [ -n "$name" ] && kernel="$kernel,$GUESTS/$name.elf${rest:+ $rest}"
    done
    # <test>_HV_ARGS: extra hypervisor options, the same on both (e.g. dom0_max_vcpus=2).
    [ -n "${META_HV_ARGS[$t]-}" ] && cmdline="$cmdline ${META_HV_ARGS[$t]}"
    # <test>_QEMU_DEVICES: extra devices (words split as written; no quoting needed).
    local devices=()
    read -ra devices <<<"${META_QEMU_DEVICES[$t]-}"
    : >"$log"
    qemu-system-x86_64 -nographic -no-reboot -m 256 -cpu "$model" -smp "$cpus" \
        -kernel "$image" -append "$cmdline" -initrd "$kernel" \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 ${devices[@]+"${devices[@]}"} \
        -monitor none -serial "file:$log" -display none </dev/null >>"$log.qemu" 2>&1 &
    pid=$!
    local sre result_seen=0 grace=0
    sre=$(shutdown_re "$hv")
    for ((i = 0; i < limit * 10; i++)); do
        sleep 0.1
        if ((!result_seen)) && grep -aq '^Test result: ' "$log"; then
            result_seen=1
        fi
        if grep -aEq "$sre" "$log"; then
            break
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            break
        fi
        # Result seen but no shutdown message: allow 5 s, then stop waiting.
        if ((result_seen)); then
            grace=$((grace + 1))
            ((grace > 50)) && break
        fi
    done
    sleep 0.2 # let the last lines reach the log
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    local line
    line=$(grep -a '^Test result: ' "$log" | head -n1 | tr -d '\r')
    if [ -n "$line" ]; then
        verdict=${line#Test result: }
        verdict=${verdict%%:*}
        case $verdict in SUCCESS | SKIP | ERROR | FAILURE) ;; *) verdict=ERROR ;; esac
        # More than one result line is a framework bug.
        [ "$(grep -ac '^Test result: ' "$log")" = 1 ] || verdict=ERROR
    elif grep -aEq "$sre" "$log" || ! grep -aq 'Lamina test kernel' "$log"; then
        verdict=CRASH
    fi
    # shutdown-<reason> / shutdowncode-<reason>: the hypervisor must report it.
    case $t in shutdown-* | shutdowncode-*)
        if [ "$verdict" = SUCCESS ] && ! grep -aEq "$(reason_re "$hv" "${t#*-}")" "$log"; then
            verdict=FAILURE
            echo "run.sh: $hv did not report shutdown reason ${t#*-}" >>"$log"
        fi
        ;;
    esac
    # Lamina audits the domain's frame reference counts at shutdown: a test that
    # leaves them unbalanced failed, whatever the kernel itself concluded.
    if [ "$hv" = lamina ] && [ "$verdict" = SUCCESS ] &&
        ! grep -aq 'audit d0: 0 frame(s) with unbalanced counts' "$log"; then
        verdict=FAILURE
        echo "run.sh: lamina frame audit missing or unbalanced" >>"$log"
    fi
    # <test>_LAMINA_LOG_EXPECT: a pattern (ERE) Lamina's log must show, for what the
    # kernel cannot see itself (e.g. that a long operation was really preempted).
    local expect=${META_LAMINA_LOG_EXPECT[$t]-}
    if [ "$hv" = lamina ] && [ "$verdict" = SUCCESS ] && [ -n "$expect" ] &&
        ! grep -aEq -e "$expect" "$log"; then
        verdict=FAILURE
        echo "run.sh: lamina log lacks '$expect'" >>"$log"
    fi
    # --expect-log: something every run of this image must print.
    if [ "$hv" = lamina ] && [ "$verdict" = SUCCESS ] && [ -n "$EXPECT_LOG" ] &&
        ! grep -aEq "$EXPECT_LOG" "$log"; then
        verdict=FAILURE
        echo "run.sh: lamina log lacks '$EXPECT_LOG'" >>"$log"
    fi
    # Each domU kernel prints its own result line ("(dN) Test result: ...") and
    # every one must be SUCCESS, except kernels that never finish (<kernel>_NO_RESULT:
    # spinners, idlers), which must print none.
    if [ "$verdict" = SUCCESS ] && ((${#domus[@]} > 0)); then
        local want=0 got bad
        for domu in "${domus[@]}"; do
            read -r name _ <<<"$domu"
            [ -n "$name" ] || continue
            [ -n "${META_NO_RESULT[$name]-}" ] || want=$((want + 1))
        done
        got=$(grep -acE '\(d[0-9]+\) Test result: SUCCESS' "$log")
        bad=$(grep -aE '\(d[0-9]+\) Test result: ' "$log" | grep -vc 'Test result: SUCCESS')
        if [ "$got" != "$want" ] || [ "$bad" != 0 ]; then
            verdict=FAILURE
            echo "run.sh: $got of $want domU kernel(s) reported SUCCESS, $bad something else" >>"$log"
        fi
    fi
    echo "$verdict" >"$STATE/$hv-$n.verdict"
}

pending_reason() { # test cpus -> reason or empty (<test>_PENDING, <test>_PENDING_SMP<cpus>)
    echo "${META_PENDING[$1]:-${META_PENDING[$1@smp$2]-}}"
}

# Job queue: at most $JOBS QEMUs at a time.
running=0
queue() {
    while ((running >= JOBS)); do
        wait -n 2>/dev/null
        running=$((running - 1))
    done
    run_one "$@" &
    running=$((running + 1))
}

want_xen=0 want_lamina=0
[ "$HV" != lamina ] && want_xen=1
[ "$HV" != xen ] && want_lamina=1
lamina_missing=""
if ((want_lamina)) && [ ! -f "$LAMINA_IMAGE" ]; then
    lamina_missing="no hypervisor image at $LAMINA_IMAGE"
fi
if ((want_xen)) && [ ! -f "$XEN_IMAGE" ]; then
    echo "run.sh: no Xen image at $XEN_IMAGE (run make deps)" >&2
    for t in "${tests[@]}"; do record "FAIL xen:$t"; done
    want_xen=0
fi

# Every test once per CPU count and CPU model it runs with: "<test>@<cpus>@<model>".
runs=()
for t in "${tests[@]}"; do
    for c in $(smp_counts "$t"); do
        for m in $(cpu_models "$t"); do runs+=("$t@$c@$m"); done
    done
done
for r in "${runs[@]}"; do
    t=$(run_test "$r")
    if ! is_kernel "$t"; then
        echo "run.sh: no test $t in $META" >&2
        echo CRASH >"$STATE/missing-$t"
        continue
    fi
    if [ ! -f "$GUESTS/$t.elf" ]; then
        echo "run.sh: missing $GUESTS/$t.elf" >&2
        echo CRASH >"$STATE/missing-$t"
        continue
    fi
    ((want_xen)) && [ -z "${META_LAMINA_ONLY[$t]-}" ] && queue xen "$r" "$TIMEOUT"
    if ((want_lamina)) && [ -z "$lamina_missing" ]; then
        if [ -n "$(pending_reason "$t" "$(run_cpus "$r")")" ]; then
            queue lamina "$r" "$((PENDING_TIMEOUT < TIMEOUT ? PENDING_TIMEOUT : TIMEOUT))"
        else
            queue lamina "$r" "$TIMEOUT"
        fi
    fi
done
wait

verdict_of() { cat "$STATE/$1-$2.verdict" 2>/dev/null || echo CRASH; }
line_for() { # hv test verdict
    case $3 in
    SUCCESS) echo "PASS $1:$2" ;;
    SKIP) echo "SKIP $1:$2" ;;
    *) echo "FAIL $1:$2" ;;
    esac
}

# compare test name: the lines matching <test>_COMPARE in the two logs, side by side.
compare_logs() {
    local re=${META_COMPARE[$1]-} out=$LOGS/diff-$2.txt
    [ -n "$re" ] || return 0
    if diff <(grep -aE -e "$re" "$LOGS/xen-$2.log" | tr -d '\r') \
        <(grep -aE -e "$re" "$LOGS/$LNAME-$2.log" | tr -d '\r') >"$out"; then
        rm -f "$out"
        return 0
    fi
    return 1
}

for r in "${runs[@]}"; do
    t=$(run_test "$r")
    n=$(name_of "$t" "$(run_cpus "$r")" "$(run_model "$r")")
    if [ -f "$STATE/missing-$t" ]; then
        record "FAIL build:$n"
        continue
    fi
    xv="" lv=""
    # <test>_LAMINA_ONLY: a test Xen 4.17 cannot run (no boot-time domUs on x86).
    if [ -n "${META_LAMINA_ONLY[$t]-}" ] && ((want_xen)); then
        record "SKIP xen:$n"
        echo "  xen:$n: skipped: ${META_LAMINA_ONLY[$t]}" >&2
    elif ((want_xen)); then
        xv=$(verdict_of xen "$n")
        record "$(line_for xen "$n" "$xv")"
        [ "$xv" = SUCCESS ] || echo "  xen:$n: $xv (log: $LOGS/xen-$n.log)" >&2
    fi
    ((want_lamina)) || continue
    if [ -n "$lamina_missing" ]; then
        record "SKIP $LNAME:$n"
        echo "  $LNAME:$n: skipped: $lamina_missing" >&2
        continue
    fi
    lv=$(verdict_of lamina "$n")
    reason=$(pending_reason "$t" "$(run_cpus "$r")")
    if [ -n "$reason" ]; then
        if [ "$lv" = SUCCESS ]; then
            record "PASS $LNAME:$n"
            [ -n "${META_PENDING[$t]-}" ] && var=${t}_PENDING || var=${t}_PENDING_SMP$(run_cpus "$r")
            echo "  $LNAME:$n: passes: remove $var from its test.mk" >&2
        else
            record "SKIP $LNAME:$n"
            echo "  $LNAME:$n: pending ($reason); got $lv" >&2
        fi
        continue
    fi
    record "$(line_for "$LNAME" "$n" "$lv")"
    [ "$lv" = SUCCESS ] || echo "  $LNAME:$n: $lv (log: $LOGS/$LNAME-$n.log)" >&2
    if ((want_xen)) && [ -n "$xv" ] && [ "$xv" != "$lv" ]; then
        record "FAIL diff:$n"
        echo "  diff:$n: xen $xv, lamina $lv" >&2
    elif ((want_xen)) && [ -n "$xv" ] && ! compare_logs "$t" "$n"; then
        record "FAIL diff:$n"
        echo "  diff:$n: the lines matching ${t}_COMPARE differ ($LOGS/diff-$n.txt):" >&2
        head -n 20 "$LOGS/diff-$n.txt" | sed 's/^/    /' >&2
    fi
done
exit 0
