/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: call depth tracking off, as in a kernel without it. */
static inline void *callthunks_translate_call_dest(void *dest)
{
	return dest;
}
