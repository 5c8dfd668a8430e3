/* SPDX-License-Identifier: GPL-2.0-only */
/* The string spelling of every enum in the model, one table each, shared by all passes. */
#include "domcfg_internal.h"

#include <stdio.h>
#include <string.h>

const struct domcfg_enum_name domcfg_lifecycle_names[] = {
    {DOMCFG_LIFECYCLE_DESTROY, "destroy"},
    {DOMCFG_LIFECYCLE_RESTART, "restart"},
    {DOMCFG_LIFECYCLE_PRESERVE, "preserve"},
    {DOMCFG_LIFECYCLE_RENAME_RESTART, "rename-restart"},
    {DOMCFG_LIFECYCLE_COREDUMP_DESTROY, "coredump-destroy"},
    {DOMCFG_LIFECYCLE_COREDUMP_RESTART, "coredump-restart"},
    {0, NULL},
};

const struct domcfg_enum_name domcfg_placement_names[] = {
    {DOMCFG_PLACEMENT_STATIC, "static"},
    {DOMCFG_PLACEMENT_AUTO, "auto"},
    {0, NULL},
};

const struct domcfg_enum_name domcfg_clock_names[] = {
    {DOMCFG_CLOCK_UTC, "utc"},
    {DOMCFG_CLOCK_LOCALTIME, "localtime"},
    {DOMCFG_CLOCK_TIMEZONE, "timezone"},
    {DOMCFG_CLOCK_VARIABLE, "variable"},
    {0, NULL},
};

const struct domcfg_enum_name domcfg_os_type_names[] = {
    {DOMCFG_OS_LINUX, "linux"},
    {DOMCFG_OS_XEN, "xen"},
    {0, NULL},
};

const struct domcfg_enum_name domcfg_disk_type_names[] = {
    {DOMCFG_DISK_FILE, "file"},
    {DOMCFG_DISK_BLOCK, "block"},
    {0, NULL},
};

const struct domcfg_enum_name domcfg_disk_device_names[] = {
    {DOMCFG_DEVICE_DISK, "disk"},
    {DOMCFG_DEVICE_CDROM, "cdrom"},
    {0, NULL},
};

const struct domcfg_enum_name domcfg_driver_names[] = {
    {DOMCFG_DRIVER_PHY, "phy"},
    {DOMCFG_DRIVER_FILE, "file"},
    {DOMCFG_DRIVER_QEMU, "qemu"},
    {DOMCFG_DRIVER_TAP, "tap"},
    {DOMCFG_DRIVER_TAP2, "tap2"},
    {DOMCFG_DRIVER_LAMINA, "lamina"},
    {0, NULL},
};

const struct domcfg_enum_name domcfg_format_names[] = {
    {DOMCFG_FORMAT_RAW, "raw"},
    {DOMCFG_FORMAT_QCOW, "qcow"},
    {DOMCFG_FORMAT_QCOW2, "qcow2"},
    {DOMCFG_FORMAT_VHD, "vhd"},
    {0, NULL},
};

const struct domcfg_enum_name domcfg_net_type_names[] = {
    {DOMCFG_NET_BRIDGE, "bridge"},
    {DOMCFG_NET_ETHERNET, "ethernet"},
    {0, NULL},
};

const struct domcfg_enum_name domcfg_balloon_names[] = {
    {DOMCFG_BALLOON_XEN, "xen"},
    {DOMCFG_BALLOON_NONE, "none"},
    {0, NULL},
};

int domcfg_enum_parse(const struct domcfg_enum_name *table, const char *name)
{
    for (; table->name; table++) {
        if (strcmp(table->name, name) == 0)
            return table->value;
    }
    return -1;
}

const char *domcfg_enum_name(const struct domcfg_enum_name *table, int value)
{
    for (; table->name; table++) {
        if (table->value == value)
            return table->name;
    }
    return "?";
}

const char *domcfg_enum_list(const struct domcfg_enum_name *table, char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (; table->name && used < len; table++) {
        int n = snprintf(buf + used, len - used, "%s'%s'", used ? ", " : "", table->name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return buf;
}
