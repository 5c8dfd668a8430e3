#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# A hostile blkfront against lamblkback, run by /init inside dom0 (lamina.systest=blkattack)
# on Lamina and on Xen 4.17 alike (lam, lamstored, lamconsoled, lamblkback in dom0).
# Two domains of the blk-peer test kernel (tests/guests/blk-peer), each with one raw disk:
#  - "polite" writes a page and reads it back every 50 ms and counts what worked;
#  - "hostile" connects as blkfront does, then sends every malformed request class (bad
#    grant references, 0 and 12 segments, sectors outside the page, ranges past the end and
#    wrapping, operations not offered, indirect requests with a bad page, 33 segments or a
#    garbage page, a ring of duplicate ids) and checks each status against what Linux's
#    blkback answers ("blk-peer: PASS|FAIL <check>" -> "SYSTEST PASS|FAIL hostile-<check>");
#    then eight malformed requests in a row, after which the backend must ask it to close.
#  - "leap" moves req_prod 1000 entries ahead after one good read: asked to close at
#    once, nothing answered past it;
#  - "rodisk" (a <readonly/> disk) writes twelve times in a row: each refused, never
#    counted as a protocol fault (a read works after them, still connected).
# Then: lamblkback is the same process, logged the disconnect, still serves polite, and
# destroying both removes their backend directories.
. "$(dirname "$0")/common.sh"
G=/lamina/guest
T=/tmp/blkattack
CON=/var/log/lamina/console
BLOG=/var/log/lamina/lamblkback.log
mkdir -p $T
blkback_alive() { [ -f /run/lamblkback.pid ] && kill -0 "$(cat /run/lamblkback.pid)" 2>/dev/null; }
conf() { # NAME MODE [readonly]
    truncate -s 4M $T/$1.img
    cat >$T/$1.xml <<XML
<domain type='xen'>
  <name>$1</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='xenpv'>linux</type>
    <kernel>$G/blk-peer.elf</kernel>
    <cmdline>$2</cmdline>
  </os>
  <on_crash>preserve</on_crash>
  <devices>
    <disk type='file' device='disk'><driver name='lamina' type='raw'/>
      <source file='$T/$1.img'/><target dev='xvda' bus='xen'/>${3:+<readonly/>}</disk>
  </devices>
</domain>
XML
    echo $T/$1.xml
}
echo "blkattack: on $(cat /sys/hypervisor/type 2>/dev/null)" \
    "$(cat /sys/hypervisor/version/major 2>/dev/null).$(cat /sys/hypervisor/version/minor 2>/dev/null)"
[ -f $G/blk-peer.elf ] || fail blk-peer-kernel "no $G/blk-peer.elf in this image"
check blkback-running wait_for 100 blkback_alive
bpid=$(cat /run/lamblkback.pid 2>/dev/null)

lam create "$(conf polite polite)" >$T/polite.out 2>&1
check create-polite [ $? -eq 0 ]
P=$CON/polite.log
check polite-served wait_for 300 grep -q 'blk-peer: polite [1-9]' "$P"
lam create "$(conf hostile hostile)" >$T/hostile.out 2>&1
check create-hostile [ $? -eq 0 ]
H=$CON/hostile.log
check hostile-connected wait_for 300 grep -q 'blk-peer: mode hostile, connected' "$H"
check hostile-done wait_for 600 grep -q 'blk-peer: hostile done' "$H"
echo "blkattack: the hostile guest's console:"
sed 's/^/  /; s/\r$//' "$H"
tr -d '\r' <"$H" | sed -n 's/^blk-peer: PASS \(.*\)$/\1/p' | while read -r c; do pass "hostile-$c"; done
tr -d '\r' <"$H" | sed -n 's/^blk-peer: FAIL \([^:]*\): \(.*\)$/\1 \2/p' | while read -r c why; do
    fail "hostile-$c" "$why"
done

# The other two protocol classes, one domain each.
peer_verdicts() { # NAME
    tr -d '\r' <"$CON/$1.log" | sed -n 's/^blk-peer: PASS \(.*\)$/\1/p' | while read -r c; do pass "$1-$c"; done
    tr -d '\r' <"$CON/$1.log" | sed -n 's/^blk-peer: FAIL \([^:]*\): \(.*\)$/\1 \2/p' | while read -r c why; do
        fail "$1-$c" "$why"
    done
}
lam create "$(conf leap leap)" >$T/leap.out 2>&1
check create-leap [ $? -eq 0 ]
check leap-done wait_for 300 grep -q 'blk-peer: leap done' "$CON/leap.log"
peer_verdicts leap
lid=$(lam list | awk '$2 == "leap" {print $1}')
check blkback-logged-impossible-index grep -q "dom$lid dev 51712 queue 0: impossible ring index: disconnecting the frontend" $BLOG
lam create "$(conf rodisk readonly ro)" >$T/rodisk.out 2>&1
check create-rodisk [ $? -eq 0 ]
check rodisk-done wait_for 300 grep -q 'blk-peer: readonly done' "$CON/rodisk.log"
peer_verdicts rodisk
check rodisk-image-untouched sh -c "[ -z \"\$(tr -d '\\000' <$T/rodisk.img | head -c 1)\" ]"
lam destroy leap >/dev/null 2>&1
check destroy-leap [ $? -eq 0 ]
lam destroy rodisk >/dev/null 2>&1
check destroy-rodisk [ $? -eq 0 ]

check blkback-alive-after blkback_alive
check blkback-same-process [ "$(cat /run/lamblkback.pid 2>/dev/null)" = "$bpid" ]
hid=$(lam list | awk '$2 == "hostile" {print $1}')
check blkback-logged-disconnect grep -q "dom$hid dev 51712 queue 0: malformed requests: disconnecting the frontend" $BLOG
polite_count() { tr -d '\r' <"$P" | sed -n 's/^blk-peer: polite \([0-9]*\) of \([0-9]*\)$/\1 \2/p' | tail -n1; }
before=$(polite_count)
sleep 3
after=$(polite_count)
echo "blkattack: polite before '$before', after '$after' (ok of tries)"
served() {
    set -- $before $after
    [ -n "$4" ] && [ "$3" -gt "$1" ] && [ "$3" = "$4" ]
}
check polite-served-after served
pid=$(lam list | awk '$2 == "polite" {print $1}')
lam destroy hostile >/dev/null 2>&1
check destroy-hostile [ $? -eq 0 ]
lam destroy polite >/dev/null 2>&1
check destroy-polite [ $? -eq 0 ]
check hostile-backend-removed wait_for 100 grep -q "dom$hid dev 51712: removed" $BLOG
check polite-backend-removed wait_for 100 grep -q "dom$pid dev 51712: removed" $BLOG
check blkback-alive-at-end blkback_alive
tail -n 15 $BLOG | sed 's/^/  lamblkback: /'
