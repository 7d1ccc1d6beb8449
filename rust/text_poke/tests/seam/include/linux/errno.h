/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim: the errno values that the C decisions return. Not <errno.h>:
 * the C library's reaches <linux/errno.h> again, which is this file.
 */
#ifndef TP_SHIM_ERRNO_H
#define TP_SHIM_ERRNO_H
#define EINVAL	22
#define ERANGE	34
#endif
