/* SPDX-License-Identifier: GPL-2.0-only */
/* Disk names to the virtual-device numbers the frontend directory is named after. */
#include <errno.h>
#include <string.h>

#include "dombuild.h"

long dombuild_disk_devid(const char *t)
{
    if (!t || strncmp(t, "xvd", 3) != 0)
        return -EINVAL;
    t += 3;
    /* Letters in bijective base 26: a = 0, z = 25, aa = 26, ... */
    long disk = 0;
    int letters = 0;
    for (; *t >= 'a' && *t <= 'z'; t++, letters++) {
        if (letters == 3)
            return -EINVAL;
        disk = disk * 26 + (*t - 'a' + 1);
    }
    if (!letters)
        return -EINVAL;
    disk -= 1;
    long part = 0;
    int digits = 0;
    for (; *t >= '0' && *t <= '9'; t++, digits++) {
        if (digits == 3 || (digits == 0 && *t == '0'))
            return -EINVAL;
        part = part * 10 + (*t - '0');
    }
    if (*t || part > 255)
        return -EINVAL;
    if (disk < 16 && part < 16)
        return (202L << 8) | (disk << 4) | part;
    return (1L << 28) | (disk << 8) | part;
}
