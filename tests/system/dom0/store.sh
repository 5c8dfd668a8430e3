#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The store system test, run by /init inside dom0 (lamina.systest=store):
# lamstored serves dom0's own kernel on the local ring page (/proc/xen/xsd_kva,
# found by the daemon itself), and the kernel's xenbus works through it:
#  - the kernel's xenbus probe runs once the daemon binds the ring and writes
#    dom0's control/feature-* nodes;
#  - /dev/xen/xenbus (requests relayed by the kernel over the ring) reads and
#    writes keys the daemon's socket sees, and delivers watch events;
#  - the kernel answers its own watches: a key written on control/sysrq is
#    handled and cleared by the kernel (manage.c's sysrq watch);
#  - messages larger than the ring (1024 bytes) and bursts of requests pass;
#  - the daemon restarts with --state and the kernel's ring and watches carry
#    on (the kernel never notices), and it stops cleanly on SIGTERM.
# One line per check: "SYSTEST PASS <name>" or "SYSTEST FAIL <name>: <why>".
# It starts lamstored itself, in a dom0 whose kernel has not yet seen a daemon (the
# first probe is one of the checks), so /init must not start the services:
# lamina-systest: no-services
. "$(dirname "$0")/common.sh"

SOCK=/run/xenstored/socket
DEV=/dev/xen/xenbus
HOME0=/local/domain/0
LOG=/tmp/lamstored.log
STATE=/tmp/lamstored.state
sock() { lam store --socket $SOCK "$@"; }
dev() { lam store --socket $DEV "$@"; }
# value_is PATH VALUE via...: the node's value, read through sock or dev.
value_is() { [ "$($3 read "$1" 2>/dev/null)" = "$2" ]; }

echo "store: xsd_port $(cat /proc/xen/xsd_port 2>/dev/null), xsd_kva $(cat /proc/xen/xsd_kva 2>/dev/null)"
check xsd-kva-present [ -e /proc/xen/xsd_kva ]

lamstored --state $STATE 2>$LOG &
daemon=$!
if wait_for 50 [ -S $SOCK ]; then pass daemon-socket; else fail daemon-socket "no $SOCK after 5 s"; fi
check daemon-ring grep -q "local ring: port" $LOG
# It listens for dying domains (VIRQ_DOM_EXC, then domctl through privcmd).
check daemon-watches-domain-exits sh -c "! grep -q 'released only on RELEASE' $LOG"

# The kernel's probe thread waits for the daemon's first event, then (among
# others) manage.c writes dom0's shutdown features relative to its home.
if wait_for 100 value_is $HOME0/control/feature-poweroff 1 sock; then
    pass kernel-writes-home
else
    fail kernel-writes-home "$HOME0/control/feature-poweroff never became 1"
fi
sock ls -r $HOME0

# The kernel's xenbus device: requests travel dom0's ring to the daemon.
check xenbus-dev-write dev write /systest/from-dev "written through the kernel"
check xenbus-dev-read-by-socket value_is /systest/from-dev "written through the kernel" sock
check socket-write sock write /systest/from-sock "written on the socket"
check xenbus-dev-read value_is /systest/from-sock "written on the socket" dev
check xenbus-dev-ls sh -c "lam store --socket $DEV ls /systest | grep -q '^from-sock = '"
check xenbus-dev-rm dev rm /systest/from-dev
if sock read /systest/from-dev >/dev/null 2>&1; then
    fail xenbus-dev-rm-seen "/systest/from-dev still readable on the socket"
else
    pass xenbus-dev-rm-seen
fi
# Relative paths through the kernel are dom0's home.
check xenbus-dev-relative dev write systest-relative yes
check xenbus-dev-relative-home value_is $HOME0/systest-relative yes sock

# A watch through the kernel's device: the registration event, then the write.
dev watch -n 2 /systest/watched >/tmp/watch.out 2>&1 &
watcher=$!
sleep 1
sock write /systest/watched now >/dev/null
if wait_for 50 sh -c "! kill -0 $watcher 2>/dev/null"; then
    if [ "$(grep -c '^/systest/watched' /tmp/watch.out)" -ge 2 ]; then
        pass xenbus-dev-watch
    else
        fail xenbus-dev-watch "events: $(cat /tmp/watch.out)"
    fi
else
    kill $watcher 2>/dev/null
    fail xenbus-dev-watch "no event within 5 s: $(cat /tmp/watch.out)"
fi

# The kernel's own watch: it reads the key, clears it in a transaction and
# runs the SysRq handler ('h' only prints help).
sock write $HOME0/control/sysrq h >/dev/null
if wait_for 50 value_is $HOME0/control/sysrq "" sock; then
    pass kernel-answers-watch
else
    fail kernel-answers-watch "control/sysrq still '$(sock read $HOME0/control/sysrq)'"
fi

# Without a socket to talk to, lam falls back to the kernel's device.
check fallback-to-xenbus sh -c "XENSTORED_PATH=/run/none lam store read /systest/from-sock \
    | grep -q 'written on the socket'"

# Messages larger than the ring, both ways, and a burst of small requests.
big=$(head -c 3000 /dev/zero | tr '\0' x)
check ring-large-write dev write /systest/big "$big"
check ring-large-read-by-socket value_is /systest/big "$big" sock
sock write /systest/big2 "y$big" >/dev/null
check ring-large-read value_is /systest/big2 "y$big" dev
i=0
while [ $i -lt 100 ] && dev write /systest/burst/$i $i >/dev/null 2>&1; do i=$((i + 1)); done
check ring-burst-100 [ "$(sock ls /systest/burst | wc -l)" -eq 100 ]

# A restart keeps the store and reconnects the kernel's ring and its watches.
check daemon-alive kill -0 $daemon
kill -TERM $daemon
wait $daemon
rc=$?
check daemon-clean-exit [ $rc -eq 0 ]
check state-saved [ -s $STATE ]
rm -f $SOCK
lamstored --state $STATE 2>>$LOG &
daemon=$!
if wait_for 50 [ -S $SOCK ]; then pass restart-socket; else fail restart-socket "no $SOCK"; fi
check restart-kept-nodes value_is /systest/from-sock "written on the socket" sock
check restart-xenbus-dev value_is /systest/burst/99 99 dev
sock write $HOME0/control/sysrq h >/dev/null
if wait_for 50 value_is $HOME0/control/sysrq "" sock; then
    pass restart-kernel-watch
else
    fail restart-kernel-watch "control/sysrq still '$(sock read $HOME0/control/sysrq)'"
fi

# A domain dying (Lamina's boot-time domU, destroyed here) wakes the daemon's
# VIRQ_DOM_EXC handler; it must go on serving.
if lam list 2>/dev/null | grep -Eq '^ 1 +d1 '; then
    lam destroy 1 >/dev/null
    sleep 1
    check domain-exit-daemon-serves value_is /systest/from-sock "written on the socket" sock
fi
check restart-daemon-alive kill -0 $daemon
kill -TERM $daemon
wait $daemon
rc=$?
check restart-clean-exit [ $rc -eq 0 ]
echo "store: lamstored log:"
sed 's/^/  /' $LOG
