#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Regenerate corpus/: the elf_pv seed kernels raw, compressed whole (gzip, xz, lzma, zstd,
# bzip2) and wrapped in bzImages (boot protocol 2.15) with each compression and Linux's
# 4-byte size trailer.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
seeds=$here/../elf_pv/corpus
out=$here/corpus
mkdir -p "$out"
bzimage() { # payload-file out-file
    python3 - "$1" "$2" <<'PY'
import struct, sys
p = open(sys.argv[1], 'rb').read()
h = bytearray(5 * 512 + 0x100)
h[0x1f1] = 4
h[0x1fe:0x200] = b'\x55\xaa'
h[0x202:0x206] = b'HdrS'
h[0x206:0x208] = struct.pack('<H', 0x020f)
h[0x248:0x250] = struct.pack('<II', 0x100, len(p))
open(sys.argv[2], 'wb').write(bytes(h) + p)
PY
}
for s in linux-both linux-sections; do
    cp "$seeds/$s" "$out/$s.elf"
    size=$(stat -c %s "$seeds/$s")
    trailer=$(python3 -c "import struct,sys; sys.stdout.buffer.write(struct.pack('<I', $size))" | od -An -tx1 | tr -d ' \n')
    for c in gzip xz lzma zstd bzip2; do
        case $c in
            gzip) gzip -9nc "$seeds/$s" > "$out/$s.$c" ;;
            xz) xz -9 --check=crc32 -c "$seeds/$s" > "$out/$s.$c" ;;
            lzma) xz --format=lzma -9 -c "$seeds/$s" > "$out/$s.$c" ;;
            zstd) zstd -q -19 -c "$seeds/$s" > "$out/$s.$c" ;;
            bzip2) bzip2 -9c "$seeds/$s" > "$out/$s.$c" ;;
        esac
        cp "$out/$s.$c" "$out/payload.tmp"
        printf "$(echo "$trailer" | sed 's/../\\x&/g')" >> "$out/payload.tmp"
        bzimage "$out/payload.tmp" "$out/$s.bzimage-$c"
    done
done
rm -f "$out/payload.tmp"
