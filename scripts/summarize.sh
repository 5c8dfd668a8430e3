#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Reads every results file (lines "PASS name", "FAIL name", "SKIP name"),
# prints the failures, then one summary line; exits non-zero on any failure
# or when no test ran at all.
set -u
dir=${1:-build/results}
pass=0; fail=0; skip=0
shopt -s nullglob
for f in "$dir"/*.txt; do
  suite=$(basename "$f" .txt)
  while read -r verdict name; do
    case $verdict in
      PASS) pass=$((pass + 1)) ;;
      SKIP) skip=$((skip + 1)) ;;
      FAIL) fail=$((fail + 1)); echo "FAILED: $suite: $name" ;;
    esac
  done < "$f"
done
if [ $((pass + fail)) -eq 0 ]; then fail=1; echo "FAILED: no test ran"; fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
