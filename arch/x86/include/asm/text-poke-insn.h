/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_X86_TEXT_POKE_INSN_H
#define _ASM_X86_TEXT_POKE_INSN_H
/*
 * What x86 text patching decides from instruction bytes, as one interface:
 *
 *   text_poke_sc_check()  may a static call site or trampoline hold these bytes
 *   text_poke_sc_patch()  what to write at a static call site for a new target
 *   text_poke_classify()  how smp_text_poke_batch_add() records an instruction
 *   text_poke_emulate()   what the INT3 handler does for a CPU that hit it
 *   text_poke_cond()      whether condition code cc (0-15: the low nibble of
 *                         a Jcc, SETcc or CMOVcc opcode) holds for flags
 *
 * The callers write text, synchronise CPUs and apply the emulation to the
 * registers; these functions only read bytes and compute.
 *
 * There are two implementations: the C one in <asm/text-poke-insn-c.h>,
 * and the Rust text_poke crate (rust/text_poke/, C entry points in
 * arch/x86/kernel/text_poke_ffi.rs) with CONFIG_X86_TEXT_POKE_RUST. This
 * header is the one place that picks. Callers of the static call and
 * text_poke decisions include <asm/text-poke-insn-c.h> too: it holds the C
 * implementation, and the kernel state that text_poke_sc_patch() needs
 * besides the bytes.
 */
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>

/* What a static call site becomes; see __sc_insn(). */
enum text_poke_sc_type {
	TEXT_POKE_SC_CALL = 0,	/* site call */
	TEXT_POKE_SC_NOP = 1,	/* site cond-call */
	TEXT_POKE_SC_JMP = 2,	/* tramp / site tail-call */
	TEXT_POKE_SC_RET = 3,	/* tramp / site cond-tail-call */
};

/* What text_poke_sc_check() examined, for the report of a bad site. */
struct text_poke_sc_site {
	const char *expected;	/* the forms allowed there */
	unsigned int len;	/* bytes examined */
};

/* What text_poke_sc_patch() decided to write. */
struct text_poke_sc_patch {
	const u8 *code;		/* the new instruction, @len bytes */
	const u8 *emulate;	/* what INT3 emulates while writing; NULL: @code */
	int len;
	u8 buf[6];		/* room for @code and @emulate where computed */
	u8 ebuf[6];
};

/*
 * What text_poke_sc_patch() needs to know besides the site's bytes, filled
 * by text_poke_sc_env(); 0 means "none". @func is call-thunk translated.
 */
struct text_poke_sc_env {
	unsigned long func;
	unsigned long ret0;		/* __static_call_return0: xor, CS prefixed */
	unsigned long warn;		/* __WARN_trap: ud1 (%edx),%rdi */
	unsigned long unlock;		/* native unlock: movb $0,(%rdi), DS prefixed */
	unsigned long ret;		/* __static_call_return */
	unsigned long rethunk_at;	/* x86_return_thunk if wanted here */
	unsigned long rethunk;		/* x86_return_thunk if wanted at all */
};

/* What the INT3 handler does; see text_poke_emulate(). */
enum text_poke_action {
	TEXT_POKE_PASS,		/* an explicit INT3: not ours */
	TEXT_POKE_JMP,		/* continue at @target */
	TEXT_POKE_CALL,		/* push the return address, continue at @target */
	TEXT_POKE_RET,		/* pop the return address and continue there */
	TEXT_POKE_INVALID,	/* a corrupt entry: the caller BUG()s */
};

struct text_poke_emu {
	unsigned long target;
	int action;
};

#ifdef CONFIG_X86_TEXT_POKE_RUST

/* The layouts that arch/x86/kernel/text_poke_ffi.rs asserts on its side. */
static_assert(sizeof(struct text_poke_sc_site) == 16 &&
	      offsetof(struct text_poke_sc_site, len) == 8);
static_assert(sizeof(struct text_poke_sc_env) == 56 &&
	      offsetof(struct text_poke_sc_env, warn) == 16 &&
	      offsetof(struct text_poke_sc_env, ret) == 32 &&
	      offsetof(struct text_poke_sc_env, rethunk) == 48);
static_assert(sizeof(struct text_poke_sc_patch) == 32 &&
	      offsetof(struct text_poke_sc_patch, len) == 16 &&
	      offsetof(struct text_poke_sc_patch, buf) == 20 &&
	      offsetof(struct text_poke_sc_patch, ebuf) == 26);
static_assert(sizeof(struct text_poke_emu) == 16 &&
	      offsetof(struct text_poke_emu, action) == 8);

/* @insn: 8 readable bytes for a trampoline, 6 for a Jcc.d32 site, else 5. */
int text_poke_sc_check(const u8 *insn, bool tail, bool tramp,
		       struct text_poke_sc_site *site);
/* 0, -EINVAL (unknown site or type) or -ERANGE; nothing filled on error. */
int text_poke_rs_sc_patch(const u8 *insn, unsigned int type,
			  const struct text_poke_sc_env *env,
			  struct text_poke_sc_patch *p);
#define text_poke_sc_patch(insn, type, func, p)				\
({									\
	const u8 *__tp_insn = (insn);					\
	unsigned int __tp_type = (type);				\
	struct text_poke_sc_env __env;					\
									\
	text_poke_sc_env(&__env, __tp_insn, __tp_type, func);		\
	text_poke_rs_sc_patch(__tp_insn, __tp_type, &__env, p);		\
})
int text_poke_classify(const u8 *text, const u8 *emulate, unsigned int len,
		       u8 *opcode, s32 *disp);
/* Both in .noinstr.text: the INT3 handler and kprobes call them. */
struct text_poke_emu text_poke_emulate(u8 opcode, u8 len, s32 disp,
				       unsigned long ip, unsigned long flags);
bool text_poke_cond(unsigned long flags, u8 cc);

#ifdef CONFIG_X86_TEXT_POKE_RUST_KUNIT_TEST
/* The test's count of traps that text_poke_emulate() resolved. */
void text_poke_rs_count_trap(void);
unsigned long text_poke_rs_traps(void);
#endif

#else /* !CONFIG_X86_TEXT_POKE_RUST */

#define text_poke_sc_check(...)	text_poke_c_sc_check(__VA_ARGS__)
#define text_poke_sc_patch(...)	text_poke_c_sc_patch(__VA_ARGS__)
#define text_poke_classify(...)	text_poke_c_classify(__VA_ARGS__)
#define text_poke_emulate(...)	text_poke_c_emulate(__VA_ARGS__)
#define text_poke_cond(...)	__emulate_cc(__VA_ARGS__)

#endif /* CONFIG_X86_TEXT_POKE_RUST */

#endif /* _ASM_X86_TEXT_POKE_INSN_H */
