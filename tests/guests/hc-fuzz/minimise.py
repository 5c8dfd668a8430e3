#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Cut a failing hc-fuzz seed down to the few calls that still fail (delta debugging).

    minimise.py --seed S --calls N [--cpus 1] [--match REGEX] [--hv lamina] [-- extra args]

N is the index of the failing call plus one (the last "hcf: v0 #K" line of a log=1 run,
plus one, or the heartbeat count after which it failed). Every call is still generated,
so the kept ones are exactly those of the seed; keep=... tells the guest which to issue.
A candidate fails when its boot ends with the same verdict as the whole seed (PANIC, HANG,
AUDIT, GUEST-CRASH) and, with --match, its log matches REGEX. Prints the kept indexes,
the keep= argument that reproduces it, and the calls (a replay=1 run of the same seed).
"""

import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FUZZ = os.path.join(HERE, "fuzz.sh")


def ranges(items):
    """[1,2,3,7] -> "1-3+7"."""
    out, i = [], 0
    while i < len(items):
        j = i
        while j + 1 < len(items) and items[j + 1] == items[j] + 1:
            j += 1
        out.append(str(items[i]) if i == j else f"{items[i]}-{items[j]}")
        i = j + 1
    return out


class Runner:
    def __init__(self, a):
        self.a, self.runs = a, 0
        self.out = os.path.join(a.out, "minimise")
        os.makedirs(self.out, exist_ok=True)

    def run(self, extra):
        self.runs += 1
        args = " ".join(x for x in [extra, self.a.extra] if x)
        cmd = [FUZZ, "--seeds", str(self.a.seed), "--calls", str(self.a.calls), "--cpus",
               str(self.a.cpus), "--hv", self.a.hv, "--hang", str(self.a.hang), "--out",
               self.out, "--keep-all"] + (["--domu"] if self.a.domu else []) + ["--", args]
        p = subprocess.run(cmd, capture_output=True, text=True)
        m = re.search(r"^seed \S+: (\S+)", p.stdout, re.M)
        verdict = m.group(1) if m else "?"
        log = os.path.join(self.out, f"seed-{self.a.seed}.log")
        text = open(log, errors="replace").read() if os.path.exists(log) else ""
        return verdict, text

    def fails(self, keep, want):
        r = ranges(keep)
        if len(r) > 64:
            return False  # the guest takes 64 ranges; such a set is never the answer anyway
        verdict, text = self.run("keep=" + "+".join(r))
        ok = verdict == want and (not self.a.match or re.search(self.a.match, text))
        print(f"  {len(keep)} call(s): {verdict}{' (fails)' if ok else ''}", flush=True)
        return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", required=True)
    ap.add_argument("--calls", type=int, required=True)
    ap.add_argument("--cpus", type=int, default=1)
    ap.add_argument("--hv", default="lamina")
    ap.add_argument("--domu", action="store_true")
    ap.add_argument("--match", default="")
    ap.add_argument("--hang", type=int, default=10)
    ap.add_argument("--out", default=os.path.join(HERE, "../../../build/fuzz"))
    ap.add_argument("extra", nargs="*")
    a = ap.parse_args()
    a.extra = " ".join(a.extra)
    r = Runner(a)
    last = a.calls - 1
    verdict, _ = r.run("")
    if verdict == "PASS":
        print(f"seed {a.seed} with {a.calls} calls passes: nothing to minimise")
        return 1
    print(f"seed {a.seed}, {a.calls} calls: {verdict}; minimising")
    items = list(range(last))
    n = 2
    while len(items) >= 2:
        size = (len(items) + n - 1) // n
        chunks = [items[i:i + size] for i in range(0, len(items), size)]
        for c in chunks:
            rest = [x for x in items if x not in set(c)]
            if r.fails(rest + [last], verdict):
                items, n = rest, max(n - 1, 2)
                break
        else:
            if n >= len(items):
                break
            n = min(2 * n, len(items))
    if len(items) == 1 and r.fails([last], verdict):
        items = []
    keep = items + [last]
    arg = "keep=" + "+".join(ranges(keep))
    print(f"seed {a.seed}: {verdict} with {len(keep)} call(s) after {r.runs} boot(s): {arg}")
    _, text = r.run(arg + " replay=1")
    wanted = set(keep)
    for line in text.splitlines():
        m = re.match(r"hcf: v0 #(\d+) ", line)
        if m and int(m.group(1)) in wanted:
            print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
