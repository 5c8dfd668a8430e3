#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_store (run once; the files are kept in the tree)."""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def msg(typ, payload, tx=0, req=1):
    return struct.pack("<IIII", typ, req, tx, len(payload)) + payload


def script(*chunks):
    """chunks: (connection selector, bytes); long byte strings are split."""
    out = b""
    for sel, data in chunks:
        while True:
            part, data = data[:255], data[255:]
            out += bytes([sel, len(part)]) + part
            if not data:
                break
    return out


seeds = {
    "write_read": script((4, msg(11, b"/a/b\0hello")), (4, msg(2, b"/a/b\0"))),
    "dir_perms": script((4, msg(12, b"/local/domain/5\0")),
                        (4, msg(14, b"/local/domain/5\0n5\0")),
                        (5, msg(11, b"x/y\0v")), (5, msg(1, b"x\0")),
                        (5, msg(3, b"x/y\0")), (5, msg(22, b"x\0" + b"0\0"))),
    "watch": script((4, msg(4, b"/w\0tok\0")), (0, msg(11, b"/w/x\0" + b"1")),
                    (4, msg(13, b"/w\0")), (4, msg(5, b"/w\0tok\0"))),
    "transaction": script((4, msg(6, b"\0")), (4, msg(11, b"/t/x\0v", tx=1)),
                          (4, msg(13, b"/t\0", tx=1)), (4, msg(7, b"T\0", tx=1)),
                          (4, msg(6, b"\0", req=2)), (4, msg(7, b"F\0", tx=2))),
    "domains": script((4, msg(8, b"5\0" + b"100\0" + b"3\0")), (4, msg(17, b"5\0")),
                      (4, msg(19, b"7\0" + b"5\0")), (7, msg(11, b"/local/domain/5/q\0z")),
                      (4, msg(9, b"5\0")), (4, msg(10, b"5\0"))),
    "control": script((4, msg(0, b"quota\0")), (4, msg(0, b"stats\0")),
                      (4, msg(0, b"check\0")), (4, msg(0, b"dump\0"))),
    "readonly": script((6, msg(11, b"/r\0v")), (6, msg(2, b"/\0"))),
    "oversized": script((4, struct.pack("<IIII", 2, 1, 0, 5000))),
    "split": script((0, msg(11, b"/split\0" + b"v" * 600)), (4, b"")),
}

os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
