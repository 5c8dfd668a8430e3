/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The typed model of a domain: what the parser produces, the defaults and validate passes
 * work on, and the formatters write. Enum values have string tables in domcfg_enums.h.
 * Every element that came from a file records its line for error messages (0 = not from a
 * file, e.g. filled by the defaults pass or read from xl.cfg).
 */
#ifndef DOMCFG_TYPES_H
#define DOMCFG_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DOMCFG_NAME_MAX  64   /* domain names: also a store file name and a store key */
#define DOMCFG_MAX_VCPUS 512  /* Xen's limit for a PV guest */
#define DOMCFG_MAX_CPUS  1024 /* physical CPUs a cpuset can name */

struct domcfg_cpuset {
    uint64_t bits[DOMCFG_MAX_CPUS / 64];
};

/* Elements libvirt knows that Lamina does not model: kept as serialized XML and written back
 * at the end of the element they were found in. */
struct domcfg_extras {
    char **xml;
    size_t count;
};

enum domcfg_os_type { DOMCFG_OS_LINUX, DOMCFG_OS_XEN };

enum domcfg_lifecycle {
    DOMCFG_LIFECYCLE_UNSET,
    DOMCFG_LIFECYCLE_DESTROY,
    DOMCFG_LIFECYCLE_RESTART,
    DOMCFG_LIFECYCLE_PRESERVE,
    DOMCFG_LIFECYCLE_RENAME_RESTART,
    DOMCFG_LIFECYCLE_COREDUMP_DESTROY,
    DOMCFG_LIFECYCLE_COREDUMP_RESTART,
};

enum domcfg_placement { DOMCFG_PLACEMENT_STATIC, DOMCFG_PLACEMENT_AUTO };

enum domcfg_clock_offset {
    DOMCFG_CLOCK_UTC,
    DOMCFG_CLOCK_LOCALTIME,
    DOMCFG_CLOCK_TIMEZONE,
    DOMCFG_CLOCK_VARIABLE,
};

enum domcfg_disk_type { DOMCFG_DISK_FILE, DOMCFG_DISK_BLOCK };
enum domcfg_disk_device { DOMCFG_DEVICE_DISK, DOMCFG_DEVICE_CDROM };

enum domcfg_disk_driver {
    DOMCFG_DRIVER_UNSET,
    DOMCFG_DRIVER_PHY,
    DOMCFG_DRIVER_FILE,
    DOMCFG_DRIVER_QEMU,
    DOMCFG_DRIVER_TAP,
    DOMCFG_DRIVER_TAP2,
    DOMCFG_DRIVER_LAMINA, /* Lamina's user-space backend, named as such */
};

enum domcfg_disk_format {
    DOMCFG_FORMAT_UNSET,
    DOMCFG_FORMAT_RAW,
    DOMCFG_FORMAT_QCOW,
    DOMCFG_FORMAT_QCOW2,
    DOMCFG_FORMAT_VHD,
};

enum domcfg_net_type { DOMCFG_NET_BRIDGE, DOMCFG_NET_ETHERNET };

enum domcfg_balloon_model { DOMCFG_BALLOON_XEN, DOMCFG_BALLOON_NONE };

struct domcfg_disk {
    int line;
    enum domcfg_disk_type type;
    enum domcfg_disk_device device;
    enum domcfg_disk_driver driver;
    enum domcfg_disk_format format;
    char *source; /* file path or block device; NULL for an empty cdrom */
    char *target; /* "xvda" */
    bool readonly;
    bool shareable;
    char *backend; /* backend domain name; NULL = dom0 */
    struct domcfg_extras extras;
};

struct domcfg_interface {
    int line;
    enum domcfg_net_type type;
    bool has_mac;
    uint8_t mac[6];
    char *bridge;
    char *script;
    int vlan_tag; /* -1 when none */
    char *backend;
    struct domcfg_extras extras;
};

struct domcfg_console {
    int line;
    int port;
    struct domcfg_extras extras;
};

struct domcfg_vcpupin {
    int line;
    unsigned vcpu;
    struct domcfg_cpuset cpuset;
};

struct domcfg_domain {
    char *source; /* where it came from, for messages */
    char *name;
    int name_line;
    bool has_uuid;
    uint8_t uuid[16];
    char *title;
    char *description;

    uint64_t memory_kib;         /* <memory>: the ceiling */
    uint64_t current_memory_kib; /* <currentMemory>: the balloon target; 0 = unset */
    int memory_line, current_memory_line;

    unsigned vcpus;         /* maximum */
    unsigned vcpus_current; /* 0 = unset (all online) */
    enum domcfg_placement placement;
    bool has_cpuset;
    struct domcfg_cpuset cpuset;
    int vcpu_line;

    struct domcfg_vcpupin *pins;
    size_t npins;
    struct domcfg_extras cputune_extras;
    bool has_cputune;

    enum domcfg_os_type os_type;
    bool has_machine; /* machine='xenpv' written */
    char *kernel;
    char *initrd;
    char *cmdline;
    int os_line;
    struct domcfg_extras os_extras;

    enum domcfg_lifecycle on_poweroff, on_reboot, on_crash;

    bool has_clock;
    enum domcfg_clock_offset clock_offset;
    long long clock_adjustment; /* seconds, for offset='variable' */
    bool clock_basis_localtime; /* basis='localtime' for offset='variable' */
    char *clock_timezone;       /* for offset='timezone' */
    struct domcfg_extras clock_extras;

    struct domcfg_disk *disks;
    size_t ndisks;
    struct domcfg_interface *nics;
    size_t nnics;
    struct domcfg_console *consoles;
    size_t nconsoles;

    bool has_xenbus;
    int xenbus_line;
    unsigned max_grant_frames;   /* 0 = hypervisor default */
    unsigned max_event_channels; /* 0 = hypervisor default */
    struct domcfg_extras xenbus_extras;

    bool has_memballoon;
    enum domcfg_balloon_model balloon;
    struct domcfg_extras balloon_extras;

    struct domcfg_extras extras;         /* under <domain> */
    struct domcfg_extras devices_extras; /* under <devices> */
};

#endif
