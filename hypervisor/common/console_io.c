/* SPDX-License-Identifier: GPL-2.0-only */
/* console_io: guest console output into the hypervisor console, and (dom0) input. */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errcodes.h>
#include <asm/guest_access.h>
#include <lamina/console.h>
#include <hypervisor/hypercall-handlers.h>

#define CONSOLE_IO_MAX_WRITE (16 * 1024) /* per call; longer writes return a short count */

long hc_console_io(int cmd, unsigned int count, guest_ptr_t buffer)
{
    struct domain *d = current_domain();
    char chunk[128];

    switch (cmd) {
    case LAM_CONSOLEIO_write: {
        unsigned int done = 0;
        if (count > CONSOLE_IO_MAX_WRITE)
            count = CONSOLE_IO_MAX_WRITE;
        while (done < count) {
            unsigned int n = count - done < sizeof(chunk) ? count - done : sizeof(chunk);
            if (copy_from_guest(chunk, buffer + done, n))
                return -EFAULT;
            console_guest_write(d->domain_id, chunk, n);
            done += n;
        }
        return 0;
    }
    case LAM_CONSOLEIO_read: {
        if (!d->is_privileged)
            return -EPERM;
        char in[128];
        size_t n = console_input_read(in, count < sizeof(in) ? count : sizeof(in));
        if (n && copy_to_guest(buffer, in, n))
            return -EFAULT;
        return (long)n;
    }
    default:
        return -ENOSYS;
    }
}
