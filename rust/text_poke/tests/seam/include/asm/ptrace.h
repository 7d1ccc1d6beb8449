/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: the registers and flags that <asm/text-patching.h> emulates with. */
#ifndef TP_SHIM_PTRACE_H
#define TP_SHIM_PTRACE_H
struct pt_regs {
	unsigned long ip, sp, flags;
};

#define X86_EFLAGS_CF		0x0001UL
#define X86_EFLAGS_PF		0x0004UL
#define X86_EFLAGS_ZF		0x0040UL
#define X86_EFLAGS_SF_BIT	7
#define X86_EFLAGS_SF		0x0080UL
#define X86_EFLAGS_OF_BIT	11
#define X86_EFLAGS_OF		0x0800UL
#endif
