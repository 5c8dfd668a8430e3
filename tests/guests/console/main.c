/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Console output: console_io(write) of short, empty and long buffers succeeds,
 * and start_info looks like what a builder must provide to a control domain.
 */
#include <lamina/console.h>

#include "lam.h"

const char lam_test_title[] = "console output and start_info";

void test_main(void)
{
    static const char line[] = "console: hello from a Lamina test kernel\n";
    long rc = hypercall_console_io(LAM_CONSOLEIO_write, sizeof(line) - 1, (void *)line);
    LAM_CHECK(rc == 0, "console_io(write) returned %ld", rc);

    rc = hypercall_console_io(LAM_CONSOLEIO_write, 0, (void *)line);
    LAM_CHECK(rc == 0, "console_io(write, 0 bytes) returned %ld", rc);

    /* A long line in one call: the hypervisor must copy all of it. */
    static char big[1500];
    for (unsigned i = 0; i < sizeof(big) - 1; i++)
        big[i] = (char)('a' + i % 26);
    big[sizeof(big) - 1] = '\n';
    rc = hypercall_console_io(LAM_CONSOLEIO_write, sizeof(big), big);
    LAM_CHECK(rc == 0, "console_io(write, %u bytes) returned %ld", (unsigned)sizeof(big), rc);

    const struct lam_start_info *si = lam_start_info;
    lam_printf("start_info: nr_pages %lu flags %x pt_base %lx nr_pt_frames %lu mfn_list %lx\n",
               si->nr_pages, si->flags, si->pt_base, si->nr_pt_frames, si->mfn_list);
    LAM_CHECK(si->flags & LAM_SIF_INITDOMAIN, "start_info.flags lacks SIF_INITDOMAIN");
    LAM_CHECK(si->flags & LAM_SIF_PRIVILEGED, "start_info.flags lacks SIF_PRIVILEGED");
    LAM_CHECK(si->nr_pages > 0, "start_info.nr_pages is 0");
    LAM_CHECK(si->pt_base >= 0xffffffff80000000UL, "pt_base %lx outside the initial region",
              si->pt_base);
    LAM_CHECK(si->cmd_line[sizeof(si->cmd_line) - 1] == 0, "cmd_line not NUL-terminated");
    lam_printf("start_info: cmd_line \"%s\"\n", (const char *)si->cmd_line);
}
