#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The disk backend's system test, run by /init inside dom0 (lamina.systest=disk), on Lamina
# and on Xen 4.17 alike: /init started lamstored, lamconsoled and lamblkback; `lam create`
# starts a Debian-kernel guest (the one dom0 runs, with the disk guest's initramfs,
# tests/system/disk-guest/init) whose <disk> elements lamblkback serves from raw images.
#  - basic (2 queues per disk, 4-page rings): xvda (16 MiB, raw) gets a pattern with O_DIRECT + fsync and reads it back; xvdb
#    (64 MiB) gets an ext4 filesystem (mkfs discards first), a file written, unmounted,
#    mounted again and checked, e2fsck clean; xvdc is read-only (<readonly/>): the guest
#    reads dom0's pattern and cannot write; xvda's file grows to 32 MiB and the guest sees
#    it and writes there (resize). dom0 then finds the guest's pattern in the image
#    file, the images still sparse, and the backend directories gone once the domain is.
#  - restart: the guest writes and flushes a pattern; dom0 kills lamblkback with SIGKILL
#    (the image already holds the pattern), starts it again, and the guest, reading all
#    along, gets its data back and writes more.
#  - store restart: the same guest; once it flushed, dom0 stops lamstored (SIGTERM, its
#    --state file keeps every node) and starts it again while the guest reads: lamblkback
#    (the same process) reconnects, the guest gets its data back and writes more, and
#    the backend directory's removal at the end reaches lamblkback through its new watch.
#  - hot-plug: a guest with no disk; dom0 attaches xvdb with `lam attach-disk` (a second
#    attach of the same target is refused), the guest's blkfront connects and the guest
#    reads dom0's pattern and writes its own; `lam detach-disk` asks it to close, the
#    device goes away in the guest, both directories are removed, and the image holds the
#    guest's data.
# The guest's "DISKTEST" lines become "SYSTEST PASS|FAIL guest-<name>" lines here.
. "$(dirname "$0")/common.sh"
G=/lamina/guest
T=/tmp/disk
CON=/var/log/lamina/console
BLOG=/var/log/lamina/lamblkback.log
mkdir -p $T
value_is() { [ "$(lam store read "$1" 2>/dev/null)" = "$2" ]; }
blkback_alive() { [ -f /run/lamblkback.pid ] && kill -0 "$(cat /run/lamblkback.pid)" 2>/dev/null; }
# xml NAME PHASE VCPU-ELEMENT DISK-ELEMENTS
xml() {
    cat <<XML
<domain type='xen'>
  <name>$1</name>
  <memory unit='MiB'>192</memory>
  $3
  <os>
    <type arch='x86_64' machine='xenpv'>linux</type>
    <kernel>$G/vmlinuz</kernel>
    <initrd>$G/domu-disk-initrd.img</initrd>
    <cmdline>console=hvc0 quiet lamina.disk=$2</cmdline>
  </os>
  <devices>
$4
  </devices>
</domain>
XML
}
disk() { # FILE TARGET DRIVER [readonly]
    echo "    <disk type='file' device='disk'><driver name='$3' type='raw'/>"
    echo "      <source file='$1'/><target dev='$2' bus='xen'/>${4:+<readonly/>}</disk>"
}
# The guest's result lines, as this test's; true when it reached DISKTEST DONE.
guest_results() { # NAME
    sed -n 's/^DISKTEST \(PASS\|FAIL\|SKIP\) /SYSTEST \1 guest-/p; s/^DISKTEST INFO /SYSTEST INFO guest: /p' \
        "$CON/$1.log" | tr -d '\r'
    grep -q 'DISKTEST DONE' "$CON/$1.log"
}
create() { # NAME: echoes the domain id
    lam create "$T/$1.xml" >"$T/$1.out" 2>&1
    sed -n "s/^Domain '$1' created (id \([0-9]*\)).*/\1/p" "$T/$1.out"
}
show_logs() { # NAME
    echo "--- $1 console (tail)"
    tail -n 25 "$CON/$1.log" 2>/dev/null
    echo "--- lamblkback log (tail)"
    tail -n 25 $BLOG 2>/dev/null
}

check blkback-started blkback_alive

# ---- basic ----
rm -f $T/*.img
truncate -s 16M $T/a.img
truncate -s 64M $T/b.img
truncate -s 4M $T/c.img
lam-disktest write $T/c.img 5 0 1024 --cached >/dev/null
xml disk-basic basic "<vcpu current='1'>2</vcpu>" "$(disk $T/a.img xvda qemu; disk $T/b.img xvdb lamina; disk $T/c.img xvdc file ro)" >$T/disk-basic.xml
id=$(create disk-basic)
if [ -z "$id" ]; then
    fail basic-create "$(cat $T/disk-basic.out)"
else
    pass basic-create
    # Its second vCPU, which it brings up before loading blkfront (2 queues).
    check basic-vcpu-set lam vcpu-set disk-basic 2
    BE=/local/domain/0/backend/lamvbd/$id/51712
    check basic-backend-connected wait_for 600 value_is $BE/state 4
    check basic-frontend-connected wait_for 600 value_is /local/domain/$id/device/vbd/51712/state 4
    check basic-sectors-published value_is $BE/sectors 32768
    # The guest asked for 2 queues (max_queues=2, its second vCPU brought up before
    # blkfront loads) of 4-page rings (max_ring_page_order=2).
    FE=/local/domain/$id/device/vbd/51712
    check basic-two-queues value_is $FE/multi-queue-num-queues 2
    check basic-ring-order-2 value_is $FE/ring-page-order 2
    check basic-queue-1-ring lam store read $FE/queue-1/ring-ref3
    check basic-readonly-info value_is /local/domain/0/backend/lamvbd/$id/51744/info 4
    # Resize: the guest says when it waits; the file grows to 32 MiB.
    if wait_for 3000 grep -q 'DISKTEST RESIZE-WAIT' "$CON/disk-basic.log"; then
        truncate -s 32M $T/a.img
        check basic-resize-published wait_for 100 value_is $BE/sectors 65536
    else
        fail basic-resize "the guest never reached its resize step"
    fi
    if wait_for 3000 grep -q 'DISKTEST DONE' "$CON/disk-basic.log"; then
        pass basic-guest-done
    else
        fail basic-guest-done "no DISKTEST DONE in 300 s"
        show_logs disk-basic
    fi
    guest_results disk-basic
    grep -q '^DISKTEST FAIL' "$CON/disk-basic.log" && show_logs disk-basic
    check basic-image-holds-pattern lam-disktest verify $T/a.img 11 1024 4096 --cached
    check basic-image-holds-grown-part lam-disktest verify $T/a.img 13 20480 1024 --cached
    # 5 MiB of pattern written: the 32 MiB file stays thin.
    check basic-image-sparse [ "$(du -k $T/a.img | cut -f1)" -lt 8192 ]
    info "image blocks: a.img $(du -k $T/a.img | cut -f1) KiB, b.img $(du -k $T/b.img | cut -f1) KiB"
    check basic-readonly-image-unchanged lam-disktest verify $T/c.img 5 0 1024 --cached
    # on_poweroff=destroy: the monitor destroys the domain, its disks' directories go.
    check basic-backend-dirs-removed wait_for 600 sh -c "! lam store read $BE/state"
    check basic-backend-let-go wait_for 100 grep -q "dom$id dev 51712: removed" $BLOG
fi
check blkback-survives-basic blkback_alive

# ---- restart: kill -9 the backend while the guest reads ----
truncate -s 16M $T/r.img
xml disk-restart restart "<vcpu>1</vcpu>" "$(disk $T/r.img xvda qemu)" >$T/disk-restart.xml
id=$(create disk-restart)
if [ -z "$id" ]; then
    fail restart-create "$(cat $T/disk-restart.out)"
else
    pass restart-create
    if wait_for 3000 grep -q 'DISKTEST FLUSHED' "$CON/disk-restart.log"; then
        sleep 2
        old=$(cat /run/lamblkback.pid)
        kill -9 "$old"
        check restart-killed wait_for 50 sh -c "! kill -0 $old"
        # Dom0 did not crash: what the guest flushed is in the file already.
        check restart-flushed-in-image lam-disktest verify $T/r.img 21 0 8192 --cached
        sleep 1
        start_blkback_again() {
            lamblkback 2>>$BLOG &
            echo $! >/run/lamblkback.pid
        }
        start_blkback_again
        check restart-resumed wait_for 100 grep -q "dom$id dev 51712: connected.*(resumed)" $BLOG
        if wait_for 3000 grep -q 'DISKTEST DONE' "$CON/disk-restart.log"; then
            pass restart-guest-done
        else
            fail restart-guest-done "no DISKTEST DONE"
        fi
        guest_results disk-restart
        grep -q '^DISKTEST FAIL' "$CON/disk-restart.log" && show_logs disk-restart
        check restart-image-after lam-disktest verify $T/r.img 22 8192 2048 --cached
    else
        fail restart-flushed "the guest never said DISKTEST FLUSHED"
        show_logs disk-restart
    fi
fi
# ---- hot-plug: lam attach-disk / detach-disk into a running guest ----
truncate -s 8M $T/h.img
lam-disktest write $T/h.img 31 0 1024 --cached >/dev/null
xml disk-hotplug hotplug "<vcpu>1</vcpu>" "" >$T/disk-hotplug.xml
id=$(create disk-hotplug)
if [ -z "$id" ]; then
    fail hotplug-create "$(cat $T/disk-hotplug.out)"
elif ! wait_for 3000 grep -q 'DISKTEST HOTPLUG-WAIT' "$CON/disk-hotplug.log"; then
    fail hotplug-guest-ready "the guest never said DISKTEST HOTPLUG-WAIT"
    show_logs disk-hotplug
else
    pass hotplug-create
    BE=/local/domain/0/backend/lamvbd/$id/51728
    FE=/local/domain/$id/device/vbd/51728
    check hotplug-attach lam attach-disk disk-hotplug $T/h.img xvdb
    check hotplug-backend-connected wait_for 600 value_is $BE/state 4
    check hotplug-frontend-connected wait_for 600 value_is $FE/state 4
    check hotplug-target-in-use sh -c "! lam attach-disk disk-hotplug $T/h.img xvdb 2>$T/inuse.err && grep -q 'in use' $T/inuse.err"
    check hotplug-dumpxml-shows-it sh -c "lam dumpxml disk-hotplug | grep -q \"<target dev='xvdb'\""
    if wait_for 3000 grep -q 'DISKTEST HOTPLUG-DETACH' "$CON/disk-hotplug.log"; then
        check hotplug-detach lam detach-disk disk-hotplug xvdb
        check hotplug-backend-dir-removed sh -c "! lam store read $BE/state"
        check hotplug-frontend-dir-removed sh -c "! lam store read $FE/state"
        check hotplug-backend-let-go wait_for 100 grep -q "dom$id dev 51728: removed" $BLOG
        check hotplug-dumpxml-without-it sh -c "! lam dumpxml disk-hotplug | grep -q \"<target dev='xvdb'\""
    else
        fail hotplug-guest-wrote "the guest never said DISKTEST HOTPLUG-DETACH"
    fi
    if wait_for 3000 grep -q 'DISKTEST DONE' "$CON/disk-hotplug.log"; then
        pass hotplug-guest-done
    else
        fail hotplug-guest-done "no DISKTEST DONE"
    fi
    guest_results disk-hotplug
    grep -q '^DISKTEST FAIL' "$CON/disk-hotplug.log" && show_logs disk-hotplug
    check hotplug-image-holds-guest-write lam-disktest verify $T/h.img 32 1024 1024 --cached
fi

# ---- store restart: lamstored stopped and started again while the guest reads ----
truncate -s 16M $T/s.img
xml disk-store restart "<vcpu>1</vcpu>" "$(disk $T/s.img xvda qemu)" >$T/disk-store.xml
id=$(create disk-store)
if [ -z "$id" ]; then
    fail store-create "$(cat $T/disk-store.out)"
else
    pass store-create
    if wait_for 3000 grep -q 'DISKTEST FLUSHED' "$CON/disk-store.log"; then
        sleep 2
        bpid=$(cat /run/lamblkback.pid)
        spid=$(cat /run/lamstored.pid)
        kill "$spid"
        check store-stopped wait_for 100 sh -c "! kill -0 $spid"
        sleep 1
        lamstored --state /var/lib/lamina/store.state 2>>/var/log/lamina/lamstored.log &
        echo $! >/run/lamstored.pid
        check store-started wait_for 100 [ -S /run/xenstored/socket ]
        check store-blkback-same-process kill -0 "$bpid"
        check store-blkback-reconnected wait_for 100 grep -q "store: connected again" $BLOG
        # The domain's monitor (lam create's) reconnects too, so its poweroff is acted on.
        check store-monitor-reconnected wait_for 100 grep -q "disk-store (id $id): store connected again" /var/log/lamina/lifecycle.log
        check store-backend-still-connected value_is /local/domain/0/backend/lamvbd/$id/51712/state 4
        if wait_for 3000 grep -q 'DISKTEST DONE' "$CON/disk-store.log"; then
            pass store-guest-done
        else
            fail store-guest-done "no DISKTEST DONE"
        fi
        guest_results disk-store | sed 's/guest-restart-/guest-store-/'
        grep -q '^DISKTEST FAIL' "$CON/disk-store.log" && show_logs disk-store
        check store-image-after lam-disktest verify $T/s.img 22 8192 2048 --cached
        check store-image-first-pattern lam-disktest verify $T/s.img 21 0 8192 --cached
        # The domain is gone (poweroff): its directory's removal reaches lamblkback.
        check store-backend-let-go wait_for 600 grep -q "dom$id dev 51712: removed" $BLOG
        check store-blkback-same-at-end [ "$(cat /run/lamblkback.pid)" = "$bpid" ]
    else
        fail store-flushed "the guest never said DISKTEST FLUSHED"
        show_logs disk-store
    fi
fi
check blkback-alive-at-end blkback_alive
