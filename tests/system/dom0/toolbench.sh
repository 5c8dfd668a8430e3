#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The toolstack benchmark, run by /init inside dom0 (lamina.systest=toolbench) by
# tests/bench/toolstack/run.sh: on Lamina with lam, lamstored and lamconsoled (Lamina's
# dom0 image), and on Xen 4.17 with Debian's xl, xenstored and xenconsoled (the Xen peer's
# image, run-dom0.sh --initrd xl). The same guests, the same stopwatch (lam-timeit):
#   create-first-line  `create` of a 128 MiB guest (Debian's kernel, the guest initramfs) to
#                      the guest kernel's first console line ("Linux version") in the console
#                      daemon's log of it; median of 3, the guest destroyed after each
#   create-toolstack   `create --paused` (xl create -p) of the same guest, median of 3: the
#                      toolstack's time from start to the point of unpausing, without the
#                      new guest competing for the CPU (a plain `xl create` returns only
#                      after its monitor process is set up, while the guest already runs)
#   create32-first10, create32-last10, create32-max
#                      50 guests of 32 MiB (the idle-peer test kernel) created paused one
#                      after another, all kept: the mean time of the first 10 and of the
#                      last 10 creates, and the slowest. Paused, so that what the guests do
#                      once running cannot slow dom0 (running idle-peers took CPU on Lamina)
#   list50             `list` with those 50 guests (median of 11)
#   tool-start         `help` (median of 11): starting the tool, which every command pays;
#                      true-start the same for busybox true (not goals, for the log)
# One "BENCH <name> <value> ms" line per figure, "BENCH-CREATE32 <i> <ms>" per guest.
# lam also writes the time of each phase of every create and list (LAM_TRACE, see
# dom0-tools/libdombuild/src/trace.c); they are printed as "TRACE <op> <phase> <ms> ...",
# and dom0's CPU time per program around the series as "CPU <program> <ticks>".
# The checks ("SYSTEST PASS|FAIL") only say each step worked, never how fast.
. "$(dirname "$0")/common.sh"
G=/lamina/guest
T=/tmp/toolbench
mkdir -p $T
export LAM_TRACE=$T/trace
: >$LAM_TRACE
# traces WHAT: print the trace lines written since the last call, tagged WHAT.
traces() {
    sed "s/^TRACE /TRACE $1 /" $LAM_TRACE
    : >$LAM_TRACE
}
# cpu_by_program: dom0's CPU time (user + system clock ticks) per program name.
cpu_by_program() {
    cat /proc/[0-9]*/stat 2>/dev/null | awk '{ c[$2] += $14 + $15 } END { for (k in c) print k, c[k] }'
}

if [ -f /etc/lamina/services ] && command -v xl >/dev/null; then
    TOOL=xl
    LOGDIR=/var/log/xen/console
    logof() { echo "$LOGDIR/guest-$1.log"; }
    # conf NAME MIB KERNEL [RAMDISK]
    conf() {
        f=$T/$1.cfg
        {
            echo "name = \"$1\""
            echo "type = \"pv\""
            echo "kernel = \"$3\""
            [ -n "${4:-}" ] && echo "ramdisk = \"$4\""
            echo "extra = \"console=hvc0\""
            echo "memory = $2"
            echo "vcpus = 1"
            echo "on_crash = \"preserve\""
        } >"$f"
        echo "$f"
    }
    destroy() { xl destroy "$1"; }
else
    TOOL=lam
    LOGDIR=/var/log/lamina/console
    logof() { echo "$LOGDIR/$1.log"; }
    conf() {
        f=$T/$1.xml
        {
            echo "<domain type='xen'>"
            echo "  <name>$1</name>"
            echo "  <memory unit='MiB'>$2</memory>"
            echo "  <vcpu>1</vcpu>"
            echo "  <os>"
            echo "    <type arch='x86_64' machine='xenpv'>linux</type>"
            echo "    <kernel>$3</kernel>"
            [ -n "${4:-}" ] && echo "    <initrd>$4</initrd>"
            echo "    <cmdline>console=hvc0</cmdline>"
            echo "  </os>"
            echo "  <on_crash>preserve</on_crash>"
            echo "</domain>"
        } >"$f"
        echo "$f"
    }
    destroy() { lam destroy "$1"; }
fi
echo "toolbench: $TOOL on $(cat /sys/hypervisor/type) $(cat /sys/hypervisor/version/major 2>/dev/null)." \
    "$(cat /sys/hypervisor/version/minor 2>/dev/null), $(grep -c ^processor /proc/cpuinfo) dom0 vCPU(s)"
# The commands the stopwatch runs: this shell's functions are not programs.
printf '#!/bin/sh\nexec %s create "$1"\n' "$(command -v $TOOL)" >$T/create
if [ $TOOL = xl ]; then paused=-p; else paused=--paused; fi
printf '#!/bin/sh\nexec %s create %s "$1"\n' "$(command -v $TOOL)" $paused >$T/create-paused
chmod +x $T/create $T/create-paused

# count: how many domUs the toolstack lists (`lam list` does not show names yet).
if [ $TOOL = xl ]; then
    count() { xl list 2>/dev/null | awk 'NR > 1 && $2 != 0' | wc -l; }
else
    count() { lam list 2>/dev/null | awk '$1 ~ /^[0-9]+$/ && $1 != 0' | wc -l; }
fi
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
field() { sed -n "s/.* $1=\([-0-9.]*\).*/\1/p"; }

# ---- 128 MiB guest to its first console line, three times ----
: >$T/first
ok=1
for run in 1 2 3; do
    name=bench128-$run
    cfg=$(conf $name 128 $G/vmlinuz $G/domu-initrd.img)
    rm -f "$(logof $name)"
    out=$(lam-timeit --timeout 180 --line "$(logof $name)" "Linux version" -- $T/create "$cfg")
    echo "toolbench: $name: $out"
    echo "$out" >>$T/first
    case $out in *" rc=0 "*) ;; *) ok=0 ;; esac
    case $out in *"line_ms=-1"*) ok=0 ;; esac
    destroy $name >/dev/null 2>&1
done
traces first-line
if [ $ok = 1 ]; then
    pass create-first-line-runs
    echo "BENCH create-first-line $(field line_ms <$T/first | median) ms"
else
    fail create-first-line-runs "$(cat $T/first | tr '\n' ';')"
fi

# ---- the toolstack alone: the same guest created paused, three times ----
: >$T/paused
ok=1
for run in 1 2 3; do
    name=bench128p-$run
    cfg=$(conf $name 128 $G/vmlinuz $G/domu-initrd.img)
    out=$(lam-timeit -- $T/create-paused "$cfg")
    echo "toolbench: $name (paused): $out"
    echo "$out" >>$T/paused
    case $out in *" rc=0"*) ;; *) ok=0 ;; esac
    destroy $name >/dev/null 2>&1
done
traces paused128
if [ $ok = 1 ]; then
    pass create-paused-runs
    echo "BENCH create-toolstack $(field cmd_ms <$T/paused | median) ms"
else
    fail create-paused-runs "$(cat $T/paused | tr '\n' ';')"
fi

# ---- what starting the tool costs: `help` (no hypervisor or store calls), median of 11;
# every figure above and below includes it once per command. For the log only. ----
out=$(lam-timeit --runs 11 -- $TOOL help)
echo "BENCH tool-start $(echo "$out" | field cmd_ms) ms"
out=$(lam-timeit --runs 11 -- busybox true)
echo "BENCH true-start $(echo "$out" | field cmd_ms) ms"

# ---- 50 guests of 32 MiB, paused, one after another ----
: >$T/series
cpu_by_program | sort >$T/cpu-before
ok=1
i=1
while [ $i -le 50 ]; do
    cfg=$(conf small-$i 32 $G/idle-peer.elf)
    out=$(lam-timeit -- $T/create-paused "$cfg")
    case $out in *" rc=0"*) ;; *) ok=0 ;; esac
    ms=$(echo "$out" | field cmd_ms)
    echo "BENCH-CREATE32 $i $ms"
    echo "$ms" >>$T/series
    [ $ok = 1 ] || break
    i=$((i + 1))
done
running=$(count)
traces series32
cpu_by_program | sort >$T/cpu-after
# Who used dom0's CPU during the series (ticks, the top ten).
awk 'FNR == NR { before[$1] = $2; next } { print "CPU", $1, $2 - before[$1] }' \
    $T/cpu-before $T/cpu-after | sort -k3 -n -r | head -n 10
# For the log: the guests with their CPU time (idle-peer blocks, so it should stay near 0).
$TOOL list | sed 's/^/  /'
if [ $ok = 1 ] && [ $running -eq 50 ]; then
    pass create32-50-guests
    echo "BENCH create32-first10 $(head -n 10 $T/series | awk '{ s += $1 } END { printf "%.1f", s / NR }') ms"
    echo "BENCH create32-last10 $(tail -n 10 $T/series | awk '{ s += $1 } END { printf "%.1f", s / NR }') ms"
    echo "BENCH create32-max $(sort -n $T/series | tail -n 1) ms"
    out=$(lam-timeit --runs 11 -- $TOOL list)
    case $out in *" rc=0"*) pass list50-runs ;; *) fail list50-runs "$out" ;; esac
    echo "BENCH list50 $(echo "$out" | field cmd_ms) ms"
    traces list50
else
    fail create32-50-guests "create $i failed or $running guests listed, not 50"
    $TOOL list
fi
i=1
while [ $i -le 50 ]; do destroy small-$i >/dev/null 2>&1; i=$((i + 1)); done
# A destroyed domain is listed as dying until dom0's daemons let go of its pages.
none_left() { [ "$(count)" -eq 0 ]; }
n=100
while [ $n -gt 0 ] && ! none_left; do sleep 0.1; n=$((n - 1)); done
if none_left; then pass all-destroyed; else fail all-destroyed "after 10 s: $($TOOL list)"; fi
