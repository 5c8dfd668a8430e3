#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs one cmocka test program with TAP output and appends one line per test
# case to the results file: "PASS suite.case", "FAIL suite.case" or
# "SKIP suite.case". A program that dies before reporting every planned case
# (sanitizer abort, crash) adds "FAIL suite.incomplete".
# usage: run-cmocka.sh <program> <suite-name> <results-file> <log-file>
prog=$1 suite=$2 results=$3 log=$4
CMOCKA_MESSAGE_OUTPUT=TAP "$prog" >"$log" 2>&1
rc=$?
awk -v suite="$suite" -v rc="$rc" '
/^1\.\.[0-9]+/ { split($0, a, "\\.\\."); plan = a[2] + 0 }
/^ok [0-9]+ - / {
    name = $0; sub(/^ok [0-9]+ - /, "", name)
    print "PASS " suite "." name
    seen++
}
/^(not )?ok [0-9]+ # SKIP/ { name = $0; sub(/^(not )?ok [0-9]+ # SKIP */, "", name); print "SKIP " suite "." name; seen++ }
/^not ok [0-9]+ - / { name = $0; sub(/^not ok [0-9]+ - /, "", name); print "FAIL " suite "." name; seen++; failed++ }
END {
    if (plan == 0 || seen < plan) print "FAIL " suite ".incomplete(exit " rc ")"
}' "$log" >>"$results"
grep -E -A3 '^not ok [0-9]+ - ' "$log" | head -40 >&2 || true
