# SPDX-License-Identifier: GPL-2.0-only
# What every dom0 system test shares, sourced first: . "$(dirname "$0")/common.sh"
# Result lines go to the console, where run-dom0.sh collects them as <hv>:<test>:<check>.
pass() { echo "SYSTEST PASS $1"; }
fail() { echo "SYSTEST FAIL $1: $2"; }
skip() { echo "SYSTEST SKIP $1: $2"; }
info() { echo "SYSTEST INFO $*"; }
# check NAME CMD...: PASS when CMD succeeds, else FAIL with the command (and status 1, so a
# script can stop a sequence whose later steps need this one).
check() {
    name=$1
    shift
    if "$@"; then pass "$name"; else
        fail "$name" "$*"
        return 1
    fi
}
# wait_for TENTHS CMD...: retries CMD every 0.1 s, true as soon as it succeeds.
wait_for() {
    n=$1
    shift
    while [ "$n" -gt 0 ]; do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
        n=$((n - 1))
    done
    return 1
}
# arg NAME: the value of lamina.NAME= on the kernel command line (run-dom0.sh passes the
# host's side of a test that way), empty when absent.
arg() { sed -n "s/.*lamina\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
