/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: the targets that the C seam patches specially (seam.c has them). */
long __static_call_return0(void);
void __WARN_trap(void);
