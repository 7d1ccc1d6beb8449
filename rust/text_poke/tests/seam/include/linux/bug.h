/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: BUG() ends the bench, which never feeds the C code what it BUG()s on. */
#ifndef TP_SHIM_BUG_H
#define TP_SHIM_BUG_H
#include <stdlib.h>
#define BUG()		abort()
#define BUG_ON(c)	do { if (c) abort(); } while (0)
#endif
