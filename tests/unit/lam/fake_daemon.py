#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# A stand-in for a dom0 daemon on a Unix socket, for lam's CLI tests:
#   fake_daemon.py silent PATH SECONDS   accept connections, never answer
#   fake_daemon.py console PATH TEXT     answer one ATTACH with "OK 3 web", send TEXT, close
#   fake_daemon.py hold PATH SECONDS     answer one ATTACH with "OK 3 web", then stay quiet
# It writes PATH.ready once listening and serves one client (or waits SECONDS).
import os
import socket
import sys
import time

mode, path, arg = sys.argv[1], sys.argv[2], sys.argv[3]
if os.path.exists(path):
    os.unlink(path)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(8)
open(path + ".ready", "w").close()
if mode == "silent":
    time.sleep(float(arg))
    sys.exit(0)
c, _ = s.accept()
line = b""
while not line.endswith(b"\n"):
    b = c.recv(1)
    if not b:
        sys.exit(1)
    line += b
if not line.startswith(b"ATTACH "):
    sys.exit(1)
c.sendall(b"OK 3 web\n")
if mode == "console":
    c.sendall(arg.encode())
    c.close()
else:
    time.sleep(float(arg))
