#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The autostart step of dom0's /init (lamina.systest=autostart), both hypervisors. /init
# starts lamstored and lamconsoled, defines the two domains named below (only for this
# test: the lines tell it to), then runs `lam start --autostart` as on every boot.
# lamina-systest: define /systest/autostart-on.xml autostart
# lamina-systest: define /systest/autostart-off.xml
# Checks: the marked domain is running after boot with its monitor, the unmarked one is
# defined but not running, the autostart log says what was started; `lam start --autostart`
# again starts nothing more (a running domain is not started twice).
. "$(dirname "$0")/common.sh"
LOG=/var/log/lamina/autostart.log
echo "--- $LOG"
cat $LOG
lam list | tee /tmp/l.txt
check marked-started grep -Eq '^ *[0-9]+ +auto-on +(running|blocked|idle) ' /tmp/l.txt
check marked-has-monitor sh -c "lam info auto-on | grep -Eq '^Monitor: *pid [0-9]+$'"
check unmarked-not-started sh -c "! grep -q ' auto-off ' /tmp/l.txt"
lam list --all | tee /tmp/all.txt
check unmarked-defined grep -q ' auto-off ' /tmp/all.txt
check autostart-logged grep -q "auto-on" $LOG
id=$(lam list | awk '$2 == "auto-on" { print $1 }')
lam start --autostart >/tmp/again.txt 2>&1
rc=$?
cat /tmp/again.txt
check autostart-again-nothing sh -c "[ $rc = 0 ] && [ \"\$(lam list | grep -c ' auto-on ')\" = 1 ] &&
    [ \"\$(lam list | awk '\$2 == \"auto-on\" { print \$1 }')\" = '$id' ] && ! lam list | grep -q ' auto-off '"
lam destroy auto-on
check destroyed sh -c "! lam info auto-on >/dev/null 2>&1"
