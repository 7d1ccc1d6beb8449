/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_X86_TEXT_POKE_RS_H
#define _ASM_X86_TEXT_POKE_RS_H
/*
 * The C side of the Rust text_poke crate (rust/text_poke/, entry points in
 * arch/x86/kernel/text_poke_ffi.rs): decoding, encoding and INT3 emulation of
 * the instruction forms that static calls and text_poke_bp() patch. Rust only
 * reads instruction bytes and computes; C writes text and syncs CPUs.
 */
#include <linux/types.h>

/* What a static call site holds; see text_poke_rs_sc_check(). */
struct text_poke_rs_site {
	const char *expected;	/* the forms allowed there, for messages */
	const char *jcc;	/* mnemonic of a Jcc.d32 tail call, else NULL */
	unsigned long target;	/* its branch target (the key's trampoline at boot) */
	unsigned int len;	/* bytes examined */
};

/* What static_call.c knows and the site's bytes do not tell. */
struct text_poke_rs_sc_env {
	unsigned long func;	  /* new target, call-thunk translated; 0: none */
	unsigned long ret0;	  /* __static_call_return0 */
	unsigned long ret;	  /* __static_call_return */
	unsigned long rethunk_at; /* x86_return_thunk if wanted here, else 0 */
	unsigned long rethunk;	  /* x86_return_thunk if wanted at all, else 0 */
};

struct text_poke_rs_patch {
	u8 code[6];
	u8 len;
	u8 emulate_len;		/* 0: emulate @code itself */
	u8 emulate[6];
};

enum text_poke_rs_action {
	TP_RS_PASS,		/* an explicit INT3: not ours */
	TP_RS_JMP,		/* continue at @target */
	TP_RS_CALL,		/* push the return address, continue at @target */
	TP_RS_RET,		/* pop and continue there */
	TP_RS_INVALID,		/* corrupt text_poke_loc */
};

struct text_poke_rs_emu {
	unsigned long target;
	int action;
};

/* @insn: 8 readable bytes for a trampoline, 6 for a 0x0f site, else 5. */
int text_poke_rs_sc_check(const u8 *insn, bool tail, bool tramp,
			  struct text_poke_rs_site *site);
/* 0, -EINVAL (unknown site or type) or -ERANGE; nothing written on error. */
int text_poke_rs_sc_transform(const u8 *insn, unsigned int type,
			      const struct text_poke_rs_sc_env *env,
			      struct text_poke_rs_patch *patch);
int text_poke_rs_loc_init(const u8 *text, const u8 *emulate, unsigned int len,
			  u8 *opcode, s32 *disp);
/* Both in .noinstr.text: callable from the INT3 handler and kprobes. */
struct text_poke_rs_emu text_poke_rs_emulate(u8 opcode, u8 len, s32 disp,
					     unsigned long addr,
					     unsigned long flags);
bool text_poke_rs_cond(u8 cc, unsigned long flags);
/* INT3 traps that text_poke_rs_emulate() resolved since boot. */
extern atomic64_t text_poke_rs_traps;

#endif /* _ASM_X86_TEXT_POKE_RS_H */
