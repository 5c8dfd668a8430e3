/* SPDX-License-Identifier: MIT */
/*
 * lamina/errno.h - error numbers returned by hypercalls.
 *
 * A hypercall returns a long in RAX; a negative value is -LAM_Exxx. The values
 * are Xen's (xen/include/public/errno.h), which are identical to the Linux x86
 * errno values, so a Linux guest can pass them through unchanged.
 */
#ifndef LAMINA_ERRNO_H
#define LAMINA_ERRNO_H

#define LAM_EPERM         1 /* operation not permitted (e.g. not the control domain) */
#define LAM_ENOENT        2 /* no such entry (vCPU, port, store node, ...) */
#define LAM_ESRCH         3 /* no such domain */
#define LAM_EINTR         4
#define LAM_EIO           5
#define LAM_ENXIO         6
#define LAM_E2BIG         7
#define LAM_ENOEXEC       8
#define LAM_EBADF         9
#define LAM_ECHILD        10
#define LAM_EAGAIN        11 /* try again (also: resource temporarily busy) */
#define LAM_EWOULDBLOCK   LAM_EAGAIN
#define LAM_ENOMEM        12
#define LAM_EACCES        13
#define LAM_EFAULT        14 /* a guest address could not be read or written */
#define LAM_EBUSY         16
#define LAM_EEXIST        17
#define LAM_EXDEV         18
#define LAM_ENODEV        19
#define LAM_EISDIR        21
#define LAM_EINVAL        22 /* bad argument value */
#define LAM_ENFILE        23
#define LAM_EMFILE        24
#define LAM_ENOSPC        28
#define LAM_EROFS         30
#define LAM_EMLINK        31
#define LAM_EDOM          33
#define LAM_ERANGE        34
#define LAM_EDEADLK       35
#define LAM_ENAMETOOLONG  36
#define LAM_ENOLCK        37
#define LAM_ENOSYS        38 /* unknown hypercall or sub-operation */
#define LAM_ENOTEMPTY     39
#define LAM_ENODATA       61
#define LAM_ETIME         62 /* timer deadline already passed */
#define LAM_EBADMSG       74
#define LAM_EOVERFLOW     75
#define LAM_EILSEQ        84
#define LAM_ERESTART      85 /* internal: the hypercall will be continued */
#define LAM_ENOTSOCK      88
#define LAM_EMSGSIZE      90
#define LAM_EOPNOTSUPP    95
#define LAM_EADDRINUSE    98
#define LAM_EADDRNOTAVAIL 99
#define LAM_ENOBUFS       105
#define LAM_EISCONN       106
#define LAM_ENOTCONN      107
#define LAM_ETIMEDOUT     110
#define LAM_ECONNREFUSED  111

#endif /* LAMINA_ERRNO_H */
