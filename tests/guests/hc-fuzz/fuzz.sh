#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the hypercall fuzzer guest (build/guests/hc-fuzz.elf) seed after seed and report
# every seed that broke the host. "make fuzz" calls this.
#
#   fuzz.sh [options] [-- extra kernel args]
#     --seconds N   keep going for N seconds in all (FUZZ_SECONDS, default 60)
#     --seeds LIST  these seeds only, e.g. "1 2 7" or "1-100" (FUZZ_SEEDS); default: from
#                   --first on, until the time is up
#     --first N     first seed when no list is given (FUZZ_FIRST, default: the time)
#     --calls N     calls per worker per boot (FUZZ_CALLS, default 20000)
#     --cpus N      emulated CPUs = dom0 vCPUs = workers (FUZZ_CPUS, default 2)
#     --hv H        lamina or xen (FUZZ_HV, default lamina)
#     --domu        run the fuzzer as an unprivileged boot-time domU (vcpus=N), with
#                   hc-fuzz-domu as dom0 watching it and destroying it after (Lamina only)
#     --hang N      seconds without new serial output that count as a hang (default 30)
#     --out DIR     logs and the report (default build/fuzz)
#     --keep-all    keep every serial log, not only the failing ones
#
# A boot counts as broken when the log shows a hypervisor panic or fatal fault, when
# it stops making progress for --hang seconds (a hang), when Lamina's frame audit is not
# 0 or missing, or when the guest did not print "Test result: SUCCESS" (the guest
# crashing is reported as such, separately: it is not a host failure, but the fuzzer
# should not do it). Output: one line per seed, then the totals and calls per second;
# $OUT/report.txt holds the same; $OUT/seed-<N>.log is each failing seed's serial log.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
SECONDS_TOTAL=${FUZZ_SECONDS:-60}
SEEDS=${FUZZ_SEEDS:-}
FIRST=${FUZZ_FIRST:-$(date +%s)}
CALLS=${FUZZ_CALLS:-20000}
CPUS=${FUZZ_CPUS:-2}
HV=${FUZZ_HV:-lamina}
HANG=${FUZZ_HANG:-30}
OUT=${FUZZ_OUT:-$BUILD/fuzz}
DOMU=0
KEEP=0
EXTRA=""

usage() { sed -n '3,27p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while (($#)); do
    case $1 in
    --seconds) SECONDS_TOTAL=$2; shift 2 ;;
    --seeds) SEEDS=$2; shift 2 ;;
    --first) FIRST=$2; shift 2 ;;
    --calls) CALLS=$2; shift 2 ;;
    --cpus) CPUS=$2; shift 2 ;;
    --hv) HV=$2; shift 2 ;;
    --domu) DOMU=1; shift ;;
    --hang) HANG=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --keep-all) KEEP=1; shift ;;
    --) shift; EXTRA="$*"; break ;;
    -h | --help) usage ;;
    *) echo "fuzz.sh: unknown option $1" >&2; usage ;;
    esac
done
case $HV in
lamina) IMAGE=${LAMINA_IMAGE:-$BUILD/lamina}; SHUTDOWN_RE='^\(LAM\) .*Domain 0 shutdown: ' ;;
xen) IMAGE=${XEN_IMAGE:-$BUILD/pkgs/xen-4.17}; SHUTDOWN_RE='^\(XEN\) Hardware (Dom0 |domain 0 did)' ;;
*) usage ;;
esac
KERNEL=$BUILD/guests/hc-fuzz.elf
MON=$BUILD/guests/hc-fuzz-domu.elf
for f in "$IMAGE" "$KERNEL"; do
    [ -f "$f" ] || { echo "fuzz.sh: missing $f (make all)" >&2; exit 1; }
done
if ((DOMU)) && { [ "$HV" != lamina ] || [ ! -f "$MON" ]; }; then
    echo "fuzz.sh: --domu needs Lamina and $MON" >&2
    exit 1
fi
mkdir -p "$OUT"
REPORT=$OUT/report.txt
: >"$REPORT"

# Expand "1 2 5-9" into one seed per line.
expand_seeds() {
    local s
    for s in $1; do
        case $s in
        *-*) seq "${s%-*}" "${s#*-}" ;;
        *) echo "$s" ;;
        esac
    done
}

# No output for --hang seconds: ask the hypervisor's debug keys (Ctrl-A three times
# switches the serial input to them on both; 'q' dumps domains and vCPUs, 'e' event
# channels) whether it still answers. It does: the
# guest stopped (GUEST-HANG, its vCPU states are in the log); it does not: HANG.
probe() { # socket log
    local before after
    before=$(stat -c %s "$2")
    python3 - "$1" <<'PY' 2>/dev/null
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"\x01\x01\x01")
time.sleep(0.3)
for k in b"qe":
    s.sendall(bytes([k]))
    time.sleep(1)
time.sleep(3)
s.close()
PY
    after=$(stat -c %s "$2")
    if ((after > before)); then echo GUEST-HANG; else echo HANG; fi
}

# One boot: prints "<verdict> <calls> <ms>" (PASS, PANIC, HANG, AUDIT, LEAK, GUEST-CRASH,
# GUEST-HANG). LEAK: as a domU, the fuzzer's domain was not freed after dom0 destroyed it.
run_seed() { # seed log
    local seed=$1 log=$2 args cmdline initrd pid last size=0 idle=0 verdict
    args="seed=$seed calls=$CALLS${EXTRA:+ $EXTRA}"
    cmdline="console=com1 com1=115200 noreboot loglvl=all dom0_mem=64M"
    if ((DOMU)); then
        initrd="$MON wait=$((HANG * 20)),$KERNEL --domU mem=32M vcpus=$CPUS -- $args domid=1"
        cmdline="$cmdline dom0_max_vcpus=1"
    else
        initrd="$KERNEL $args"
        cmdline="$cmdline dom0_max_vcpus=$CPUS"
    fi
    : >"$log"
    local sock=$OUT/.serial-$seed.sock
    rm -f "$sock"
    # The serial line is a socket (for the debug keys a hang is probed with) logged to $log.
    qemu-system-x86_64 -nographic -no-reboot -m 256 -cpu max -smp "$CPUS" \
        -kernel "$IMAGE" -append "$cmdline" -initrd "$initrd" \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -monitor none -display none \
        -chardev "socket,id=ser,path=$sock,server=on,wait=off,logfile=$log" \
        -serial chardev:ser </dev/null >/dev/null 2>&1 &
    pid=$!
    verdict=""
    while kill -0 "$pid" 2>/dev/null; do
        sleep 0.5
        if grep -aEq "$SHUTDOWN_RE|Panic|PANIC|hypervisor fault|FATAL" "$log"; then
            sleep 0.5
            break
        fi
        last=$(stat -c %s "$log")
        if ((last == size)); then
            idle=$((idle + 1))
            if ((idle >= HANG * 2)); then
                verdict=$(probe "$sock" "$log")
                break
            fi
        else
            idle=0
            size=$last
        fi
    done
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rm -f "$sock"
    if [ -n "$verdict" ]; then
        :
    elif grep -aEq '^\(LAM\).*(Panic|hypervisor fault)|^\(XEN\).*(Panic on CPU|FATAL)' "$log"; then
        verdict=PANIC
    elif [ "$HV" = lamina ] && ! grep -aq 'audit d0: 0 frame(s) with unbalanced counts' "$log"; then
        verdict=AUDIT
    elif ((DOMU)) && ! grep -aq 'audit d1: 0 frame(s) with unbalanced counts' "$log"; then
        verdict=AUDIT
    elif ((DOMU)) && ! grep -aq 'd1: gone' "$log"; then
        verdict=LEAK
    elif ! grep -aq '^Test result: SUCCESS' "$log" ||
        { ((DOMU)) && ! grep -aq '(d1) Test result: SUCCESS' "$log"; } ||
        grep -aEq 'Test result: (FAILURE|ERROR)' "$log"; then
        verdict=GUEST-CRASH
    else
        verdict=PASS
    fi
    local calls ms
    calls=$(grep -ao 'hcf: done: seed [^,]*, [0-9]* calls' "$log" | awk '{print $(NF-1)}' | tail -1)
    ms=$(grep -ao 'in [0-9]* ms: [0-9]* calls/s' "$log" | awk '{print $2}' | tail -1)
    echo "$verdict ${calls:-0} ${ms:-0}"
}

start=$(date +%s)
total_calls=0 total_ms=0 boots=0 broken=0 guest=0
report() { echo "$*" | tee -a "$REPORT"; }
report "fuzz: $HV, $CPUS CPU(s)$( ((DOMU)) && echo ', as a domU'), $CALLS calls per worker per boot, args '${EXTRA}'"
next_seed=$FIRST
seed_list=()
[ -n "$SEEDS" ] && mapfile -t seed_list < <(expand_seeds "$SEEDS")
i=0
while :; do
    if ((${#seed_list[@]})); then
        ((i < ${#seed_list[@]})) || break
        seed=${seed_list[$i]}
        i=$((i + 1))
    else
        seed=$next_seed
        next_seed=$((next_seed + 1))
    fi
    if ((${#seed_list[@]} == 0)) && (($(date +%s) - start >= SECONDS_TOTAL)); then
        break
    fi
    log=$OUT/seed-$seed.log
    read -r verdict calls ms < <(run_seed "$seed" "$log")
    boots=$((boots + 1))
    total_calls=$((total_calls + calls))
    total_ms=$((total_ms + ms))
    case $verdict in
    PASS) ((KEEP)) || rm -f "$log" ;;
    GUEST-CRASH | GUEST-HANG) guest=$((guest + 1)) ;;
    *) broken=$((broken + 1)) ;;
    esac
    report "seed $seed: $verdict ($calls calls in $ms ms)$([ "$verdict" = PASS ] || echo ", log $log")"
    if ((${#seed_list[@]} == 0)) && (($(date +%s) - start >= SECONDS_TOTAL)); then
        break
    fi
done
rate=0 wall=$(($(date +%s) - start))
((total_ms > 0)) && rate=$((total_calls * 1000 / total_ms))
report "fuzz: $boots boot(s) in ${wall} s, $total_calls calls, $rate calls/s while fuzzing ($((total_calls / (wall > 0 ? wall : 1))) with the boots); $broken broke the host, $guest crashed or hung the guest only"
((broken == 0))
