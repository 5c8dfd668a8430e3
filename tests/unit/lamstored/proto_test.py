#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Protocol, permission, transaction, quota, hostile-client and persistence
tests of lamstored over its Unix socket. Prints one PASS/FAIL line per case;
details of failures go to stderr. $DAEMON names the binary under test."""
import os
import socket
import struct
import sys
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xswire import Client, Daemon, XsError, T  # noqa: E402

CASES = []


def case(fn):
    CASES.append(fn)
    return fn


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def eq(got, want, what=""):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))


# ---------------------------------------------------------------- basics
@case
def read_write(d):
    c = d.client()
    eq(c.write("/t/rw", "hello"), b"OK\0", "write reply")
    eq(c.read("/t/rw"), b"hello", "read back")
    c.write("/t/rw", b"bin\0ary")
    eq(c.read("/t/rw"), b"bin\0ary", "binary value")


@case
def write_creates_parents(d):
    c = d.client()
    c.write("/t/p/q/r", "x")
    eq(c.read("/t/p/q"), b"", "intermediate node is empty")
    eq(c.ls("/t/p"), ["q"], "directory")


@case
def read_missing_is_enoent(d):
    eq(d.client().err("READ", "/t/nothing/here"), "ENOENT", "missing")


@case
def mkdir_and_rm_rules(d):
    c = d.client()
    eq(c.call("MKDIR", "/t/m/n"), b"OK\0")
    eq(c.call("MKDIR", "/t/m/n"), b"OK\0", "mkdir of an existing node")
    eq(c.call("RM", "/t/m/gone"), b"OK\0", "rm of a missing node whose parent exists")
    eq(c.err("RM", "/t/m/gone/deeper"), "ENOENT", "rm when the parent is missing too")
    eq(c.err("RM", "/"), "EINVAL", "rm of the root")
    c.write("/t/m/n/leaf", "v")
    c.call("RM", "/t/m")
    eq(c.err("READ", "/t/m/n/leaf"), "ENOENT", "subtree removed")


@case
def invalid_paths(d):
    c = d.client()
    for p in ["/t//x", "/t/x/", "/t/x y", "/t/x\x7f", "", "/t/%s" % ("x" * 3100)]:
        eq(c.err("READ", p), "EINVAL", "path %r" % p[:20])
    eq(c.err("WRITE", raw=b"/t/no-nul-after-path"), "EINVAL", "write without separator")


@case
def relative_paths_are_below_home(d):
    c = d.client()
    c.write("rel/x", "1")
    eq(c.read("/local/domain/0/rel/x"), b"1")
    eq(c.call("GET_DOMAIN_PATH", "7"), b"/local/domain/7\0")


@case
def unknown_types_enosys(d):
    c = d.client()
    for typ in (20, 23, 99, 0xffff):
        c.send(typ, b"x\0")
        rtyp, _, _, data = c.recv()
        eq((rtyp, data), (T["ERROR"], b"ENOSYS\0"), "type %d" % typ)


@case
def replies_echo_ids(d):
    c = d.client()
    c.send("READ", b"/\0", tx=0, req=0xdeadbeef)
    typ, req, tx, _ = c.recv()
    eq((typ, req, tx), (T["READ"], 0xdeadbeef, 0))


@case
def directory_part_for_long_lists(d):
    c = d.client()
    names = ["child-%03d-%s" % (i, "n" * 40) for i in range(200)]
    for n in names:
        c.write("/t/big/" + n, "")
    eq(c.err("DIRECTORY", "/t/big"), "E2BIG", "DIRECTORY over 4096 bytes")
    got, off, gen = b"", 0, None
    while True:
        r = c.call("DIRECTORY_PART", "/t/big", str(off))
        g, rest = r.split(b"\0", 1)
        gen = gen or g
        eq(g, gen, "generation stable")
        got += rest
        off += len(rest)
        if len(got) <= 1 or got[-2:] == b"\0\0":
            break
    eq(sorted(x.decode() for x in got[:-1].split(b"\0")[:-1]), sorted(names), "names")


@case
def permissions_format(d):
    c = d.client()
    eq(c.perms("/"), ["n0"], "root")
    c.write("/t/perm", "v")
    eq(c.call("SET_PERMS", "/t/perm", "b3", "r5", "w6"), b"OK\0")
    eq(c.perms("/t/perm"), ["b3", "r5", "w6"])
    eq(c.err("SET_PERMS", "/t/perm", "x3"), "EINVAL", "bad letter")
    eq(c.err("SET_PERMS", "/t/perm"), "EINVAL", "no perms")


# ---------------------------------------------------------------- watches
@case
def watch_fires(d):
    c, w = d.client(), d.client()
    w.call("WATCH", "/t/w", "tok")
    eq(w.wait_event(), [b"/t/w", b"tok"], "initial event")
    c.write("/t/w/a", "1")
    eq(w.wait_event(), [b"/t/w", b"tok"], "parent created")
    eq(w.wait_event(), [b"/t/w/a", b"tok"], "child created")
    c.write("/t/other", "1")
    eq(w.wait_event(0.3), None, "no event outside the watched path")
    eq(w.err("WATCH", "/t/w", "tok"), "EEXIST", "duplicate watch")
    w.call("UNWATCH", "/t/w", "tok")
    c.write("/t/w/a", "2")
    eq(w.wait_event(0.3), None, "no event after unwatch")
    eq(w.err("UNWATCH", "/t/w", "tok"), "ENOENT")


@case
def watch_on_removed_subtree(d):
    c, w = d.client(), d.client()
    c.write("/t/wr/x/y", "1")
    w.call("WATCH", "/t/wr/x/y", "deep")
    w.wait_event()
    c.call("RM", "/t/wr")
    eq(w.wait_event(), [b"/t/wr/x/y", b"deep"], "removal of an ancestor")


@case
def relative_watch_events(d):
    c, w = d.client(), d.client()
    w.call("WATCH", "relw", "r")
    eq(w.wait_event(), [b"relw", b"r"])
    c.write("/local/domain/0/relw/k", "1")
    evs = [w.wait_event(), w.wait_event()]
    expect([b"relw/k", b"r"] in evs, "relative event path: %r" % evs)


@case
def special_watches(d):
    w, c = d.client(), d.client()
    w.call("WATCH", "@introduceDomain", "in")
    w.call("WATCH", "@releaseDomain", "out")
    w.wait_event(), w.wait_event()
    c.call("INTRODUCE", "11", "1234", "5")
    eq(w.wait_event(), [b"@introduceDomain", b"in"])
    c.call("RELEASE", "11")
    eq(w.wait_event(), [b"@releaseDomain", b"out"])


@case
def special_watch_permissions(d):
    c = d.client()
    eq(c.perms("@releaseDomain"), ["n0"], "dom0 only by default")
    g9, g10 = d.client(), d.client()
    g9.restrict(9)
    g10.restrict(10)
    for g in (g9, g10):
        g.call("WATCH", "@releaseDomain", "rel")
        eq(g.wait_event(), [b"@releaseDomain", b"rel"], "the initial event is always sent")
    eq(g9.err("GET_PERMS", "@releaseDomain"), "EACCES")
    eq(g9.err("SET_PERMS", "@releaseDomain", "b9"), "EACCES", "only dom0 decides")
    c.call("SET_PERMS", "@releaseDomain", "n0", "r9")
    c.call("INTRODUCE", "13", "1", "1")
    c.call("RELEASE", "13")
    eq(g9.wait_event(), [b"@releaseDomain", b"rel"], "granted domain hears it")
    eq(g10.wait_event(0.3), None, "others do not")
    eq(c.err("GET_PERMS", "@nosuch"), "EINVAL")
    c.call("SET_PERMS", "@releaseDomain", "n0")


@case
def reset_watches(d):
    c, w = d.client(), d.client()
    w.call("WATCH", "/t/rs", "a")
    w.wait_event()
    w.call("RESET_WATCHES", "")
    c.write("/t/rs/x", "1")
    eq(w.wait_event(0.3), None)


# ---------------------------------------------------------------- domains
@case
def domain_requests(d):
    c = d.client()
    eq(c.call("IS_DOMAIN_INTRODUCED", "12"), b"F\0")
    c.call("INTRODUCE", "12", "4096", "3")
    eq(c.call("IS_DOMAIN_INTRODUCED", "12"), b"T\0")
    eq(c.call("INTRODUCE", "12", "4096", "3"), b"OK\0", "re-introduction")
    eq(c.err("INTRODUCE", "12", "4097", "3"), "EEXIST", "different page")
    eq(c.err("INTRODUCE", "0", "1", "1"), "EINVAL", "dom0")
    eq(c.err("INTRODUCE", "32752", "1", "1"), "EINVAL", "reserved id")
    eq(c.call("RESUME", "12"), b"OK\0")
    c.call("RELEASE", "12")
    eq(c.call("IS_DOMAIN_INTRODUCED", "12"), b"F\0")
    eq(c.err("RELEASE", "12"), "ENOENT")
    eq(c.err("SET_TARGET", "12", "3"), "ENOENT")


# ---------------------------------------------------------------- transactions
@case
def transaction_isolation(d):
    a, b = d.client(), d.client()
    t = a.tx_start()
    a.write("/t/tx/iso", "inside", tx=t)
    eq(a.read("/t/tx/iso", tx=t), b"inside", "read own write")
    eq(b.err("READ", "/t/tx/iso"), "ENOENT", "invisible before commit")
    eq(a.tx_end(t), None, "commit")
    eq(b.read("/t/tx/iso"), b"inside", "visible after commit")
    eq(a.err("TRANSACTION_END", "T", tx=t), "ENOENT", "ended transaction")
    eq(a.err("READ", "/t", tx=424242), "ENOENT", "unknown transaction")


@case
def unknown_transaction_ids(d):
    # Xen looks the id up before running any request but WATCH/UNWATCH: ENOENT.
    c = d.client()
    eq(c.err("TRANSACTION_START", "", tx=4242), "ENOENT", "start inside an unknown id")
    eq(c.err("GET_DOMAIN_PATH", "0", tx=4242), "ENOENT", "domain path in an unknown id")
    eq(c.err("RESET_WATCHES", "", tx=4242), "ENOENT", "reset in an unknown id")
    eq(c.err("TRANSACTION_END", "T", tx=4242), "ENOENT", "end of an unknown id")
    eq(c.err("WATCH", "/t/uk", "w", tx=4242), None, "watch ignores the id")
    c.wait_event()
    t = c.tx_start()
    eq(c.err("TRANSACTION_START", "", tx=t), "EBUSY", "no nesting")
    eq(c.call("GET_DOMAIN_PATH", "3", tx=t), b"/local/domain/3\0", "in a held id")
    c.call("TRANSACTION_END", "F", tx=t)


@case
def transaction_abort(d):
    a = d.client()
    t = a.tx_start()
    a.write("/t/tx/ab", "x", tx=t)
    eq(a.tx_end(t, commit=False), None)
    eq(a.err("READ", "/t/tx/ab"), "ENOENT")


@case
def transaction_conflict(d):
    a, b = d.client(), d.client()
    a.write("/t/tx/c", "0")
    t = a.tx_start()
    a.read("/t/tx/c", tx=t)
    a.write("/t/tx/c2", "x", tx=t)
    b.write("/t/tx/c", "1")
    eq(a.tx_end(t), "EAGAIN", "read node changed")
    eq(a.err("READ", "/t/tx/c2"), "ENOENT", "nothing applied")


@case
def transaction_disjoint_subtrees(d):
    a, b = d.client(), d.client()
    a.call("MKDIR", "/t/tx/be")
    t1, t2 = a.tx_start(), b.tx_start()
    a.write("/t/tx/be/1/51712/state", "1", tx=t1)
    b.write("/t/tx/be/2/51712/state", "1", tx=t2)
    eq(a.tx_end(t1), None, "first")
    eq(b.tx_end(t2), None, "second, sibling subtree under the same parent")
    eq(sorted(a.ls("/t/tx/be")), ["1", "2"])


@case
def transaction_directory_conflicts(d):
    a, b = d.client(), d.client()
    a.call("MKDIR", "/t/tx/dir")
    t = a.tx_start()
    a.ls("/t/tx/dir", tx=t)
    a.write("/t/tx/marker", "1", tx=t)
    b.write("/t/tx/dir/new", "1")
    eq(a.tx_end(t), "EAGAIN", "listed directory changed")


@case
def transaction_rm_then_write(d):
    a = d.client()
    a.write("/t/tx/rw/old/x", "1")
    t = a.tx_start()
    a.call("RM", "/t/tx/rw", tx=t)
    eq(a.err("READ", "/t/tx/rw/old/x", tx=t), "ENOENT", "removed in tx")
    a.write("/t/tx/rw/new", "2", tx=t)
    eq(a.ls("/t/tx/rw", tx=t), ["new"], "listing inside tx")
    eq(a.read("/t/tx/rw/old/x"), b"1", "outside unchanged")
    eq(a.tx_end(t), None)
    eq(a.ls("/t/tx/rw"), ["new"])


@case
def transaction_watch_fires_on_commit(d):
    a, w = d.client(), d.client()
    w.call("WATCH", "/t/tx/wf", "t")
    w.wait_event()
    t = a.tx_start()
    a.write("/t/tx/wf/x", "1", tx=t)
    eq(w.wait_event(0.3), None, "no event before commit")
    a.tx_end(t)
    evs = [w.wait_event(), w.wait_event()]
    expect([b"/t/tx/wf/x", b"t"] in evs, "event at commit: %r" % evs)


@case
def no_livelock_16_clients(d):
    """16 clients create devices in disjoint subtrees in transactions."""
    d.client().call("MKDIR", "/local/domain/0/backend/vbd")
    retries, errors = [0], []

    def worker(i):
        try:
            c = d.client()
            for dev in range(10):
                while True:
                    t = c.tx_start()
                    base = "/local/domain/0/backend/vbd/%d/%d" % (i + 100, 51712 + dev)
                    for k in ("state", "params", "mode", "frontend"):
                        c.write(base + "/" + k, "x", tx=t)
                    c.write("/local/domain/%d/device/vbd/%d/state" % (i + 100, 51712 + dev), "1",
                            tx=t)
                    if c.tx_end(t) is None:
                        break
                    retries[0] += 1
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))
    th = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    [x.start() for x in th]
    [x.join(60) for x in th]
    eq(errors, [], "worker errors")
    eq(len(d.client().ls("/local/domain/0/backend/vbd")), 16, "every domain's devices")
    expect(retries[0] < 16, "retries %d" % retries[0])


# ---------------------------------------------------------------- permissions
def setup_home(d, domid):
    c = d.client()
    home = "/local/domain/%d" % domid
    c.call("MKDIR", home)
    c.call("SET_PERMS", home, "n%d" % domid)
    return home


@case
def guest_cannot_read_others(d):
    c = d.client()
    c.write("/t/secret", "s")
    g = d.client()
    g.restrict(5)
    eq(g.err("READ", "/t/secret"), "EACCES", "n0 node")
    eq(g.err("READ", "/t/secret/missing"), "EACCES", "missing below unreadable")
    c.call("SET_PERMS", "/t/secret", "n0", "r5")
    eq(g.read("/t/secret"), b"s", "r5 entry")
    eq(g.err("READ", "/t/secret/missing"), "ENOENT", "missing below readable")
    eq(g.err("WRITE", raw=b"/t/secret\0x"), "EACCES", "read-only entry")
    eq(g.err("CONTROL", "restrict", "6"), "EACCES", "control is privileged")
    eq(g.err("INTRODUCE", "9", "1", "1"), "EACCES", "introduce is privileged")
    # Privileged in Xen since XSA-115: a guest must not probe which domain ids exist.
    eq(g.err("IS_DOMAIN_INTRODUCED", "0"), "EACCES", "is-introduced is privileged")
    eq(g.err("IS_DOMAIN_INTRODUCED", "5"), "EACCES", "not even for itself")


@case
def guest_owns_what_it_creates(d):
    home = setup_home(d, 21)
    g = d.client()
    g.restrict(21)
    g.write("data/x", "1")  # relative to its home
    c = d.client()
    eq(c.perms(home + "/data/x"), ["n21"], "owner is the creating guest")
    g.call("SET_PERMS", "data/x", "n21", "r22")
    # Xen 4.17: EPERM (the caller may write the node, it may not hand it over).
    eq(g.err("SET_PERMS", "data/x", "n22"), "EPERM", "cannot give a node away")
    o = d.client()
    o.restrict(23)
    eq(o.err("WRITE", raw=(home + "/data/y\0v").encode()), "EACCES", "other guest")


@case
def write_only_permission(d):
    c = d.client()
    c.write("/t/wo", "v")
    c.call("SET_PERMS", "/t/wo", "n0", "w8")
    g = d.client()
    g.restrict(8)
    g.write("/t/wo", "new")
    eq(g.err("READ", "/t/wo"), "EACCES", "write-only")
    eq(c.read("/t/wo"), b"new")


@case
def target_acts_for_domain(d):
    home = setup_home(d, 31)
    c = d.client()
    c.call("INTRODUCE", "32", "1", "1")
    c.call("SET_TARGET", "32", "31")
    dm = d.client()
    dm.restrict(32)
    dm.write(home + "/dm/x", "1")
    eq(dm.read(home + "/dm/x"), b"1", "device model acts as its target")
    c.call("RELEASE", "32")


@case
def release_disowns_nodes(d):
    home = setup_home(d, 41)
    c = d.client()
    c.call("INTRODUCE", "41", "1", "1")
    c.write("/t/shared41", "v")
    c.call("SET_PERMS", "/t/shared41", "n0", "b41")
    c.call("RELEASE", "41")
    # Xen 4.17 (XSA-419): what the domain owned goes, not to dom0.
    eq(c.err("GET_PERMS", home), "ENOENT", "its own nodes are removed")
    eq(c.perms("/t/shared41"), ["n0"], "entry for the dead domain dropped")
    g = d.client()
    g.restrict(41)
    eq(g.err("READ", "/t/shared41"), "EACCES", "a new domain 41 inherits nothing")


@case
def cooperating_guests_cannot_grow_the_store(d):
    # Guest 61 lets guest 62 write below its home; 62 fills it and is released, again and
    # again. Its nodes must go with it: handed to dom0 they would count against nobody.
    home = setup_home(d, 61)
    c = d.client()
    a = d.client()
    a.restrict(61)
    a.call("MKDIR", "data")
    for life in range(3):
        a.call("SET_PERMS", "data", "n61", "b62")  # (re)granted to each new domain 62
        c.call("INTRODUCE", "62", "1", "1")
        b = d.client()
        b.restrict(62)
        for i in range(20):
            b.write(home + "/data/n%d_%d" % (life, i), "x" * 100)
        eq(c.perms(home + "/data/n%d_0" % life)[0], "n62", "owned by the writer")
        c.call("RELEASE", "62")
        eq(c.err("READ", home + "/data/n%d_0" % life), "ENOENT", "gone with its owner")
    eq(c.call("DIRECTORY", home + "/data"), b"", "nothing left behind")
    eq(c.perms(home + "/data"), ["n61"], "the released domain's entry dropped")
    eq(c.call("CONTROL", "check"), b"OK\0", "accounting matches the tree")


@case
def watch_events_need_read_access(d):
    c = d.client()
    c.call("MKDIR", "/t/hidden")
    g = d.client()
    g.restrict(51)
    g.call("WATCH", "/t/hidden", "h")
    g.wait_event()
    c.write("/t/hidden/x", "1")
    eq(g.wait_event(0.3), None, "no event for an unreadable node")


@case
def read_only_socket(d):
    r = d.client(ro=True)
    d.client().write("/t/ro", "v")
    eq(r.read("/t/ro"), b"v")
    eq(r.err("WRITE", raw=b"/t/ro\0x"), "EACCES")
    eq(r.err("RM", "/t/ro"), "EACCES")
    eq(r.err("INTRODUCE", "9", "1", "1"), "EACCES")


# ---------------------------------------------------------------- quotas
QUOTA_ARGS = ["--quota", "nodes=20", "--quota", "node-size=100", "--quota", "perms=3",
              "--quota", "watches=5", "--quota", "transactions=3", "--quota", "path-length=64",
              "--quota", "memory=60000", "--quota", "transaction-nodes=50"]


def quota_guest(q, domid):
    home = setup_home(q, domid)
    g = q.client()
    g.restrict(domid)
    return home, g


def last_quota(q, domid):
    r = q.client().call("CONTROL", "quota", str(domid)).decode()
    return r.split("last-exceeded=")[1].rstrip("\0")


@case
def quota_nodes(q):
    _, g = quota_guest(q, 61)
    err = None
    for i in range(30):
        err = g.err("WRITE", raw=b"n%d\0v" % i)
        if err:
            break
    eq((err, i), ("ENOSPC", 19), "20 nodes including its home")
    eq(last_quota(q, 61), "nodes")
    g.call("RM", "n0")
    eq(g.err("WRITE", raw=b"again\0v"), None, "room again after rm")


@case
def quota_node_size(q):
    _, g = quota_guest(q, 62)
    eq(g.err("WRITE", raw=b"big\0" + b"x" * 101), "ENOSPC")
    eq(g.err("WRITE", raw=b"ok\0" + b"x" * 100), None)
    eq(last_quota(q, 62), "node-size")
    eq(q.client().err("WRITE", raw=b"/t/dom0big\0" + b"x" * 4000), None, "dom0 is not limited")


@case
def quota_perms(q):
    _, g = quota_guest(q, 63)
    g.write("p", "")
    eq(g.err("SET_PERMS", "p", "n63", "r1", "r2", "r3"), "ENOSPC")
    eq(g.err("SET_PERMS", "p", "n63", "r1", "r2"), None)


@case
def quota_watches(q):
    _, g = quota_guest(q, 64)
    errs = [g.err("WATCH", "w%d" % i, "t") for i in range(6)]
    eq(errs, [None] * 5 + ["E2BIG"])


@case
def quota_transactions(q):
    _, g = quota_guest(q, 65)
    ts = [g.tx_start() for _ in range(3)]
    eq(g.err("TRANSACTION_START", ""), "ENOSPC")
    g.tx_end(ts[0], commit=False)
    eq(g.err("TRANSACTION_START", ""), None, "one ended, one more")


@case
def quota_transaction_nodes(q):
    _, g = quota_guest(q, 66)
    t = g.tx_start()
    err = None
    for i in range(60):
        err = g.err("READ", "/local/domain/66/r%d" % i, tx=t)
        if err not in (None, "ENOENT"):
            break
    eq(err, "ENOSPC")


@case
def quota_path_length(q):
    _, g = quota_guest(q, 67)
    eq(g.err("WRITE", raw=("a" * 64).encode() + b"\0v"), None)
    eq(g.err("WRITE", raw=("a" * 65).encode() + b"\0v"), "EINVAL")


@case
def quota_memory(q):
    home, g = quota_guest(q, 68)
    q.client().call("SET_PERMS", home, "n68")
    err = None
    for i in range(100):
        # large values in few nodes: memory binds before the node count
        err = g.err("WRITE", raw=b"m%d\0" % i + b"x" * 100)
        if err:
            break
    expect(err in ("ENOMEM", "ENOSPC"), "err %r" % err)


@case
def quota_memory_binds(q2):
    home, g = quota_guest(q2, 69)
    err = None
    for i in range(100):
        err = g.err("WRITE", raw=b"m%d\0" % i + b"x" * 1000)
        if err:
            break
    eq(err, "ENOMEM")
    eq(last_quota(q2, 69), "memory")


# ---------------------------------------------------------------- hostile clients
@case
def hostile_oversized_message(d):
    bad, good = d.client(), d.client()
    bad.send("WRITE", b"x" * 10, length=5000)
    try:
        bad.recv()
        raise AssertionError("oversized message answered")
    except (ConnectionError, OSError):
        pass
    eq(good.read("/"), b"", "others still served")


@case
def hostile_stalled_header(d):
    stalls = []
    for _ in range(50):
        c = d.client()
        c.s.sendall(struct.pack("<IIII", 2, 1, 0, 4000)[:10])
        stalls.append(c)
    eq(d.client().read("/"), b"", "served with 50 half-sent messages pending")
    [s.close() for s in stalls]


@case
def hostile_deep_path(d):
    c = d.client()
    deep = "/t/deep" + "/d" * 1500
    eq(c.err("WRITE", raw=deep.encode() + b"\0v"), None, "1500 levels")
    eq(c.read(deep), b"v")
    too_deep = "/t/deep" + "/d" * 1600
    eq(c.err("WRITE", raw=too_deep.encode() + b"\0v"), "EINVAL", "over 3072 bytes")
    c.call("RM", "/t/deep")
    eq(c.err("READ", deep), "ENOENT")


@case
def hostile_watch_flood(d):
    """A client that sets many watches and never reads is cut off; others go on."""
    lazy = d.client()
    for i in range(500):
        lazy.send("WATCH", b"/t/flood\0tok%d\0" % i)
    c = d.client()
    for i in range(3000):
        c.write("/t/flood/k", str(i))
    eq(c.read("/t/flood/k"), b"2999", "writer served")
    expect(d.alive(), "daemon alive")
    dropped = False
    try:
        lazy.s.settimeout(5)
        while True:
            if not lazy.s.recv(1 << 20):
                dropped = True
                break
    except (ConnectionError, OSError):
        dropped = True
    expect(dropped, "the flooded client was disconnected")


@case
def hostile_thousands_of_transactions(d):
    c = d.client()
    for i in range(3000):
        t = c.tx_start()
        c.write("/t/many/x", str(i), tx=t)
        eq(c.tx_end(t, commit=(i % 2 == 0)), None)
    opened = []
    while True:
        try:
            opened.append(c.tx_start())
        except XsError as e:
            eq(e.name, "ENOSPC", "transaction quota")
            break
        expect(len(opened) < 100000, "no transaction limit")
    eq(d.client().read("/t/many/x"), b"2998", "other clients served")


@case
def hostile_never_reads_replies(d):
    lazy = d.client()
    req = struct.pack("<IIII", 2, 1, 0, 2) + b"/\0"
    lazy.s.setblocking(False)
    sent = 0
    try:
        for _ in range(200000):
            sent += lazy.s.send(req * 64)
    except BlockingIOError:
        pass
    start = time.time()
    eq(d.client().read("/"), b"", "another client answered")
    expect(time.time() - start < 2, "answered quickly")
    expect(sent > 0, "sent requests")
    lazy.close()


@case
def hostile_garbage_requests(d):
    import random
    rnd = random.Random(8)
    for _ in range(300):
        c = d.client()
        typ = rnd.randrange(0, 25)
        if typ in (8, 9, 18, 19):
            continue  # domain changes would disturb the other cases
        payload = bytes(rnd.randrange(0, 256) for _ in range(rnd.randrange(0, 64)))
        c.send(typ, payload, tx=rnd.choice([0, 0, 1, 0xffffffff]))
        try:
            c.recv()
        except (ConnectionError, OSError):
            pass
        c.close()
    expect(d.alive(), "daemon alive")
    eq(d.client().call("CONTROL", "check"), b"OK\0", "accounting consistent")


# ---------------------------------------------------------------- persistence
@case
def restart_keeps_state(_):
    import tempfile
    state = os.path.join(tempfile.mkdtemp(prefix="lamstored-state-"), "state")
    d = Daemon(state=state)
    try:
        c = d.client()
        c.write("/keep/a", "1")
        c.write("/keep/b", b"\0\1\2")
        c.call("SET_PERMS", "/keep/a", "n4", "r5")
        c.call("INTRODUCE", "4", "777", "9")
        c.call("SET_PERMS", "@introduceDomain", "n0", "r4")
        c.close()
        eq(d.stop(), 0, "clean exit")
        d.start()
        c = d.client()
        eq(c.read("/keep/a"), b"1")
        eq(c.read("/keep/b"), b"\0\1\2")
        eq(c.perms("/keep/a"), ["n4", "r5"])
        eq(c.call("IS_DOMAIN_INTRODUCED", "4"), b"T\0")
        eq(c.perms("@introduceDomain"), ["n0", "r4"], "special node permissions")
        eq(c.call("CONTROL", "check"), b"OK\0", "accounting after reload")
    finally:
        d.stop()


@case
def damaged_state_refused(_):
    import tempfile
    state = os.path.join(tempfile.mkdtemp(prefix="lamstored-state-"), "state")
    with open(state, "wb") as f:
        f.write(b"LAMSTOR1N\xff\xff\xff\xff")
    try:
        Daemon(state=state).stop()
        raise AssertionError("daemon started on a damaged state file")
    except RuntimeError:
        pass


@case
def xen_style_quota_flags(_):
    d = Daemon("-E", "11", "-W", "7", "-t", "3", "-A", "4", "-S", "99", "-M", "50",
               "-Q", "transaction-nodes=99")
    try:
        got = dict(line.split("=") for line in
                   d.client().call("CONTROL", "quota").decode().split("\n") if "=" in line)
        eq({k: got[k] for k in ("nodes", "watches", "transactions", "perms", "node-size",
                                "path-length", "transaction-nodes")},
           {"nodes": "11", "watches": "7", "transactions": "3", "perms": "4", "node-size": "99",
            "path-length": "50", "transaction-nodes": "99"})
    finally:
        eq(d.stop(), 0, "clean exit")


# ---------------------------------------------------------------- runner
def main():
    shared = Daemon()
    quota = Daemon(*QUOTA_ARGS)
    quota2 = Daemon("--quota", "memory=6000", "--quota", "nodes=1000")
    floods = Daemon("--out-limit", "65536")
    failed = 0
    for fn in CASES:
        name = fn.__name__
        target = shared
        if name.startswith("quota_"):
            target = quota2 if name == "quota_memory_binds" else quota
        elif name == "hostile_watch_flood":
            target = floods
        try:
            fn(target)
            print("PASS store/proto/%s" % name, flush=True)
        except Exception:  # noqa: BLE001
            failed += 1
            print("FAIL store/proto/%s" % name, flush=True)
            traceback.print_exc(file=sys.stderr)
    for name, dmn in (("shared", shared), ("quota", quota), ("quota2", quota2),
                      ("flood", floods)):
        ok = False
        try:
            ok = dmn.client().call("CONTROL", "check") == b"OK\0"
        except Exception:  # noqa: BLE001
            traceback.print_exc(file=sys.stderr)
        rc = dmn.stop()
        print("%s store/proto/daemon_%s_consistent_and_clean_exit" %
              ("PASS" if ok and rc == 0 else "FAIL", name), flush=True)
        if not (ok and rc == 0):
            sys.stderr.write("daemon %s rc=%s log:\n%s\n" % (name, rc, dmn.logtext()[-3000:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
