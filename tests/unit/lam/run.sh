#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# CLI tests for lam, run against the ASan+UBSan build. One PASS/FAIL line per case in $RESULTS.
# Environment: LAM (binary under test), ROOT (repository), RESULTS (file), TMPROOT (scratch).
set -u
XML="$ROOT/tests/unit/libdomcfg/xml"
rm -rf "$TMPROOT" && mkdir -p "$TMPROOT"
OUT="$TMPROOT/out" ERR="$TMPROOT/err"
unset LAMINA_STATE_DIR LAMINA_SCHEMA
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1

result() { # result NAME CONDITION-EXIT-STATUS
    if [ "$2" -eq 0 ]; then echo "PASS lam:$1"; else
        echo "FAIL lam:$1"; echo "--- lam:$1 stdout:" >&2; cat "$OUT" >&2
        echo "--- stderr:" >&2; cat "$ERR" >&2; fi >> "$RESULTS"
}
run() { "$LAM" "$@" >"$OUT" 2>"$ERR"; RC=$?; }
# expect NAME RC [stdout-grep [stderr-exact-line]]
expect() {
    name=$1 want=$2 ok=0
    [ "$RC" -eq "$want" ] || ok=1
    if [ $# -ge 3 ] && [ -n "$3" ]; then grep -q -- "$3" "$OUT" || ok=1; fi
    if [ $# -ge 4 ]; then grep -qxF -- "$4" "$ERR" || ok=1; fi
    result "$name" $ok
}

# ---- the command table: help, usage errors, completion ----
run help
ok=0; for c in help validate dumpxml convert define undefine list create destroy pause unpause sched-credit vcpu-list vcpu-pin store console dmesg completion; do
    grep -q "^  $c " "$OUT" || ok=1; done; [ $RC -eq 0 ] || ok=1
result help-lists-commands $ok
run help validate; cp "$OUT" "$TMPROOT/h1"
run validate --help
cmp -s "$OUT" "$TMPROOT/h1" && head -1 "$OUT" | grep -q '^usage: lam validate' ; result help-cmd-equals-cmd-help $?
ok=0 n=0; for c in $("$LAM" completion bash | sed -n 's/^    \([a-z]*\))$/\1/p'); do
    n=$((n + 1)); "$LAM" help "$c" 2>/dev/null | head -1 | grep -q "^usage: lam $c" || ok=1; done
[ $n -ge 8 ] || ok=1
result help-every-command $ok
run frobnicate; expect unknown-command 2 "" "lam: unknown command 'frobnicate'"
run validate --frob x.xml; expect unknown-option 2 "" "lam: validate: unknown option '--frob'"
run validate; expect missing-argument 2
run dumpxml a b; expect extra-argument 2 "" "lam: dumpxml: unexpected argument 'b'"
run list --name --uuid; expect list-exclusive-options 2
run completion zsh; expect completion-unknown-shell 2

run completion bash
bash -n "$OUT" && grep -qx 'complete -F _lam lam' "$OUT"; result completion-bash-syntax $?
cp "$OUT" "$TMPROOT/completion.bash"
complete_words() { # complete_words WORD... -> COMPREPLY, one a line
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _lam;
             printf "%s\n" "${COMPREPLY[@]}"' _ "$TMPROOT/completion.bash" "$@"
}
complete_words lam val | grep -qx validate; result completion-command $?
[ "$(complete_words lam convert --to '' | sort | tr '\n' ' ')" = "xl xml " ]
result completion-option-values $?
complete_words lam list --a | grep -qx -- --all; result completion-options $?

# ---- validate ----
cd "$XML/bad" || exit 1
run validate vcpu-current.xml
expect validate-reports-error 1 "" "lam: validate: vcpu-current.xml:4: <vcpu current='4'> exceeds the maximum of 2"
run validate hvm.xml
expect validate-refuses-hvm 1 "" "lam: validate: hvm.xml:5: <type> 'hvm' is a fully virtualized guest: Lamina runs only paravirtualized guests (os type 'linux' or 'xen')"
cd "$XML/good" || exit 1
run validate full.xml minimal.xml; expect validate-good 0 "^minimal.xml: valid$" "lam: validate: warning: full.xml:46: <graphics> is not used by Lamina; kept as written"
run validate --quiet minimal.xml ../bad/hvm.xml
[ $RC -eq 1 ] && [ ! -s "$OUT" ] && grep -q hvm.xml "$ERR"; result validate-quiet $?
run validate minimal.xml ../bad/dup-target.xml
expect validate-mixed 1 "^minimal.xml: valid$" "lam: validate: ../bad/dup-target.xml:13: <target dev='xvda'> is already used by the disk at line 9: targets must be unique"
run validate nope.xml; expect validate-missing-file 1 "" "lam: validate: nope.xml: cannot open: No such file or directory"

# ---- dumpxml ----
run dumpxml full.xml; cmp -s "$OUT" full.out.xml; result dumpxml-normalised $?
run dumpxml minimal.xml; u1=$(sed -n 's:.*<uuid>\(.*\)</uuid>.*:\1:p' "$OUT")
run dumpxml minimal.xml; u2=$(sed -n 's:.*<uuid>\(.*\)</uuid>.*:\1:p' "$OUT")
echo "$u1" | grep -qE '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' &&
    [ "$u1" != "$u2" ]; result dumpxml-generates-uuid $?
run dumpxml macs.xml
[ "$(grep -c "<mac address='00:16:3e:[0-7]" "$OUT")" -eq 2 ]; result dumpxml-generates-macs $?

# ---- convert ----
run convert --to xl "$XML/xl/basic.xml"; cmp -s "$OUT" "$XML/xl/basic.out.cfg"; result convert-to-xl $?
mask() { sed -e "s/<uuid>.*<\/uuid>/<uuid>U<\/uuid>/" -e "s/address='[^']*'/address='M'/" "$1"; }
run convert --from xl "$XML/xl/legacy.cfg"
mask "$OUT" > "$TMPROOT/a"; mask "$XML/xl/legacy.xml" > "$TMPROOT/b"
cmp -s "$TMPROOT/a" "$TMPROOT/b"; result convert-from-xl $?
run convert --from xl -o "$TMPROOT/db.xml" "$XML/xl/basic.cfg"
[ $RC -eq 0 ] && [ ! -s "$OUT" ] && grep -q "<name>db</name>" "$TMPROOT/db.xml" &&
    "$LAM" validate -q "$TMPROOT/db.xml" 2>/dev/null; result convert-output-file $?
run convert --to xl full.xml; expect convert-warns-lost 0 "^vif = \[" "lam: convert: warning: full.xml: <title> has no xl.cfg equivalent; not converted"
run convert --from xml --to xml full.xml; expect convert-same-format 2
run convert full.xml; expect convert-needs-direction 2
run convert --from xl "$XML/xl-bad/hvm.cfg"; expect convert-refuses-hvm 1 "" "lam: convert: $XML/xl-bad/hvm.cfg:2: type = \"hvm\" is not a PV guest: Lamina runs only paravirtualized guests (type = \"pv\")"

# ---- the definitions store ----
S="$TMPROOT/state"
run define --state-dir "$S" full.xml; expect define 0 "^Domain 'web' defined from full.xml"
[ -f "$S/domains/web.xml" ] && [ -z "$(find "$S/domains" -name '.web.xml.*')" ]; result define-writes-file $?
run define --state-dir "$S" full.xml; expect redefine 0 "^Domain 'web' defined from full.xml"
export LAMINA_STATE_DIR="$S"
run define minimal.xml; [ -f "$S/domains/minimal.xml" ]; RC=$((RC + $?)); expect define-env-state-dir 0
run list --all; expect list-all 0 "^ -    web  *shut off$"
run list; [ $RC -eq 0 ] && grep -q '^ Id  *Name  *State  *Mem(MiB)  *VCPUs  *Time(s)$' "$OUT" &&
    ! grep -q web "$OUT" && grep -q '^lam: list: warning: running domains not shown: /dev/xen/privcmd' "$ERR"
result list-running-only $?
run list --all --name; [ "$(tr '\n' ' ' < "$OUT")" = "minimal web " ]; result list-names $?
sed 's/<name>web</<name>web-copy</' full.xml > "$TMPROOT/copy.xml"
run define "$TMPROOT/copy.xml"
expect define-uuid-conflict 1 "" "lam: define: $TMPROOT/copy.xml: UUID 4dea22b3-1d52-d8f3-2516-782e98ab3fa0 is already defined as domain 'web': UUIDs must be unique"
run define ../bad/vcpu-current.xml; expect define-invalid 1
run dumpxml web; cmp -s "$OUT" full.out.xml; result dumpxml-defined-domain $?
[ "$(complete_words "$LAM" undefine '' | sort | tr '\n' ' ')" = "minimal web " ]; result completion-domains $?
run undefine 4dea22b3-1d52-d8f3-2516-782e98ab3fa0; [ ! -e "$S/domains/web.xml" ]; RC=$((RC + $?))
expect undefine-by-uuid 0 "has been undefined"
run undefine minimal; [ ! -e "$S/domains/minimal.xml" ]; RC=$((RC + $?))
expect undefine-by-name 0 "^Domain 'minimal' has been undefined$"
run undefine minimal; expect undefine-unknown 1 "" "lam: undefine: no domain named 'minimal' is defined in $S/domains"
run list --all --name; [ $RC -eq 0 ] && [ ! -s "$OUT" ] && [ -d "$S/domains" ]; result list-empty $?
run list --all --state-dir /proc/lamina-test; expect store-unusable 1 "" "lam: list: /proc/lamina-test: cannot create the state directory: No such file or directory"
unset LAMINA_STATE_DIR

# ---- running domains: outside dom0 there is no hypervisor to ask ----
NOHV="/dev/xen/privcmd: No such file or directory (lam manages running domains from dom0, with the privcmd module loaded)"
if [ ! -e /dev/xen/privcmd ]; then
    run destroy 3; expect destroy-without-hypervisor 1 "" "lam: destroy: cannot reach the hypervisor: $NOHV"
    run pause 3; expect pause-without-hypervisor 1 "" "lam: pause: cannot reach the hypervisor: $NOHV"
    run unpause Domain-0; expect unpause-without-hypervisor 1 "" "lam: unpause: cannot reach the hypervisor: $NOHV"
    run sched-credit --weight 512 --cap 50 3; expect sched-credit-without-hypervisor 1 "" "lam: sched-credit: cannot reach the hypervisor: $NOHV"
fi
# a name is looked up in the store: without a daemon on the socket, that is the error
XENSTORED_PATH=$TMPROOT/no-daemon run destroy web
expect destroy-name-needs-the-store 1 "" "lam: destroy: cannot destroy: 'web': the store daemon is not reachable to look the name up (give the id from \`lam list\`)"
run destroy 32752; expect destroy-id-out-of-range 2
run destroy -- -1; expect destroy-negative-id 2
run create; expect create-needs-a-file 2
run create --paused /nonexistent.xml; expect create-missing-file 1
run create --help; expect create-help 0 "^usage: lam create \[--paused\] \[--console\]"
if [ ! -e /dev/xen/privcmd ]; then
    run create "$ROOT/dom0-tools/initramfs/examples/demo.xml"
    expect create-without-hypervisor 1 "" "lam: create: cannot reach the hypervisor: $NOHV"
fi
run pause; expect pause-needs-an-argument 2
run unpause 1 2; expect unpause-one-argument 2
run sched-credit --weight 0 1; expect sched-credit-weight-range 2 "" "lam: sched-credit: --weight 0: expected a number from 1 to 65535"
run sched-credit --cap 12x 1; expect sched-credit-cap-number 2 "" "lam: sched-credit: --cap 12x: expected a number from 0 to 65534"
run help sched-credit; expect sched-credit-help 0 "twice the CPU time"
run vcpu-pin 1 0 0,2-; expect vcpu-pin-bad-range 2 "" "lam: vcpu-pin: '0,2-' is not a set of CPUs (\"all\", or e.g. 0,2-3; CPUs 0-63)"
run vcpu-pin 1 0 64; expect vcpu-pin-cpu-too-big 2
run vcpu-pin 1 x all; expect vcpu-pin-bad-vcpu 2 "" "lam: vcpu-pin: 'x' is not a vCPU number"
run vcpu-list; expect vcpu-list-needs-id 2
if [ ! -e /dev/xen/privcmd ]; then
    run vcpu-pin 1 0 1-3,7; expect vcpu-pin-without-hypervisor 1 "" "lam: vcpu-pin: cannot reach the hypervisor: $NOHV"
    run vcpu-list 0; expect vcpu-list-without-hypervisor 1 "" "lam: vcpu-list: cannot reach the hypervisor: $NOHV"
fi

# ---- dom0's daemons: a command that needs one that is not running fails within 5 s ----
FAKE="python3 $ROOT/tests/unit/lam/fake_daemon.py"
start_fake() { # start_fake MODE PATH ARG: a stand-in daemon, listening once this returns
    rm -f "$2.ready"; $FAKE "$@" & FAKE_PID=$!
    i=0; while [ ! -e "$2.ready" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}
within5() { # within5 CMD...: runs lam with a 5 s limit; RC as lam's, 124 if it hung
    timeout 5 "$LAM" "$@" >"$OUT" 2>"$ERR"; RC=$?
}
START_STORED="start it with 'lamstored --state /var/lib/lamina/store.state 2>>/var/log/lamina/lamstored.log &' (dom0's /init starts it at boot)"
START_CONSOLED="start it with 'lamconsoled 2>>/var/log/lamina/lamconsoled.log &' (dom0's /init starts it at boot)"
if [ ! -e /dev/xen/xenbus ] && [ ! -e /proc/xen/xenbus ]; then
    XENSTORED_PATH="$TMPROOT/none" within5 store ls /
    expect store-no-daemon 1 "" "lam: store: cannot reach the store daemon (lamstored): $TMPROOT/none: No such file or directory; $START_STORED"
fi
start_fake silent "$TMPROOT/stored.sock" 8
within5 store --socket "$TMPROOT/stored.sock" ls /
expect store-daemon-silent 1 "" "lam: store: ls /: the store daemon (lamstored) did not answer within 3 s: is it running? Start it with 'lamstored --state /var/lib/lamina/store.state 2>>/var/log/lamina/lamstored.log &' (dom0's /init starts it at boot)"
kill $FAKE_PID 2>/dev/null; wait $FAKE_PID 2>/dev/null
within5 console --socket "$TMPROOT/none" web
expect console-no-daemon 1 "" "lam: console: cannot reach the console daemon (lamconsoled): $TMPROOT/none: No such file or directory; $START_CONSOLED"
start_fake silent "$TMPROOT/cons.sock" 8
within5 console --socket "$TMPROOT/cons.sock" web </dev/null
expect console-daemon-silent 1 "" "lam: console: cannot reach the console daemon (lamconsoled): $TMPROOT/cons.sock: no answer; $START_CONSOLED"
kill $FAKE_PID 2>/dev/null; wait $FAKE_PID 2>/dev/null
# Without a terminal the console is copied to stdout until it closes (the domain is gone).
start_fake console "$TMPROOT/cons.sock" "hello from web"
within5 console --socket "$TMPROOT/cons.sock" web </dev/null
expect console-copies-until-gone 0 "^hello from web$" "lam: console: web: the console closed (the domain is gone, or lamconsoled stopped)"
wait $FAKE_PID 2>/dev/null
start_fake hold "$TMPROOT/cons.sock" 8
within5 console --timeout 1 --socket "$TMPROOT/cons.sock" web </dev/null
expect console-timeout 0
kill $FAKE_PID 2>/dev/null; wait $FAKE_PID 2>/dev/null
run console --timeout 0 web; expect console-timeout-range 2 "" "lam: console: --timeout 0: expected seconds from 1 to 86400"
run console; expect console-needs-a-name 2
if [ ! -e /dev/xen/privcmd ]; then
    run dmesg; expect dmesg-without-hypervisor 1 "" "lam: dmesg: cannot reach the hypervisor: $NOHV"
fi
run dmesg extra; expect dmesg-no-arguments 2
run help dmesg; expect dmesg-help 0 "clear"

# ---- the installed (non-sanitized) binary behaves the same ----
"$LAM_INSTALLED" validate -q minimal.xml >"$OUT" 2>"$ERR"; result installed-binary-runs $?
exit 0
