#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The Xen peer's toolstack, run by /init inside the Xen peer's dom0 image on Xen 4.17
# (run-dom0.sh --hv xen --initrd xl --test xl; scripts/mk-xen-dom0-initrd.sh): Debian's own
# xl, xenstored and xenconsoled, the reference the toolstack benchmarks compare `lam` with.
#  - /init started xenstored and xenconsoled (xencommons' steps) and xen-init-dom0 wrote
#    dom0's store entries;
#  - `xl list` shows Domain-0, `xl info` reports Xen 4.17 and the host's memory;
#  - `xl create` of a small PV guest (Debian's kernel, /lamina/guest/domu-initrd.img) reaches
#    the guest kernel's first console line in xenconsoled's log, the guest's /init runs and
#    powers it off, and on_poweroff=destroy removes it;
#  - `xl create -p` leaves a guest paused, `xl destroy` removes it and its store directory.
# One line per check: "SYSTEST PASS <name>" or "SYSTEST FAIL <name>: <why>".
. "$(dirname "$0")/common.sh"
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
listed() { xl list 2>/dev/null | grep -q "^$1 "; }
state_of() { xl list "$1" 2>/dev/null | awk -v n="$1" '$1 == n { print $5 }'; }

if ! command -v xl >/dev/null; then
    fail xl-present "no xl in this image (boot it with run-dom0.sh --initrd xl)"
    exit 0
fi
check xenstored-running alive /var/run/xen/xenstored.pid
check xenconsoled-running alive /var/run/xen/xenconsoled.pid
check store-socket [ -S /run/xenstored/socket ]
check dom0-name sh -c '[ "$(xenstore-read /local/domain/0/name)" = Domain-0 ]'

xl list >/tmp/xl-list.out 2>&1
check xl-list-runs [ $? -eq 0 ]
check xl-list-dom0 grep -Eq '^Domain-0 +0 ' /tmp/xl-list.out
sed 's/^/  /' /tmp/xl-list.out
xl info >/tmp/xl-info.out 2>&1
check xl-info-runs [ $? -eq 0 ]
check xl-info-xen-4.17 grep -Eq '^xen_version +: 4\.17' /tmp/xl-info.out
check xl-info-memory sh -c "awk '/^total_memory/ { exit !(\$3 > 512) }' /tmp/xl-info.out"
check xl-info-free-memory sh -c "awk '/^free_memory/ { exit !(\$3 > 128) }' /tmp/xl-info.out"
grep -E '^(xen_version|total_memory|free_memory|nr_cpus|xen_caps)' /tmp/xl-info.out | sed 's/^/  /'

# A 128 MiB guest that powers itself off once its /init runs.
cat >/tmp/xlguest.cfg <<EOF
name = "xlguest"
type = "pv"
kernel = "/lamina/guest/vmlinuz"
ramdisk = "/lamina/guest/domu-initrd.img"
extra = "console=hvc0 earlyprintk=xen lamina.domu=poweroff"
memory = 128
vcpus = 1
on_poweroff = "destroy"
on_crash = "destroy"
EOF
LOG=/var/log/xen/console/guest-xlguest.log
xl create /tmp/xlguest.cfg >/tmp/xl-create.out 2>&1
rc=$?
check xl-create [ $rc -eq 0 ]
[ $rc -eq 0 ] || sed 's/^/  /' /tmp/xl-create.out
check xl-list-guest listed xlguest
if wait_for 1200 grep -q 'Linux version' $LOG; then
    pass guest-first-console-line
else
    fail guest-first-console-line "no 'Linux version' in $LOG after 120 s"
fi
check guest-init-ran wait_for 1800 grep -q 'lamina-domu: init up' $LOG
check guest-powered-off-destroyed wait_for 600 sh -c '! xl list 2>/dev/null | grep -q "^xlguest "'
echo "xl: guest console (first lines):"
head -n 5 $LOG | sed 's/^/  /'
tail -n 3 $LOG | sed 's/^/  /'

# Paused, then destroyed: nothing left in the store.
sed 's/^name = .*/name = "xlpaused"/' /tmp/xlguest.cfg >/tmp/xlpaused.cfg
check xl-create-paused xl create -p /tmp/xlpaused.cfg
paused_state() { [ "$(state_of xlpaused | tr -d -)" = p ]; }
check xl-paused-state paused_state
id=$(xl domid xlpaused 2>/dev/null)
check xl-destroy xl destroy xlpaused
check xl-destroy-gone sh -c '! xl list 2>/dev/null | grep -q "^xlpaused "'
check xl-destroy-store-clean sh -c "! xenstore-exists /local/domain/${id:-none}"
check only-dom0-left sh -c '[ "$(xenstore-list /local/domain)" = 0 ]'
check xenstored-still-running alive /var/run/xen/xenstored.pid
check xenconsoled-still-running alive /var/run/xen/xenconsoled.pid
