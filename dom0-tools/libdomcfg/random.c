/* SPDX-License-Identifier: GPL-2.0-only */
/* Random bytes for UUIDs and MAC addresses. Tests swap in a deterministic source so golden
 * files can contain generated values. */
#include "domcfg_internal.h"

#include <errno.h>
#include <sys/random.h>

static domcfg_random_fn random_source;

void domcfg_set_random_source(domcfg_random_fn fn)
{
    random_source = fn;
}

int domcfg_random_bytes(void *buf, size_t len)
{
    if (random_source)
        return random_source(buf, len);
    unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

bool domcfg_random_is_default(void)
{
    return random_source == NULL;
}
