#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# lamina-systest: no-services
# (it starts its own lamstored with a state file of its own and compares the whole store)
# The domain builder's system test, run by /init inside dom0 (lamina.systest=create), on
# Lamina and on Xen 4.17 alike: dom0 runs lamstored and `lam create` starts domUs from
# Debian's kernel (the one dom0 runs) and the demo guest's initramfs.
#  - a domU boots: its kernel's xenbus writes control/feature-poweroff into the store, it is
#    listed running with CPU time growing, and its /init runs (with lamina.domu=poweroff it
#    powers the domain off: shut down with reason poweroff);
#  - the store holds what the toolstack wrote (name, vm, memory, console, the config with
#    its live id), and `lam destroy` leaves the store exactly as it was before;
#  - bad input is refused with a clear message and leaves nothing behind: not a kernel, a
#    corrupt kernel, an initrd that does not fit, more memory or online vCPUs than the
#    host has, a duplicate name or UUID;
#  - 20 create/destroy cycles, then the store as before and the host's free memory back;
#  - creates in parallel: ten of distinct names all succeed; ten of one name at once: exactly
#    one succeeds, the others are refused with a clear message; then the store as before and
#    the host's free memory back.
# One line per check: "SYSTEST PASS <name>" or "SYSTEST FAIL <name>: <why>"; timings as
# "SYSTEST INFO".
. "$(dirname "$0")/common.sh"

SOCK=/run/xenstored/socket
GUEST=/lamina/guest
T=/tmp/create
mkdir -p $T
sock() { lam store --socket $SOCK "$@"; }
value_is() { [ "$(sock read "$1" 2>/dev/null)" = "$2" ]; }
# xml NAME MIB [EXTRA-CMDLINE] [UUID] [INITRD] [KERNEL] [VCPU-ELEMENT]
xml() {
    uuid_element=${4:+<uuid>$4</uuid>}
    cat <<EOF
<domain type='xen'>
  <name>$1</name>$uuid_element
  <memory unit='MiB'>$2</memory>
  ${7:-<vcpu>1</vcpu>}
  <os>
    <type arch='x86_64' machine='xenpv'>linux</type>
    <kernel>${6:-$GUEST/vmlinuz}</kernel>
    <initrd>${5:-$GUEST/domu-initrd.img}</initrd>
    <cmdline>console=hvc0 quiet $3</cmdline>
  </os>
</domain>
EOF
}
domid_of() { sed -n "s/^Domain '$1' created (id \([0-9]*\)).*/\1/p" $T/$1.out; }
state_of() { lam list | awk -v id="$1" '$1 == id {print $3}'; }
time_of() { lam list | awk -v id="$1" '$1 == id {print $6}'; }
# What the toolstack writes, outside dom0's own home: every domain's directory, /vm,
# /libxl, /lamina and dom0's backend directory.
store_dump() {
    echo "top: $(sock ls / 2>&1 | awk '{print $1}' | sort | tr '\n' ' ')"
    echo "domains: $(sock ls /local/domain 2>&1 | awk '{print $1}' | sort | tr '\n' ' ')"
    for p in /vm /libxl /lamina /local/domain/0/backend; do
        echo "$p:"
        sock ls -r $p 2>&1
    done
}

lamstored --state $T/store.state 2>$T/lamstored.log &
daemon=$!
if wait_for 50 [ -S $SOCK ]; then pass daemon-socket; else fail daemon-socket "no $SOCK"; fi
# dom0's kernel has finished its xenbus probe once its own features are there.
wait_for 100 value_is /local/domain/0/control/feature-poweroff 1
store_dump > $T/store.before
# The domains running before (Lamina's system tests also boot an idle domU with dom0).
domain_ids() { lam list | awk 'NR > 2 {print $1}' | sort; }
domain_ids > $T/ids.before

# ---- one domU, all the way ----
# two vCPUs, one online at boot (the other may be hot-plugged): allowed on one CPU
xml t1 128 "" "" "" "" "<vcpu current='1'>2</vcpu>" > $T/t1.xml
lam create --timing $T/t1.xml > $T/t1.out 2>&1
rc=$?
cat $T/t1.out
check create-exit-0 [ "$rc" = 0 ]
id=$(domid_of t1)
check create-prints-id [ -n "$id" ]
info "toolstack: $(grep timing $T/t1.out)"
if wait_for 900 value_is /local/domain/$id/control/feature-poweroff 1; then
    pass guest-xenbus-up
else
    fail guest-xenbus-up "/local/domain/$id/control/feature-poweroff never became 1"
fi
sock ls -r /local/domain/$id
t_a=$(time_of $id)
sleep 2
t_b=$(time_of $id)
info "t1 cpu time $t_a -> $t_b, state $(state_of $id)"
check guest-listed [ -n "$(state_of $id)" ]
check guest-cpu-time-grows awk "BEGIN { exit !($t_b > $t_a) }"
check store-name value_is /local/domain/$id/name t1
vm=$(sock read /local/domain/$id/vm)
check store-vm value_is $vm/name t1
check store-target value_is /local/domain/$id/memory/target 131072
check store-vcpu0-online value_is /local/domain/$id/cpu/0/availability online
check store-vcpu1-offline value_is /local/domain/$id/cpu/1/availability offline
check store-console-port sh -c "[ \$(lam store --socket $SOCK read /local/domain/$id/console/port) -gt 0 ]"
check store-console-ring-ref sh -c "[ \$(lam store --socket $SOCK read /local/domain/$id/console/ring-ref) -gt 0 ]"
check store-config-live-id sh -c "lam store --socket $SOCK read /lamina/domain/$id/config | grep -q \"<domain id='$id' type='xen'>\""

# a second domain with the same name or UUID
xml t1 64 > $T/dupname.xml
lam create $T/dupname.xml > $T/o 2>&1
rc=$?
cat $T/o
check refuse-duplicate-name sh -c "[ $rc = 1 ] && grep -q \"named 't1' is already running\" $T/o"
uuid=${vm#/vm/}
xml other 64 "" "$uuid" > $T/dupuuid.xml
lam create $T/dupuuid.xml > $T/o 2>&1
rc=$?
cat $T/o
check refuse-duplicate-uuid sh -c "[ $rc = 1 ] && grep -q \"UUID $uuid is already running\" $T/o"

lam destroy t1
check destroy-exit-0 [ $? = 0 ]
check destroy-store-gone sh -c "! lam store --socket $SOCK read /local/domain/$id/name 2>/dev/null"
check destroy-vm-gone sh -c "! lam store --socket $SOCK ls $vm 2>/dev/null"
wait_for 100 sh -c "[ -z \"\$(lam list | awk -v id=$id '\$1 == id')\" ]"
check destroy-domain-gone [ -z "$(state_of $id)" ]
store_dump > $T/store.after
if cmp -s $T/store.before $T/store.after; then pass destroy-store-as-before; else
    fail destroy-store-as-before "$(diff $T/store.before $T/store.after | head -5)"; fi

# ---- the guest's /init runs: it powers the domain off ----
# Kept once shut down (on_poweroff preserve): with the default (destroy) the domain's
# monitor may destroy it before `lam list` looks, which a faster destroy made likely.
xml t2 128 lamina.domu=poweroff | sed 's|^</domain>|<on_poweroff>preserve</on_poweroff></domain>|' > $T/t2.xml
lam create --timing $T/t2.xml > $T/t2.out 2>&1
id=$(domid_of t2)
info "toolstack, kernel cached: $(grep timing $T/t2.out)"
if wait_for 900 sh -c "lam list | awk -v id=$id '\$1 == id && \$3 == \"shutdown\"' | grep -q ."; then
    pass guest-init-powers-off
else
    fail guest-init-powers-off "d$id state $(state_of $id)"
fi
lam destroy t2 >/dev/null
wait_for 100 sh -c "lam list | awk 'NR > 2 {print \$1}' | sort | cmp -s - $T/ids.before"

# ---- bad input: refused, nothing left behind ----
bad() { # NAME EXPECTED-TEXT XML-FILE
    lam create "$3" > $T/o 2>&1
    rc=$?
    cat $T/o
    if [ $rc = 1 ] && grep -q "$2" $T/o && domain_ids | cmp -s - $T/ids.before &&
        store_dump | cmp -s - $T/store.before; then
        pass "$1"
    else
        fail "$1" "exit $rc, $(cat $T/o); domains $(domain_ids | tr '\n' ' '); store $(store_dump | diff $T/store.before - | tr '\n' ' ')"
    fi
}
echo 'not a kernel' > $T/notkernel
xml b1 128 "" "" "" $T/notkernel > $T/b1.xml
bad refuse-not-a-kernel "not a PV kernel image" $T/b1.xml
head -c 3000000 $GUEST/vmlinuz > $T/truncated
xml b2 128 "" "" "" $T/truncated > $T/b2.xml
bad refuse-corrupt-kernel "corrupt bzImage" $T/b2.xml
# 80 MiB hold Debian's kernel (78 MiB with the boot data) but not 4 MiB of initrd beside it
dd if=/dev/zero of=$T/big.img bs=1M count=4 2>/dev/null
xml b3 80 "" "" $T/big.img > $T/b3.xml
bad refuse-initrd-too-big "does not fit" $T/b3.xml
xml b4 100000 > $T/b4.xml
bad refuse-more-memory-than-host "MiB free" $T/b4.xml
cpus=$(grep -c ^processor /proc/cpuinfo)
xml b5 128 "" "" "" "" "<vcpu current='8'>8</vcpu>" > $T/b5.xml
bad refuse-more-vcpus-than-host "physical CPU" $T/b5.xml
xml b6 32 > $T/b6.xml
bad refuse-too-little-memory "too little memory" $T/b6.xml
rm -f $T/big.img

# ---- a build that fails part-way leaves nothing: after each step in turn ----
xml half 128 > $T/half.xml
free_half=$(lam-systest free-pages)
for step in create memory image boot introduce; do
    LAMINA_DOMBUILD_FAIL=$step lam create $T/half.xml > $T/o 2>&1
    rc=$?
    cat $T/o
    wait_for 100 sh -c "lam list | awk 'NR > 2 {print \$1}' | sort | cmp -s - $T/ids.before"
    if [ $rc = 1 ] && grep -q "stopped after step '$step'" $T/o && domain_ids | cmp -s - $T/ids.before &&
        store_dump | cmp -s - $T/store.before; then
        pass "half-built-$step-cleaned"
    else
        fail "half-built-$step-cleaned" "exit $rc; domains $(domain_ids | tr '\n' ' '); store $(store_dump | diff $T/store.before - | tr '\n' ' ')"
    fi
done
n=0
free_after=$(lam-systest free-pages)
while [ "$free_after" != "$free_half" ] && [ $n -lt 50 ]; do
    sleep 0.2
    free_after=$(lam-systest free-pages)
    n=$((n + 1))
done
check half-built-memory-back [ "$free_after" = "$free_half" ]

# ---- 20 create/destroy cycles ----
# The host's free memory before them: after the first domains, whose first use of dom0's
# grant mappings and event channels may have grown dom0's own tables for good.
free_before=$(lam-systest free-pages)
info "free pages before the cycles: $free_before"
xml cyc 128 > $T/cyc.xml
ok=0
i=0
while [ $i -lt 20 ]; do
    if lam create --timing $T/cyc.xml > $T/cyc.out 2>&1 && lam destroy cyc >/dev/null 2>&1; then
        ok=$((ok + 1))
        sed -n 's/.*, total \([0-9.]*\) ms.*/\1/p' $T/cyc.out >> $T/cyc.times
    else
        cat $T/cyc.out
    fi
    i=$((i + 1))
done
check cycles-20 [ $ok = 20 ]
# The toolstack's time to unpause for these 128 MiB guests (kernel cached): median, min, max
info "toolstack, 20 cycles: $(sort -n $T/cyc.times | awk '{v[NR] = $1} END {printf "median %s ms, min %s ms, max %s ms", v[int((NR + 1) / 2)], v[1], v[NR]}')"
wait_for 100 sh -c "lam list | awk 'NR > 2 {print \$1}' | sort | cmp -s - $T/ids.before"
check cycles-domains-gone sh -c "lam list | awk 'NR > 2 {print \$1}' | sort | cmp -s - $T/ids.before"
store_dump > $T/store.after
if cmp -s $T/store.before $T/store.after; then pass cycles-store-as-before; else
    fail cycles-store-as-before "$(diff $T/store.before $T/store.after | head -5)"; fi
n=0
free_after=$(lam-systest free-pages)
while [ "$free_after" != "$free_before" ] && [ $n -lt 50 ]; do
    sleep 0.2
    free_after=$(lam-systest free-pages)
    n=$((n + 1))
done
info "free pages after: $free_after"
check cycles-memory-back [ "$free_after" = "$free_before" ]

# ---- creates in parallel (the idle-peer test kernel, 32 MiB, paused: the builder is what
# races here, and ten running guests would only slow dom0 under TCG) ----
# par NAME UUID-SUFFIX: a small domain of that name, with a UUID of its own.
par() {
    printf "<domain type='xen'><name>%s</name><uuid>6c1ba1e0-0b0b-4c7d-9a11-0000000002%s</uuid>" "$1" "$2"
    printf "<memory unit='MiB'>32</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='xenpv'>"
    printf "linux</type><kernel>$GUEST/idle-peer.elf</kernel></os></domain>\n"
}
# race NAME-OF-I: ten `lam create --paused` started together; $T/race.rcs gets "I RC" lines.
race() {
    rm -f $T/race.rcs $T/race-*.out
    i=0
    while [ $i -lt 10 ]; do
        par "$(echo "$1" | sed "s/I/$i/")" "$i$i" > $T/race-$i.xml
        i=$((i + 1))
    done
    i=0
    pids=
    while [ $i -lt 10 ]; do
        (lam create --paused $T/race-$i.xml > $T/race-$i.out 2>&1; echo "$i $?" >> $T/race.rcs) &
        pids="$pids $!"
        i=$((i + 1))
    done
    wait $pids # not a bare wait: the store daemon runs in the background too
}
free_par=$(lam-systest free-pages)
if [ -f $GUEST/idle-peer.elf ]; then
    race parI
    cat $T/race-*.out
    check parallel-10-distinct sh -c "[ \$(grep -c ' 0\$' $T/race.rcs) = 10 ] &&
        [ \$(lam list --name | grep -c '^par[0-9]\$') = 10 ]"
    for n in $(lam list --name | grep '^par[0-9]$'); do lam destroy $n >/dev/null; done
    race same
    cat $T/race-*.out
    won=$(grep -c ' 0$' $T/race.rcs)
    refused=$(grep -l -E "named 'same' is (already running|being created right now)" $T/race-*.out | wc -l)
    info "same name 10 times at once: $won created, $refused refused"
    check parallel-same-name-one-wins sh -c "[ $won = 1 ] && [ $refused = 9 ] &&
        [ \$(lam list --name | grep -c '^same\$') = 1 ]"
    lam destroy same >/dev/null
    wait_for 100 sh -c "lam list | awk 'NR > 2 {print \$1}' | sort | cmp -s - $T/ids.before"
    check parallel-domains-gone sh -c "lam list | awk 'NR > 2 {print \$1}' | sort | cmp -s - $T/ids.before"
    store_dump > $T/store.after
    if cmp -s $T/store.before $T/store.after; then pass parallel-store-as-before; else
        fail parallel-store-as-before "$(diff $T/store.before $T/store.after | head -5)"; fi
    wait_for 100 sh -c "[ \$(lam-systest free-pages) = $free_par ]"
    check parallel-memory-back [ "$(lam-systest free-pages)" = "$free_par" ]
else
    fail parallel-creates "no $GUEST/idle-peer.elf in this dom0"
fi

kill $daemon
wait $daemon
check daemon-exit-0 [ $? = 0 ]
grep -i "error\|refus" $T/lamstored.log | head -20
