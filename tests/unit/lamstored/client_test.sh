#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# libxsclient and `lam store` against lamstored on a temporary socket.
# $DAEMON: the daemon; $XSCLIENT_TEST: the library test program; $LAM: lam
# (optional: its cases are skipped when lam is not built).
set -u
dir=$(mktemp -d /tmp/lamstored-client.XXXXXX)
"$DAEMON" --socket "$dir/sock" --ro-socket "$dir/sock_ro" --no-rings 2>"$dir/log" &
pid=$!
cleanup() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
for _ in $(seq 100); do [ -S "$dir/sock" ] && break; sleep 0.05; done

"$XSCLIENT_TEST" "$dir/sock" || echo "FAIL store/client/crashed"

lamcases=(read_write ls rm watch errors introduce_release)
if [ -z "${LAM:-}" ] || [ ! -x "$LAM" ]; then
  for t in "${lamcases[@]}"; do echo "SKIP store/lam/$t (lam not built)"; done
  exit 0
fi
S=(--socket "$dir/sock")
check() {
  local name=$1; shift
  if out=$("$@" 2>&1); then echo "PASS store/lam/$name"
  else echo "FAIL store/lam/$name"; echo "$name: $out" >&2; fi
}
t_read_write() {
  "$LAM" store "${S[@]}" write /lam/a 1 /lam/b two && [ "$("$LAM" store "${S[@]}" read /lam/b)" = two ]
}
t_ls() {
  local out; out=$("$LAM" store "${S[@]}" ls -r /lam) &&
  grep -qx 'a = "1"' <<<"$out" && grep -qx 'b = "two"' <<<"$out"
}
t_rm() { "$LAM" store "${S[@]}" rm /lam/a && ! "$LAM" store "${S[@]}" read /lam/a 2>/dev/null; }
t_watch() {
  "$LAM" store "${S[@]}" watch -n 2 /lam/w >"$dir/w.out" &
  local w=$!
  sleep 0.3
  "$LAM" store "${S[@]}" write /lam/w/x 1
  local i; for i in $(seq 40); do kill -0 $w 2>/dev/null || break; sleep 0.05; done
  kill $w 2>/dev/null; wait $w
  [ "$(tr '\n' ' ' <"$dir/w.out")" = "/lam/w /lam/w " ] || [ "$(tr '\n' ' ' <"$dir/w.out")" = "/lam/w /lam/w/x " ]
}
t_errors() {
  local err rc
  err=$("$LAM" store "${S[@]}" read /lam/none 2>&1); rc=$?
  [ $rc -eq 1 ] && grep -q "lam: store: read /lam/none: no such node" <<<"$err" &&
  { "$LAM" store "${S[@]}" frobnicate /x 2>/dev/null; [ $? -eq 2 ]; }
}
t_introduce_release() {
  # Without rings the daemon records the domain; the special watches fire either way.
  "$LAM" store "${S[@]}" watch -n 2 @introduceDomain >"$dir/i.out" &
  local w=$!
  sleep 0.3
  "$LAM" store "${S[@]}" introduce 5 4660 7 &&
  "$LAM" store "${S[@]}" release 5 || return 1
  local i; for i in $(seq 40); do kill -0 $w 2>/dev/null || break; sleep 0.05; done
  kill $w 2>/dev/null; wait $w
  [ "$(grep -c '^@introduceDomain$' "$dir/i.out")" -eq 2 ] &&
  { "$LAM" store "${S[@]}" introduce 5 x 7 2>/dev/null; [ $? -eq 2 ]; } &&
  { "$LAM" store "${S[@]}" release 2>/dev/null; [ $? -eq 2 ]; }
}
for t in "${lamcases[@]}"; do check "$t" "t_$t"; done
