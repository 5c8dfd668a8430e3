/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared helpers of the decoder tests; see tool_io.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "tool_io.h"

static char tmpdir[64];

int tool_tmpdir_setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/lamina-unit-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

int tool_tmpdir_teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

const char *tool_tmpdir(void)
{
    return tmpdir;
}

uint8_t *read_whole(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc(n ? (size_t)n : 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

void write_whole(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

uint8_t *filter_tool(const char *cmd, const void *data, size_t len, size_t *out_len)
{
    char in[128], out[128], line[1024];

    snprintf(in, sizeof(in), "%s/in", tmpdir);
    snprintf(out, sizeof(out), "%s/out", tmpdir);
    write_whole(in, data, len);
    snprintf(line, sizeof(line), "%s < %s > %s", cmd, in, out);
    assert_int_equal(system(line), 0);
    return read_whole(out, out_len);
}
