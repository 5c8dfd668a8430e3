#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The console system test, run by /init inside dom0 (lamina.systest=console), on both
# hypervisors. One line per check: "SYSTEST PASS <name>", "SYSTEST FAIL <name>: <why>" or
# "SYSTEST SKIP <name>: <why>".
#  - /init started lamstored and lamconsoled (as xencommons does) and said where they log;
#  - lam dmesg prints the hypervisor's log, --clear empties it;
#  - a lam command whose daemon is not running fails within 5 s naming it; restarted, the
#    daemons carry on (lamconsoled reconnects to the store);
#  - with console-peer boot-time domUs (Lamina: run-dom0.sh --domU, see tests/system/Makefile)
#    the test does what `lam create` will do for them: it writes each domain's store nodes
#    (name, console/{ring-ref,port,type}) and introduces it. Then: each console's output
#    reaches its log file and `lam console` (by name and by id), typed input reaches the
#    guest (echo), a guest that floods its ring and never reads its input stalls neither
#    the daemon nor the others and its log stays capped, a guest that writes nonsense into
#    its ring indexes or store nodes gets a log line, and `lam console` ends when its
#    domain is destroyed.
# Once `lam create` builds domains (on both hypervisors), the domU part switches to it: create
# console-peer domains named web/flood/garbage (kernel build/guests/console-peer.elf, command
# line echo/flood/garbage) instead of run-dom0.sh's --domU modules, take their ids from `lam
# list` instead of /tmp/peers.txt, and drop the `introduce` calls for them (the builder writes
# the same nodes and introduces). The bad-store-node checks keep a domain whose console nodes
# the test writes itself ("silent": a boot-time domU on Lamina, or a domain lam create starts
# with its console nodes removed before lamconsoled sees them); the SKIP on Xen goes.
. "$(dirname "$0")/common.sh"
# took CMD...: runs CMD (output in /tmp/took.out, /tmp/took.err), sets rc and secs.
took() {
    t0=$(date +%s)
    "$@" >/tmp/took.out 2>/tmp/took.err </dev/null
    rc=$?
    secs=$(($(date +%s) - t0))
}
LOGS=/var/log/lamina
CLOG=$LOGS/lamconsoled.log
CON=$LOGS/console

# ---- the services /init started ----
alive() { [ -f "/run/$1.pid" ] && kill -0 "$(cat "/run/$1.pid")" 2>/dev/null; }
check lamstored-started alive lamstored
check lamconsoled-started alive lamconsoled
check store-socket [ -S /run/xenstored/socket ]
check console-socket wait_for 50 [ -S /run/lamina/console.sock ]
check lamconsoled-serving wait_for 50 grep -q 'serving consoles' $CLOG
check lamconsoled-found-store wait_for 50 grep -q 'store: connected' $CLOG
check store-answers sh -c 'lam store ls /local/domain/0 >/dev/null'

# ---- lam dmesg ----
lam dmesg >/tmp/dmesg.txt 2>/tmp/dmesg.err
rc=$?
echo "console: lam dmesg: $(wc -c </tmp/dmesg.txt) bytes, first line: $(head -n1 /tmp/dmesg.txt)"
check dmesg-runs [ $rc -eq 0 ]
check dmesg-has-the-log grep -Eqi '(xen|lamina).*(version|hypervisor)' /tmp/dmesg.txt
lam dmesg --clear >/tmp/dmesg-c.txt 2>&1
check dmesg-clear-prints-all [ "$(wc -c </tmp/dmesg-c.txt)" -ge "$(wc -c </tmp/dmesg.txt)" ]
lam dmesg >/tmp/dmesg2.txt 2>&1
echo "console: after --clear: $(wc -c </tmp/dmesg2.txt) bytes"
check dmesg-clear-empties sh -c "[ $(wc -c </tmp/dmesg2.txt) -lt $(wc -c </tmp/dmesg.txt) ] &&
    ! grep -qF \"$(head -n1 /tmp/dmesg.txt)\" /tmp/dmesg2.txt"

# ---- a daemon that is not running: a clear error within 5 s, then a restart ----
kill "$(cat /run/lamstored.pid)"
wait_for 50 sh -c '! kill -0 $(cat /run/lamstored.pid)'
took lam store ls /
cat /tmp/took.err
check store-down-fails [ $rc -eq 1 ]
check store-down-within-5s [ $secs -le 5 ]
check store-down-names-daemon grep -qi 'lamstored.*start it with' /tmp/took.err
lamstored --state /var/lib/lamina/store.state 2>>$LOGS/lamstored.log &
echo $! >/run/lamstored.pid
check store-restarted wait_for 50 sh -c 'lam store ls /local/domain/0 >/dev/null'
check lamconsoled-reconnects wait_for 100 sh -c "[ \$(grep -c 'store: connected' $CLOG) -ge 2 ]"
kill "$(cat /run/lamconsoled.pid)"
wait_for 50 sh -c '! kill -0 $(cat /run/lamconsoled.pid)'
took lam console Domain-0
cat /tmp/took.err
check console-down-fails [ $rc -eq 1 ]
check console-down-within-5s [ $secs -le 5 ]
check console-down-names-daemon grep -q 'lamconsoled.*start it with' /tmp/took.err
lamconsoled 2>>$CLOG &
echo $! >/run/lamconsoled.pid
check lamconsoled-restarted wait_for 50 [ -S /run/lamina/console.sock ]
took lam console nosuch
check console-unknown-domain grep -q "lam: console: nosuch: no running domain called 'nosuch' has a console" /tmp/took.err

# ---- boot-time console-peer domUs (Lamina) ----
# Each says in the hypervisor's log what a builder knows: its console and store pages and
# ports ("(dN) console-peer: mode M console mfn X port P store mfn Y port Q").
# (read from the log saved before --clear)
grep 'console-peer: mode' /tmp/dmesg.txt | sed 's/\r$//; s/^(LAM) \[[ 0-9.]*\] //' >/tmp/peers.txt
cat /tmp/peers.txt
if [ ! -s /tmp/peers.txt ]; then
    skip console-domUs "no console-peer domUs (Xen 4.17 has no boot-time domUs)"
    sed 's/^/  /' $CLOG
    exit 0
fi
# introduce DOMID NAME: the store nodes `lam create` writes for a console, then INTRODUCE.
introduce() {
    line=$(grep "^(d$1) " /tmp/peers.txt)
    set -- "$1" "$2" $(echo "$line" | sed 's/.*console mfn \([0-9]*\) port \([0-9]*\) store mfn \([0-9]*\) port \([0-9]*\).*/\1 \2 \3 \4/')
    lam store write /local/domain/$1/name "$2" /local/domain/$1/domid "$1" \
        /local/domain/$1/console/type xenconsoled /local/domain/$1/console/limit 1048576 \
        /local/domain/$1/console/ring-ref "$3" /local/domain/$1/console/port "$4" &&
        lam store introduce "$1" "$5" "$6"
}
domid_of() { sed -n "s/^(d\([0-9]*\)) console-peer: mode $1 .*/\1/p" /tmp/peers.txt; }
web=$(domid_of echo) flood=$(domid_of flood) garbage=$(domid_of garbage) silent=$(domid_of silent)
check introduce-web introduce "$web" web
check introduce-flood introduce "$flood" flood
check introduce-garbage introduce "$garbage" garbage

# Output reaches the log and lam console (the history first), by name and by id.
check web-served wait_for 100 grep -q "d$web (web): console served" $CLOG
check web-log wait_for 50 grep -q 'console-peer: hello on port' $CON/web.log
took lam console --timeout 2 web
check console-by-name grep -q 'console-peer: hello on port' /tmp/took.out
took lam console --timeout 2 "$web"
check console-by-id grep -q 'console-peer: hello on port' /tmp/took.out
check console-timeout-exit-0 [ $rc -eq 0 ]
# Typed input reaches the guest, which echoes it.
printf 'ping one\r' | lam console --timeout 3 web >/tmp/echo.out 2>&1
check console-input-echoed grep -q 'echo: ping one' /tmp/echo.out
check web-log-has-echo grep -q 'echo: ping one' $CON/web.log

# A guest that floods and never reads its input: the others carry on, its log is capped.
check flood-served wait_for 100 grep -q "d$flood (flood): console served" $CLOG
yes 'typed into a guest that never reads' | head -c 20000 |
    lam console --timeout 3 flood >/tmp/flood.out 2>/tmp/flood.err
check flood-console-shows-output grep -q 'flood [0-9]*: the quick brown fox' /tmp/flood.out
printf 'ping two\r' | lam console --timeout 3 web >/tmp/echo2.out 2>&1
check web-echoes-during-flood grep -q 'echo: ping two' /tmp/echo2.out
# About 1 MiB passes in seconds under QEMU: the log is rotated.
check flood-log-rotates wait_for 300 [ -e $CON/flood.log.1 ]
ls -l $CON/
cap=1048576
size() { stat -c %s "$1" 2>/dev/null || echo 0; }
check flood-log-capped [ "$(size $CON/flood.log)" -le $cap ]
check flood-log-rotated-capped [ "$(size $CON/flood.log.1)" -le $cap ]
check flood-log-grows [ "$(size $CON/flood.log)" -gt 0 ]

# Nonsense in the ring indexes: a log line, the daemon serves on.
check garbage-logged wait_for 100 grep -q "d$garbage (garbage): console ring indexes out of range" $CLOG
took lam console garbage
check garbage-attach-refused grep -q 'garbage wrote nonsense into its console ring' /tmp/took.err
# Nonsense in the store nodes: a log line; corrected, the console is served.
lam store write /local/domain/$silent/name silent /local/domain/$silent/console/ring-ref bogus \
    /local/domain/$silent/console/port 2
check bad-ring-ref-logged wait_for 100 grep -q "d$silent: console/ring-ref 'bogus' is not a frame number" $CLOG
line=$(grep "^(d$silent) " /tmp/peers.txt)
mfn=$(echo "$line" | sed 's/.*console mfn \([0-9]*\) .*/\1/')
# The bad port goes in first: with the frame first, the daemon could see a good frame and the
# old good port 2 between the two writes and serve the console (seen once under load).
lam store write /local/domain/$silent/console/port 99999999 /local/domain/$silent/console/ring-ref "$mfn"
check bad-port-logged wait_for 100 grep -q "d$silent: console/port '99999999' is not an event channel port" $CLOG
check bad-nodes-fixed introduce "$silent" silent
check silent-served wait_for 100 grep -q "d$silent (silent): console served" $CLOG
check lamconsoled-alive kill -0 "$(cat /run/lamconsoled.pid)"

# An attached console ends when its domain is destroyed.
lam console web >/tmp/gone.out 2>/tmp/gone.err </dev/null &
client=$!
sleep 1
lam destroy "$web"
if wait_for 100 sh -c "! kill -0 $client"; then
    pass console-ends-with-domain
else
    kill $client
    fail console-ends-with-domain "lam console still running 10 s after the destroy"
fi
check console-ends-says-why grep -q 'the console closed' /tmp/gone.err
check web-gone-logged wait_for 50 grep -q "d$web (web): gone" $CLOG
for d in $flood $garbage $silent; do lam destroy "$d"; done
check all-gone wait_for 100 sh -c "[ \$(grep -c ': gone$' $CLOG) -ge 4 ]"
check lamconsoled-alive-at-end kill -0 "$(cat /run/lamconsoled.pid)"
echo "console: lamconsoled log:"
sed 's/^/  /' $CLOG
