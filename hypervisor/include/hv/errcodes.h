/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Error numbers returned by hypervisor functions and hypercalls (as negative
 * values). The numbers are the Linux x86 ones, which Xen's public errno.h
 * uses too, so a PV guest can hand them straight to its own code.
 *
 * Include this as "errno.h" so that host builds of the same sources (which
 * put hypervisor/include on the quote path only) still see the C library's
 * <errno.h> where they ask for it.
 */
#ifndef LAMINA_HV_ERRNO_H
#define LAMINA_HV_ERRNO_H

#define EPERM      1
#define ENOENT     2
#define ESRCH      3
#define EINTR      4
#define EIO        5
#define ENXIO      6
#define E2BIG      7
#define ENOEXEC    8
#define EBADF      9
#define EAGAIN     11
#define ENOMEM     12
#define EACCES     13
#define EFAULT     14
#define EBUSY      16
#define EEXIST     17
#define EXDEV      18
#define ENODEV     19
#define EINVAL     22
#define ENFILE     23
#define EMFILE     24
#define ENOSPC     28
#define EDOM       33
#define ERANGE     34
#define ENOSYS     38
#define ENODATA    61
#define ETIME      62
#define EOVERFLOW  75
#define ERESTART   85
#define EOPNOTSUPP 95
#define ETIMEDOUT  110
#define EALREADY   114

#endif
