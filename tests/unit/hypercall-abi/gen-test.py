#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Tests of gen-hypercalls.py: malformed lists are rejected with a message
naming the line, good lists generate every output, and an unchanged re-run
does not rewrite files. Prints one PASS/FAIL line per case."""

import argparse
import os
import subprocess
import sys

BAD_LISTS = {
    "bad-number": "x1 foo any\n",
    "too-large": "64 foo any\n",
    "bad-who": "1 foo root\n",
    "bad-kind": "1 foo any float:x\n",
    "dup-number": "1 foo any\n1 bar any\n",
    "dup-name": "1 foo any\n2 foo any\n",
    "too-many-args": "1 foo any int:a int:b int:c int:d int:e int:f\n",
    "missing-who": "1 foo\n",
    "empty": "# nothing\n",
}


def run(gen, listfile, out):
    return subprocess.run([sys.executable, gen, "--list", listfile, "--out", out],
                          capture_output=True, text=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gen", required=True)
    ap.add_argument("--list", required=True)
    ap.add_argument("--tmp", required=True)
    a = ap.parse_args()
    os.makedirs(a.tmp, exist_ok=True)
    for name, text in BAD_LISTS.items():
        path = os.path.join(a.tmp, name + ".list")
        with open(path, "w") as f:
            f.write(text)
        p = run(a.gen, path, os.path.join(a.tmp, "out-" + name))
        ok = p.returncode != 0 and "gen-hypercalls:" in p.stderr and (
            name == "empty" or ".list:" in p.stderr)
        print(("PASS" if ok else "FAIL") + " gen:rejects-" + name)

    out = os.path.join(a.tmp, "good")
    p = run(a.gen, a.list, out)
    files = ["lamina/hypercall-numbers.h", "hypervisor/hypercall-handlers.h",
             "hypervisor/hypercall-table.c", "guests/hypercalls.h", "guests/hypercall-list.h"]
    ok = p.returncode == 0 and all(os.path.getsize(os.path.join(out, f)) > 0 for f in files)
    print(("PASS" if ok else "FAIL") + " gen:writes-all-outputs")

    before = {f: os.stat(os.path.join(out, f)).st_mtime_ns for f in files}
    os.utime(os.path.join(out, files[0]), ns=(1, 1))
    run(a.gen, a.list, out)
    ok = os.stat(os.path.join(out, files[0])).st_mtime_ns == 1 and all(
        os.stat(os.path.join(out, f)).st_mtime_ns == before[f] for f in files[1:])
    print(("PASS" if ok else "FAIL") + " gen:unchanged-not-rewritten")


if __name__ == "__main__":
    main()
