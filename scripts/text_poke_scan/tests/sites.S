/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Static call sites as objtool records them, for the scanner's tests: a
 * call, a tail call, a conditional tail call and, when BAD is defined, a
 * tail-call site holding an instruction the patcher cannot handle.
 */
	.text
	.globl f_call, f_tail, f_jcc, f_bad
	.type f_call, @function
f_call:	call __SCT__key_a
	ret
	.size f_call, . - f_call
	.type f_tail, @function
f_tail:	jmp __SCT__key_a
	.size f_tail, . - f_tail
	.type f_jcc, @function
f_jcc:	testq %rdi, %rdi
1:	{disp32} jne __SCT__key_b
	ret
	.size f_jcc, . - f_jcc
#ifdef BAD
	.type f_bad, @function
f_bad:	nop
2:	jmp *%rax
	.size f_bad, . - f_bad
#endif

	.section .static_call_sites, "aw"
	.long f_call - .
	.long __SCK__key_a - .
	.long f_tail - .
	.long __SCK__key_a - . + 1
	.long 1b - .
	.long __SCK__key_b - . + 1
#ifdef BAD
	.long 2b - .
	.long __SCK__key_a - . + 1
#endif
