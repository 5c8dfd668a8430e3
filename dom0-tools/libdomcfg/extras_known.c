/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Elements libvirt's domain schema accepts that Lamina does not model. The parser keeps them
 * verbatim (with a warning) so that formatting back never loses what a user wrote; anything
 * neither Lamina nor libvirt knows is an error, since it is most likely a typo.
 */
#include "domcfg_internal.h"

#include <string.h>

struct known_children {
    const char *parent;
    const char *const *names;
};

static const char *const under_domain[] = {
    "metadata",  "maxMemory",   "blkiotune",       "memtune",        "memoryBacking",
    "iothreads", "iothreadids", "defaultiothread", "numatune",       "resource",
    "sysinfo",   "bootloader",  "bootloader_args", "idmap",          "features",
    "cpu",       "pm",          "seclabel",        "keywrap",        "perf",
    "genid",     "vcpus",       "launchSecurity",  "on_lockfailure", "throttlegroups",
    NULL,
};

static const char *const under_devices[] = {
    "emulator",    "graphics", "video", "input",  "sound",    "hostdev",    "serial",
    "parallel",    "channel",  "rng",   "tpm",    "watchdog", "smartcard",  "redirdev",
    "redirfilter", "hub",      "panic", "shmem",  "memory",   "iommu",      "vsock",
    "filesystem",  "lease",    "audio", "crypto", "pstore",   "controller", NULL,
};

static const char *const under_os[] = {
    "boot", "bootmenu", "loader",  "nvram",   "smbios",   "bios",      "dtb",      "acpi",
    "init", "initarg",  "initenv", "initdir", "inituser", "initgroup", "firmware", NULL,
};

static const char *const under_disk[] = {
    "serial", "wwn",          "vendor",          "product",   "address", "boot",
    "alias",  "iotune",       "encryption",      "geometry",  "blockio", "auth",
    "mirror", "backingStore", "throttlefilters", "transient", NULL,
};

static const char *const under_interface[] = {
    "model",  "target",      "address",   "boot",        "alias",     "ip",       "route", "guest",
    "link",   "mtu",         "bandwidth", "virtualport", "filterref", "coalesce", "rom",   "tune",
    "driver", "portForward", "teaming",   "acpi",        "port",      NULL,
};

static const char *const under_console[] = {"alias", "address", "log", "source", NULL};

static const char *const under_clock[] = {"timer", NULL};

static const char *const under_cputune[] = {
    "shares",
    "period",
    "quota",
    "global_period",
    "global_quota",
    "emulator_period",
    "emulator_quota",
    "iothread_period",
    "iothread_quota",
    "emulatorpin",
    "iothreadpin",
    "vcpusched",
    "iothreadsched",
    "emulatorsched",
    "cachetune",
    "memorytune",
    NULL,
};

static const char *const under_device_common[] = {"alias", "address", "driver", "stats", NULL};

static const struct known_children known[] = {
    {"domain", under_domain},
    {"devices", under_devices},
    {"os", under_os},
    {"disk", under_disk},
    {"interface", under_interface},
    {"console", under_console},
    {"clock", under_clock},
    {"cputune", under_cputune},
    {"controller", under_device_common},
    {"memballoon", under_device_common},
};

bool domcfg_libvirt_knows(const char *parent, const char *name)
{
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcmp(known[i].parent, parent) != 0)
            continue;
        for (const char *const *n = known[i].names; *n; n++) {
            if (strcmp(*n, name) == 0)
                return true;
        }
        return false;
    }
    return false;
}
