/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: the registers that <asm/text-patching.h> emulates with, and the tree's flags. */
#ifndef TP_SHIM_PTRACE_H
#define TP_SHIM_PTRACE_H
#include <uapi/asm/processor-flags.h>

struct pt_regs {
	unsigned long ip, sp, flags;
};
#endif
