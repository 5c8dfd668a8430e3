#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The build host's end of dom0's network test (run-dom0.sh --nic): an HTTP server on
127.0.0.1 only, which dom0 reaches as 10.0.2.2 through QEMU's user network.
  GET /blob      the file given with --blob (its SHA-256 is on dom0's command line)
  POST /upload   answers the SHA-256 of the body it received
It writes its port to --port-file once it listens and stops by itself after
--lifetime seconds (the harness also ends it)."""
import argparse
import hashlib
import http.server
import threading


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--blob", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--lifetime", type=float, default=900)
    args = ap.parse_args()
    with open(args.blob, "rb") as f:
        blob = f.read()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, fmt, *a):
            print("net-server: " + fmt % a, flush=True)

        def do_GET(self):
            if self.path != "/blob":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(blob)))
            self.end_headers()
            self.wfile.write(blob)

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            if self.path != "/upload" or n < 0 or n > 64 << 20:
                self.send_error(400)
                return
            h, left = hashlib.sha256(), n
            while left:
                chunk = self.rfile.read(min(left, 65536))
                if not chunk:
                    break
                h.update(chunk)
                left -= len(chunk)
            body = (h.hexdigest() + "\n").encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    import os

    os.rename(args.port_file + ".tmp", args.port_file)
    threading.Timer(args.lifetime, srv.shutdown).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
