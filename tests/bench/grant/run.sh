#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Grant-table benchmark: map+unmap of one granted page and a 4 KiB
# grant copy; Lamina against Xen 4.17 in one run (tests/bench/guest-bench.sh).
exec "$(dirname "$0")/../guest-bench.sh" bench-grant \
    "bench grant: grant-table operations (5 rounds)" "grant map+unmap" "grant copy 4096 bytes"
