#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The store benchmark's peer figures, run by /init inside the Xen peer's dom0 on Xen 4.17
# (tests/bench/toolstack/run.sh: run-dom0.sh --hv xen --initrd xl --test storebench): the
# same client (lam-store-bench, tests/unit/lamstored/bench_store.c) against Debian's C
# xenstored, Debian's oxenstored and lamstored, one daemon after the other in the same boot,
# each serving dom0's own ring too and the client over its Unix socket
# (/run/xenstored/socket), in two rounds (the second in the opposite order). One
# "STOREBENCH <daemon> round=R <op> clients=N ops/s=... p50_us=..." line per figure, and
# "SYSTEST PASS|FAIL storebench-<daemon>-roundR".
# It starts the daemons itself, so /init must not start the services:
# lamina-systest: no-services
SECS=1
[ -f /etc/lamina/services ] && . /etc/lamina/services
if ! command -v start_xen_store >/dev/null; then
    echo "SYSTEST FAIL storebench-image: not the Xen peer's image (run-dom0.sh --initrd xl)"
    exit 0
fi

# bench DAEMON ROUND: the client's figures against the daemon now serving the socket.
bench() {
    if lam-store-bench /run/xenstored/socket $SECS >/tmp/storebench.out 2>&1; then
        echo "SYSTEST PASS storebench-$1-round$2"
    else
        echo "SYSTEST FAIL storebench-$1-round$2: lam-store-bench exited $? ($(tail -n 1 /tmp/storebench.out))"
    fi
    sed "s/^/STOREBENCH $1 round=$2 /" /tmp/storebench.out
}

# serve DAEMON ROUND: start the daemon, measure, stop it.
serve() {
    case $1 in
    lamstored)
        lamstored --state /tmp/lamstored.state 2>>/tmp/lamstored.log &
        pid=$!
        n=0
        while [ ! -S /run/xenstored/socket ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
        if [ -S /run/xenstored/socket ]; then
            bench lamstored "$2"
        else
            echo "SYSTEST FAIL storebench-lamstored-round$2: no socket: $(tail -n 3 /tmp/lamstored.log)"
        fi
        kill $pid
        wait $pid
        rm -f /run/xenstored/socket /run/xenstored/socket_ro
        ;;
    *)
        if start_xen_store "$1"; then
            bench "$1" "$2"
        else
            echo "SYSTEST FAIL storebench-$1-round$2: did not start: $(tail -n 3 /var/log/xen/$1.log)"
        fi
        stop_xen_store
        ;;
    esac
}

# Two rounds in opposite orders, so a drift in the host's load favours no daemon.
for d in xenstored oxenstored lamstored; do serve $d 1; done
for d in lamstored oxenstored xenstored; do serve $d 2; done
