# SPDX-License-Identifier: GPL-2.0-only
"""A raw xenstore protocol client and a daemon runner for the store tests.

Speaks the wire format directly (16-byte header + payload) so that tests
can send anything, including what no well-behaved client would.
"""
import os
import signal
import socket
import struct
import subprocess
import tempfile
import time

T = dict(CONTROL=0, DIRECTORY=1, READ=2, GET_PERMS=3, WATCH=4, UNWATCH=5,
         TRANSACTION_START=6, TRANSACTION_END=7, INTRODUCE=8, RELEASE=9,
         GET_DOMAIN_PATH=10, WRITE=11, MKDIR=12, RM=13, SET_PERMS=14,
         WATCH_EVENT=15, ERROR=16, IS_DOMAIN_INTRODUCED=17, RESUME=18,
         SET_TARGET=19, RESET_WATCHES=21, DIRECTORY_PART=22)


class XsError(Exception):
    def __init__(self, name):
        super().__init__(name)
        self.name = name


class Client:
    def __init__(self, path, timeout=10.0):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.req = 0
        self.events = []
        self.buf = b""

    def close(self):
        self.s.close()

    def send(self, typ, payload=b"", tx=0, req=None, length=None):
        if req is None:
            self.req += 1
            req = self.req
        n = len(payload) if length is None else length
        self.s.sendall(struct.pack("<IIII", T.get(typ, typ) if isinstance(typ, str) else typ,
                                   req, tx, n) + payload)
        return req

    def _recv_exact(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(65536)
            if not chunk:
                raise ConnectionError("closed by daemon")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self):
        typ, req, tx, n = struct.unpack("<IIII", self._recv_exact(16))
        return typ, req, tx, self._recv_exact(n)

    def call(self, typ, *args, tx=0, raw=None):
        payload = raw if raw is not None else b"".join(
            (a if isinstance(a, bytes) else a.encode()) + b"\0" for a in args)
        req = self.send(typ, payload, tx)
        while True:
            rtyp, rreq, rtx, data = self.recv()
            if rtyp == T["WATCH_EVENT"]:
                self.events.append(data.split(b"\0")[:2])
                continue
            if rreq != req:
                raise AssertionError("reply to request %d, expected %d" % (rreq, req))
            if rtyp == T["ERROR"]:
                raise XsError(data.rstrip(b"\0").decode())
            if rtyp != T[typ]:
                raise AssertionError("reply type %d to %s" % (rtyp, typ))
            return data

    def err(self, typ, *args, **kw):
        """Calls and returns the error name (or None on success)."""
        try:
            self.call(typ, *args, **kw)
            return None
        except XsError as e:
            return e.name

    def write(self, path, value, tx=0):
        return self.call("WRITE", raw=path.encode() + b"\0" + (
            value if isinstance(value, bytes) else value.encode()), tx=tx)

    def read(self, path, tx=0):
        return self.call("READ", path, tx=tx)

    def ls(self, path, tx=0):
        d = self.call("DIRECTORY", path, tx=tx)
        return [x.decode() for x in d.split(b"\0")[:-1]]

    def perms(self, path):
        return [x.decode() for x in self.call("GET_PERMS", path).split(b"\0")[:-1]]

    def tx_start(self):
        return int(self.call("TRANSACTION_START", "").rstrip(b"\0"))

    def tx_end(self, tx, commit=True):
        return self.err("TRANSACTION_END", "T" if commit else "F", tx=tx)

    def wait_event(self, timeout=2.0):
        """Next watch event [path, token] (from the backlog or the socket)."""
        if self.events:
            return self.events.pop(0)
        self.s.settimeout(timeout)
        try:
            while True:
                typ, _, _, data = self.recv()
                if typ == T["WATCH_EVENT"]:
                    return data.split(b"\0")[:2]
        except socket.timeout:
            return None
        finally:
            self.s.settimeout(10.0)

    def restrict(self, domid):
        self.call("CONTROL", "restrict", str(domid))


class Daemon:
    def __init__(self, *args, state=None):
        self.dir = tempfile.mkdtemp(prefix="lamstored-test-")
        self.path = os.path.join(self.dir, "sock")
        self.ro_path = os.path.join(self.dir, "sock_ro")
        self.args = list(args)
        self.state = state
        self.proc = None
        self.start()

    def start(self):
        cmd = [os.environ.get("DAEMON", "lamstored"), "--socket", self.path,
               "--ro-socket", self.ro_path, "--no-rings"] + self.args
        if self.state:
            cmd += ["--state", self.state]
        self.log = open(os.path.join(self.dir, "log"), "ab")
        self.proc = subprocess.Popen(cmd, stderr=self.log)
        for _ in range(200):
            if os.path.exists(self.path) and os.path.exists(self.ro_path):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise RuntimeError("daemon did not start")

    def client(self, ro=False):
        return Client(self.ro_path if ro else self.path)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        """SIGTERM; returns the exit code (sanitizer reports make it non-zero)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def logtext(self):
        with open(os.path.join(self.dir, "log"), "rb") as f:
            return f.read().decode(errors="replace")
