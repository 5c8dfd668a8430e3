/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The lam command table. Adding a command is one line in LAM_COMMAND_LIST: X(foo) refers to
 * `const struct lam_command lam_cmd_foo`, defined in cmd_foo.c (the Makefile builds every
 * cmd_*.c). Order here is the order of `lam help`.
 */
#include "lam.h"

#define LAM_COMMAND_LIST(X)                                                                        \
    X(help)                                                                                        \
    X(validate)                                                                                    \
    X(dumpxml)                                                                                     \
    X(convert)                                                                                     \
    X(define)                                                                                      \
    X(undefine)                                                                                    \
    X(start)                                                                                       \
    X(autostart)                                                                                   \
    X(list)                                                                                        \
    X(create)                                                                                      \
    X(info)                                                                                        \
    X(top)                                                                                         \
    X(shutdown)                                                                                    \
    X(reboot)                                                                                      \
    X(destroy)                                                                                     \
    X(monitor)                                                                                     \
    X(mem_set)                                                                                     \
    X(mem_max)                                                                                     \
    X(vcpu_set)                                                                                    \
    X(attach_disk)                                                                                 \
    X(detach_disk)                                                                                 \
    X(sysrq)                                                                                       \
    X(pause)                                                                                       \
    X(unpause)                                                                                     \
    X(sched_credit)                                                                                \
    X(vcpu_list)                                                                                   \
    X(vcpu_pin)                                                                                    \
    X(store)                                                                                       \
    X(console)                                                                                     \
    X(dmesg)                                                                                       \
    X(completion)

#define LAM_DECLARE(name) extern const struct lam_command lam_cmd_##name;
#define LAM_ENTRY(name)   &lam_cmd_##name,

LAM_COMMAND_LIST(LAM_DECLARE)

const struct lam_command *const lam_commands[] = {LAM_COMMAND_LIST(LAM_ENTRY) NULL};
