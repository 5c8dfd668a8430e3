#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Debian's xenstore-utils clients (Xen 4.17's libxenstore) against lamstored
# on a temporary socket (XENSTORED_PATH). One PASS/FAIL/SKIP line per case.
set -u
DAEMON=${DAEMON:-lamstored}
tools=(xenstore-read xenstore-write xenstore-ls xenstore-list xenstore-rm xenstore-chmod
       xenstore-exists xenstore-watch)
for t in "${tools[@]}"; do
  if ! command -v "$t" >/dev/null; then
    echo "SKIP store/xsutils/all (xenstore-utils not installed: $t missing)"
    exit 0
  fi
done

dir=$(mktemp -d /tmp/lamstored-xsutils.XXXXXX)
"$DAEMON" --socket "$dir/sock" --ro-socket "$dir/sock_ro" --no-rings 2>"$dir/log" &
pid=$!
cleanup() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
for _ in $(seq 100); do [ -S "$dir/sock" ] && break; sleep 0.05; done
export XENSTORED_PATH=$dir/sock

check() { # name, then a command that must succeed
  local name=$1; shift
  if out=$("$@" 2>&1); then echo "PASS store/xsutils/$name"
  else echo "FAIL store/xsutils/$name"; echo "$name: $out" >&2; fi
}

t_write_read() {
  xenstore-write /vm/1/name guest1 /vm/1/memory 512 &&
  [ "$(xenstore-read /vm/1/name)" = guest1 ] && [ "$(xenstore-read /vm/1/memory)" = 512 ]
}
t_read_missing_fails() { ! xenstore-read /vm/none 2>/dev/null; }
t_exists() { xenstore-exists /vm/1/name && ! xenstore-exists /vm/1/nope; }
t_list() { [ "$(xenstore-list /vm/1 | sort | tr '\n' ' ')" = "memory name " ]; }
t_ls_tree() {
  local out; out=$(xenstore-ls /vm)
  grep -q '^1 = ""' <<<"$out" && grep -q '^ name = "guest1"' <<<"$out"
}
t_chmod_and_ls_perms() {
  xenstore-chmod /vm/1/name b0 r5 &&
  xenstore-ls -p /vm/1 | grep -q 'name = "guest1".*(b0,r5)'
}
t_rm() { xenstore-rm /vm/1/memory && ! xenstore-exists /vm/1/memory; }
t_rm_tree() { xenstore-write /vm/2/a/b c && xenstore-rm /vm/2 && ! xenstore-exists /vm/2/a; }
t_large_directory() { # xenstore-list falls back to DIRECTORY_PART above 4096 bytes
  local args=() i
  for i in $(seq 1 150); do args+=("/big/entry-with-a-fairly-long-name-$i" v); done
  xenstore-write "${args[@]}" && [ "$(xenstore-list /big | wc -l)" = 150 ]
}
t_watch() {
  local out="$dir/watch.out"
  xenstore-watch -n 3 /vm/3 >"$out" &
  local w=$!
  sleep 0.3
  xenstore-write /vm/3/state 1
  xenstore-write /vm/3/state 2
  local i; for i in $(seq 50); do [ "$(wc -l <"$out")" -ge 3 ] && break; sleep 0.05; done
  kill $w 2>/dev/null; wait $w 2>/dev/null
  [ "$(head -n1 "$out")" = /vm/3 ] && grep -q '^/vm/3/state$' "$out"
}
t_read_only_socket() {
  XENSTORED_PATH=$dir/sock_ro xenstore-read /vm/1/name >/dev/null &&
  ! XENSTORED_PATH=$dir/sock_ro xenstore-write /vm/1/name x 2>/dev/null
}
t_binary_safe_value() {
  xenstore-write /vm/1/desc 'a value with spaces' && [ "$(xenstore-read /vm/1/desc)" = 'a value with spaces' ]
}

for t in write_read read_missing_fails exists list ls_tree chmod_and_ls_perms rm rm_tree \
         large_directory watch read_only_socket binary_safe_value; do
  check "$t" "t_$t"
done
if kill -0 "$pid" 2>/dev/null; then echo "PASS store/xsutils/daemon_alive"
else echo "FAIL store/xsutils/daemon_alive"; cat "$dir/log" >&2; fi
kill "$pid"; wait "$pid"; rc=$?
if [ $rc -eq 0 ]; then echo "PASS store/xsutils/daemon_clean_exit"
else echo "FAIL store/xsutils/daemon_clean_exit (rc $rc)"; cat "$dir/log" >&2; fi
