/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: the C seam prints only before it BUG()s. */
#define pr_err(...)	((void)0)
