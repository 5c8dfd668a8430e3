#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# A hostile domU against dom0's store daemon, run by /init inside dom0
# (lamina.systest=storeattack): on Lamina and on Xen 4.17 with lam, lamstored and
# lamconsoled (Lamina's dom0 image), and on Xen 4.17 with Debian's xl, xenstored and
# xenconsoled (the Xen peer's image, run-dom0.sh --initrd xl), where the same guest shows
# what Xen's own daemon answers.
# Two domains of the store-peer test kernel (tests/guests/store-peer) are created:
#  - "attacker" makes requests a guest must be refused (privileged ones, other domains' and
#    the toolstack's nodes, its own read-only nodes, owner changes, bad paths and types,
#    transaction ids not its own, the transaction and watch quotas) and reports each answer
#    against Xen 4.17 xenstored's on its console ("store-peer: PASS|FAIL <check>"), which
#    becomes "SYSTEST PASS|FAIL attack-<check>" here; then it leaves transactions open and
#    watches registered, stops reading its ring while events are due, and sends a header
#    longer than the protocol allows;
#  - "polite" reads and writes its own node every 100 ms meanwhile.
# Then: the daemon is alive and still serves dom0 (socket) and polite (its requests keep
# succeeding after the attacker's last message), lamstored logged why it dropped the
# attacker's connection, and destroying both leaves the daemon alive and their nodes gone.
. "$(dirname "$0")/common.sh"
G=/lamina/guest
T=/tmp/storeattack
mkdir -p $T

if [ -f /etc/lamina/services ] && command -v xl >/dev/null; then
    TOOL=xl
    DAEMON=xenstored
    logof() { echo "/var/log/xen/console/guest-$1.log"; }
    conf() { # NAME MODE
        f=$T/$1.cfg
        printf 'name = "%s"\ntype = "pv"\nkernel = "%s"\nextra = "%s"\nmemory = 32\nvcpus = 1\n' \
            "$1" "$G/store-peer.elf" "$2" >"$f"
        echo "$f"
    }
    # (bounded: the utilities wait for ever on a daemon that is gone)
    store_read() { timeout 10 xenstore-read "$1"; }
    store_write() { timeout 10 xenstore-write "$1" "$2"; }
    domid() { timeout 10 xl domid "$1" 2>/dev/null; }
    destroy() { timeout 30 xl destroy "$1"; }
    daemon_alive() { pidof xenstored >/dev/null || pidof oxenstored >/dev/null; }
else
    TOOL=lam
    DAEMON=lamstored
    logof() { echo "/var/log/lamina/console/$1.log"; }
    conf() { # NAME MODE
        f=$T/$1.xml
        cat >"$f" <<EOF
<domain type='xen'>
  <name>$1</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='xenpv'>linux</type>
    <kernel>$G/store-peer.elf</kernel>
    <cmdline>$2</cmdline>
  </os>
  <on_crash>preserve</on_crash>
</domain>
EOF
        echo "$f"
    }
    store_read() { lam store read "$1"; }
    store_write() { lam store write "$1" "$2"; }
    domid() { lam list | awk -v n="$1" '$2 == n {print $1}'; }
    destroy() { lam destroy "$1"; }
    daemon_alive() { [ -f /run/lamstored.pid ] && kill -0 "$(cat /run/lamstored.pid)" 2>/dev/null; }
fi
echo "storeattack: $TOOL and $DAEMON on $(cat /sys/hypervisor/type 2>/dev/null)" \
    "$(cat /sys/hypervisor/version/major 2>/dev/null).$(cat /sys/hypervisor/version/minor 2>/dev/null)"
check daemon-running wait_for 100 daemon_alive
answers() { store_write /local/domain/0/data/storeattack before && store_read /local/domain/0/data/storeattack; }
check store-answers wait_for 100 answers
[ -f $G/store-peer.elf ] || fail store-peer-kernel "no $G/store-peer.elf in this image"

$TOOL create "$(conf polite polite)" >$T/polite.out 2>&1
check create-polite [ $? -eq 0 ]
cat $T/polite.out
$TOOL create "$(conf attacker attack)" >$T/attacker.out 2>&1
check create-attacker [ $? -eq 0 ]
cat $T/attacker.out
A=$(logof attacker)
P=$(logof polite)
check polite-served wait_for 300 grep -q 'store-peer: polite [1-9]' "$P"
check attacker-done wait_for 1200 grep -q 'store-peer: oversized header sent' "$A"
echo "storeattack: the attacker's console:"
sed 's/^/  /; s/\r$//' "$A"

# Its own verdicts, one check each.
tr -d '\r' <"$A" | sed -n 's/^store-peer: PASS \(.*\)$/\1/p' | while read -r c; do pass "attack-$c"; done
tr -d '\r' <"$A" | sed -n 's/^store-peer: FAIL \([^:]*\): \(.*\)$/\1 \2/p' | while read -r c why; do
    fail "attack-$c" "$why"
done
check attack-verdicts grep -q 'store-peer: attacks done' "$A"

# The daemon survived and serves dom0 and the other guest.
sleep 2
check daemon-alive-after daemon_alive
if ! daemon_alive; then
    echo "storeattack: $DAEMON is gone; its log and the kernel's:"
    tail -n 20 /var/log/xen/xenstored.log /var/log/lamina/lamstored.log 2>/dev/null | sed 's/^/  /'
    dmesg | grep -i -E 'xenstored|lamstored|segfault|traps' | tail -n 5 | sed 's/^/  /'
fi
check dom0-write-after store_write /local/domain/0/data/storeattack after
check dom0-read-after [ "$(store_read /local/domain/0/data/storeattack 2>/dev/null)" = after ]
polite_count() { tr -d '\r' <"$P" | sed -n 's/^store-peer: polite \([0-9]*\) of \([0-9]*\)$/\1 \2/p' | tail -n1; }
before=$(polite_count)
sleep 3
after=$(polite_count)
echo "storeattack: polite before '$before', after '$after' (ok of tries)"
served() {
    set -- $before $after
    [ -n "$4" ] && [ "$3" -gt "$1" ] && [ "$3" = "$4" ]
}
check polite-served-after served
if [ $TOOL = lam ]; then
    check daemon-dropped-attacker wait_for 50 grep -q 'exceeds 4096, closing connection' \
        /var/log/lamina/lamstored.log
    grep -i 'dom[0-9]*:' /var/log/lamina/lamstored.log | tail -n 12 | sed 's/^/  lamstored: /'
fi

aid=$(domid attacker)
pid=$(domid polite)
destroy attacker
check destroy-attacker [ $? -eq 0 ]
destroy polite
check destroy-polite [ $? -eq 0 ]
gone() { ! store_read "/local/domain/$1/name" >/dev/null 2>&1; }
check attacker-nodes-gone wait_for 50 gone "$aid"
check polite-nodes-gone wait_for 50 gone "$pid"
check daemon-alive-at-end daemon_alive
