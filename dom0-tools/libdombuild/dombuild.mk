# SPDX-License-Identifier: GPL-2.0-only
# What a program linking libdombuild.a needs besides it: the decompression libraries.
DOMBUILD_LDLIBS := -lz -llzma -lzstd -lbz2
