// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the text patching decisions of <asm/text-poke-insn.h> as
 * this kernel implements them, the Rust text_poke crate
 * (CONFIG_X86_TEXT_POKE_RUST), against the C implementation of
 * <asm/static_call_insn.h> and <asm/text-poke-insn-c.h>, built here beside
 * it as the oracle.
 *
 * The oracle runs only on inputs that the C code accepts: apart from the
 * static call site check, which reports, it BUG()s on the rest. Where the
 * crate deliberately differs (it refuses a form that C takes), the input is
 * in a named list and the test checks both sides of the difference.
 * Further references are the CPU itself (every Jcc, both
 * encodings, and every SETcc and CMOVcc, executed with every combination of
 * the status flags), kprobes, which emulates a probed Jcc through
 * int3_emulate_jcc(), and the static call sites of this kernel as
 * static_call_init() left them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/test.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/linkage.h>
#include <linux/memory.h>
#include <linux/static_call.h>
#include <linux/string.h>
#include <linux/string_choices.h>
#include <linux/unaligned.h>
#include <asm/ibt.h>
#include <asm/irqflags.h>
#include <asm/static_call_insn.h>
#include <asm/text-poke-insn-c.h>

#define TP_STATUS_FLAGS	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
			 X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_OF)
#define TP_FLAG_COMBOS	64	/* the six status flags */

static const char * const cc_name[16] = {
	"o", "no", "b", "ae", "e", "ne", "be", "a",
	"s", "ns", "p", "np", "l", "ge", "le", "g",
};

/* The status flags of combination @i (bit n of @i: n-th of CF PF AF ZF SF OF). */
static unsigned long combo_flags(unsigned int i)
{
	static const unsigned long bit[6] = {
		X86_EFLAGS_CF, X86_EFLAGS_PF, X86_EFLAGS_AF,
		X86_EFLAGS_ZF, X86_EFLAGS_SF, X86_EFLAGS_OF,
	};
	unsigned long flags = 0;
	unsigned int n;

	for (n = 0; n < ARRAY_SIZE(bit); n++)
		if (i & BIT(n))
			flags |= bit[n];
	return flags;
}

/*
 * Executes the instructions of condition @cc with the status flags @status,
 * everything else in EFLAGS as it is: Jcc rel8 (bit 0 of the result), Jcc
 * rel32 (bit 1), SETcc (bit 2) and CMOVcc (bit 3). The opcodes are spelled
 * out so that the assembler cannot choose.
 */
#define CPU_CC(cc)							\
static noinline unsigned int cpu_cc_##cc(unsigned long status)		\
{									\
	unsigned long fl = (native_save_fl() & ~TP_STATUS_FLAGS) | status; \
	unsigned int r8, r32, set, mov = 0, one = 1;			\
									\
	asm volatile("pushf\n\t"					\
		     "push %[fl]\n\t"					\
		     "popf\n\t"						\
		     ".byte 0x70 + " #cc ", 3f - 2f\n"			\
		     "2:\tmov $0, %[r8]\n\t"				\
		     "jmp 4f\n"						\
		     "3:\tmov $1, %[r8]\n"				\
		     "4:\t.byte 0x0f, 0x80 + " #cc "\n\t"		\
		     ".long 6f - 5f\n"					\
		     "5:\tmov $0, %[r32]\n\t"				\
		     "jmp 7f\n"						\
		     "6:\tmov $1, %[r32]\n"				\
		     "7:\t.byte 0x0f, 0x90 + " #cc ", 0xc1\n\t"	/* set %cl */ \
		     ".byte 0x0f, 0x40 + " #cc ", 0xc2\n\t"	/* cmov %edx, %eax */ \
		     "popf"						\
		     : [r8] "=&r" (r8), [r32] "=&r" (r32),		\
		       "=&c" (set), "+a" (mov)				\
		     : [fl] "r" (fl), "d" (one)				\
		     : "cc", "memory");					\
	return r8 | r32 << 1 | (set & 0xff) << 2 | mov << 3;		\
}

CPU_CC(0)  CPU_CC(1)  CPU_CC(2)  CPU_CC(3)
CPU_CC(4)  CPU_CC(5)  CPU_CC(6)  CPU_CC(7)
CPU_CC(8)  CPU_CC(9)  CPU_CC(10) CPU_CC(11)
CPU_CC(12) CPU_CC(13) CPU_CC(14) CPU_CC(15)

static unsigned int (* const cpu_cc[16])(unsigned long) = {
	cpu_cc_0,  cpu_cc_1,  cpu_cc_2,  cpu_cc_3,
	cpu_cc_4,  cpu_cc_5,  cpu_cc_6,  cpu_cc_7,
	cpu_cc_8,  cpu_cc_9,  cpu_cc_10, cpu_cc_11,
	cpu_cc_12, cpu_cc_13, cpu_cc_14, cpu_cc_15,
};

/* What the CPU did, for every condition and flag combination. */
static bool cpu_taken(struct kunit *test, unsigned int cc, unsigned int combo)
{
	unsigned int r = cpu_cc[cc](combo_flags(combo)) & 3;	/* the Jcc */

	/* Both encodings of one condition must agree on the hardware. */
	KUNIT_EXPECT_TRUE_MSG(test, r == 0 || r == 3, "j%s: rel8/rel32 disagree (%u)",
			      cc_name[cc], r);
	return r & 1;
}

/* text_poke_cond() and the C __emulate_cc() against the CPU. */
static void jcc_cond_vs_cpu(struct kunit *test)
{
	unsigned int cc, i, cases = 0;

	for (cc = 0; cc < 16; cc++) {
		for (i = 0; i < TP_FLAG_COMBOS; i++) {
			unsigned long status = combo_flags(i);
			bool cpu = cpu_taken(test, cc, i);

			KUNIT_EXPECT_EQ_MSG(test, text_poke_cond(status, cc), cpu,
					    "j%s flags %#lx", cc_name[cc], status);
			/* The other EFLAGS bits do not count. */
			KUNIT_EXPECT_EQ_MSG(test, text_poke_cond(status | ~TP_STATUS_FLAGS, cc),
					    cpu, "j%s flags %#lx, others set", cc_name[cc], status);
			KUNIT_EXPECT_EQ_MSG(test, __emulate_cc(status, cc), cpu,
					    "C: j%s flags %#lx", cc_name[cc], status);
			cases++;
		}
	}
	KUNIT_EXPECT_EQ(test, cases, 16 * TP_FLAG_COMBOS);
}

/*
 * text_poke_cond() as an instruction emulator would call it, with the low
 * nibble of the opcode byte of a SETcc (0f 90-9f) or CMOVcc (0f 40-4f) and
 * EFLAGS with its fixed bit set: against the CPU's SETcc and CMOVcc.
 */
static void setcc_cmovcc_cond_vs_cpu(struct kunit *test)
{
	unsigned int cc, i, cases = 0;

	for (cc = 0; cc < 16; cc++) {
		for (i = 0; i < TP_FLAG_COMBOS; i++) {
			unsigned long eflags = combo_flags(i) | X86_EFLAGS_FIXED;
			unsigned int r = cpu_cc[cc](combo_flags(i)) >> 2;	/* SETcc, CMOVcc */

			KUNIT_EXPECT_EQ_MSG(test, text_poke_cond(eflags, (0x90 | cc) & 0xf), r & 1,
					    "set%s flags %#lx", cc_name[cc], eflags);
			KUNIT_EXPECT_EQ_MSG(test, text_poke_cond(eflags, (0x40 | cc) & 0xf), r >> 1,
					    "cmov%s flags %#lx", cc_name[cc], eflags);
			cases++;
		}
	}
	KUNIT_EXPECT_EQ(test, cases, 16 * TP_FLAG_COMBOS);
}

/*
 * What the batch writer of alternative.c stores for the @len bytes at @code:
 * the text without the 0x0f of a Jcc.d32, and the compact opcode and disp.
 */
static int loc_init(const u8 *code, const u8 *emulate, unsigned int len,
		    u8 *opcode, s32 *disp)
{
	return text_poke_classify(code + (len == 6), emulate, len, opcode, disp);
}

static int c_loc_init(const u8 *code, const u8 *emulate, unsigned int len,
		      u8 *opcode, s32 *disp)
{
	return text_poke_c_classify(code + (len == 6), emulate, len, opcode, disp);
}

/* The INT3 emulation of both implementations must agree. */
static struct text_poke_emu check_emulate(struct kunit *test, u8 opcode, u8 len,
					  s32 disp, unsigned long ip,
					  unsigned long flags)
{
	struct text_poke_emu emu = text_poke_emulate(opcode, len, disp, ip, flags);
	struct text_poke_emu c = text_poke_c_emulate(opcode, len, disp, ip, flags);

	KUNIT_EXPECT_EQ_MSG(test, emu.action, c.action, "opcode %#x len %u", opcode, len);
	KUNIT_EXPECT_EQ_MSG(test, emu.target, c.target, "opcode %#x len %u disp %d flags %#lx",
			    opcode, len, disp, flags);
	return emu;
}

/*
 * The Jcc @cc with @disp in @len bytes (2 or 6) at @ip, as the batch writer
 * of alternative.c stores it, as its INT3 handler emulates it and as kprobes
 * does (int3_emulate_jcc()): Rust and C against the CPU, for every flag
 * combination.
 */
static void check_jcc_emulation(struct kunit *test, unsigned int cc, s32 disp,
				unsigned int len)
{
	const unsigned long ip = 0xffffffff81000350UL;
	u8 insn[MAX_INSN_SIZE] = { 0x0f, 0x80 | cc }, opcode = 0, c_opcode = 0;
	s32 got_disp = 0, c_disp = 0;
	unsigned int i;

	memset(insn + 2, INT3_INSN_OPCODE, sizeof(insn) - 2);
	if (len == 6) {
		put_unaligned_le32(disp, &insn[2]);
	} else {
		insn[0] = 0x70 | cc;
		insn[1] = (u8)disp;
	}
	KUNIT_ASSERT_EQ(test, loc_init(insn, insn, len, &opcode, &got_disp), 0);
	KUNIT_ASSERT_EQ(test, c_loc_init(insn, insn, len, &c_opcode, &c_disp), 0);
	KUNIT_EXPECT_EQ(test, opcode, c_opcode);
	KUNIT_EXPECT_EQ(test, got_disp, c_disp);

	for (i = 0; i < TP_FLAG_COMBOS; i++) {
		unsigned long flags = combo_flags(i) | X86_EFLAGS_IF | X86_EFLAGS_FIXED;
		unsigned long want = ip + len;
		struct pt_regs regs = { .flags = flags };
		struct text_poke_emu emu;

		if (cpu_taken(test, cc, i))
			want += disp;
		emu = check_emulate(test, opcode, len, got_disp, ip, flags);
		KUNIT_EXPECT_EQ(test, emu.action, TEXT_POKE_JMP);
		KUNIT_EXPECT_EQ_MSG(test, emu.target, want, "j%s (%u bytes) flags %#lx",
				    cc_name[cc], len, flags);

		int3_emulate_jcc(&regs, cc, ip + len, disp);
		KUNIT_EXPECT_EQ_MSG(test, regs.ip, want, "kprobes: j%s flags %#lx",
				    cc_name[cc], flags);
	}
}

/* Both encodings, both directions, near and far. */
static void jcc_emulate_vs_cpu(struct kunit *test)
{
	static const s32 disps[] = { 0x7f, -0x80, 0x1234, -0x40000 };
	unsigned int cc, d;

	for (cc = 0; cc < 16; cc++) {
		for (d = 0; d < ARRAY_SIZE(disps); d++) {
			if (disps[d] == (s8)disps[d])
				check_jcc_emulation(test, cc, disps[d], 2);
			check_jcc_emulation(test, cc, disps[d], 6);
		}
	}
}

enum loc_kind {
	LOC_SAME,	/* both take it and agree */
	LOC_ERROR,	/* the crate refuses it, C BUG()s on it */
	LOC_STRICTER,	/* C takes it, the crate deliberately refuses it */
};

struct loc_case {
	const char *name;
	u8 text[8];		/* @len bytes; INT3 after them */
	unsigned int len;
	enum loc_kind kind;
};

static const struct loc_case loc_cases[] = {
	{ "int3",		{ 0xcc },				1, LOC_SAME },
	{ "ret",		{ 0xc3 },				1, LOC_SAME },
	{ "ret; int3 x4",	{ 0xc3, 0xcc, 0xcc, 0xcc, 0xcc },	5, LOC_SAME },
	{ "call.d32 +",		{ 0xe8, 0x10, 0x32, 0x54, 0x00 },	5, LOC_SAME },
	{ "call.d32 -",		{ 0xe8, 0xf0, 0xff, 0xff, 0xff },	5, LOC_SAME },
	{ "jmp.d32",		{ 0xe9, 0x00, 0x00, 0x00, 0x80 },	5, LOC_SAME },
	{ "jmp.d8",		{ 0xeb, 0x7f },				2, LOC_SAME },
	{ "nop2",		{ 0x66, 0x90 },				2, LOC_SAME },
	{ "nop5",		{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },	5, LOC_SAME },
	{ "jo.d32",		{ 0x0f, 0x80, 0x01, 0x00, 0x00, 0x00 }, 6, LOC_SAME },
	{ "jne.d32",		{ 0x0f, 0x85, 0xfa, 0xff, 0xff, 0xff }, 6, LOC_SAME },
	{ "jg.d32",		{ 0x0f, 0x8f, 0x00, 0x00, 0x00, 0x7f }, 6, LOC_SAME },
	{ "jb.d8",		{ 0x72, 0x05 },				2, LOC_SAME },
	{ "jle.d8",		{ 0x7e, 0xfe },				2, LOC_SAME },
	{ "ret; nop",		{ 0xc3, 0x90, 0xcc, 0xcc, 0xcc },	5, LOC_ERROR },
	{ "jmp.d8; nop",	{ 0xeb, 0x00, 0x90, 0xcc, 0xcc },	5, LOC_ERROR },
	{ "call.d32; int3",	{ 0xe8, 0x00, 0x00, 0x00, 0x00, 0xcc }, 6, LOC_ERROR },
	{ "jne.d8; int3",	{ 0x75, 0x00, 0xcc },			3, LOC_ERROR },
	{ "jne.d8; int3 x4",	{ 0x75, 0x00, 0xcc, 0xcc, 0xcc, 0xcc }, 6, LOC_ERROR },
	{ "int3 x2",		{ 0xcc, 0xcc },				2, LOC_ERROR },
	{ "nop2; int3 x4",	{ 0x66, 0x90, 0xcc, 0xcc, 0xcc, 0xcc }, 6, LOC_ERROR },
	{ "nop5; int3",		{ 0x0f, 0x1f, 0x44, 0x00, 0x00, 0xcc }, 6, LOC_ERROR },
	{ "nop1",		{ 0x90 },				1, LOC_ERROR },
	{ "mov %rdi,%rax",	{ 0x48, 0x89, 0xf8 },			3, LOC_ERROR },
	{ "call *%rax",		{ 0xff, 0xd0 },				2, LOC_ERROR },
	{ "other nop5",		{ 0x0f, 0x1f, 0x44, 0x00, 0x08 },	5, LOC_ERROR },
	{ "xor5rax alone",	{ 0x2e, 0x2e, 0x2e, 0x31, 0xc0 },	5, LOC_ERROR },
	{ "ud1 (%edx),%rdi alone", { 0x67, 0x48, 0x0f, 0xb9, 0x3a },	5, LOC_ERROR },
	{ "ds ds movb alone",	{ 0x3e, 0x3e, 0xc6, 0x07, 0x00 },	5, LOC_ERROR },
	/*
	 * Padded with INT3 at every length: a RET up to 5 bytes is fine. C
	 * also takes a RET or JMP padded to 6, which its batch writer then
	 * writes as a Jcc.d32 (0x0f first), and a padded JMP, which its
	 * handler emulates relative to the end of the range instead of the
	 * JMP. No caller writes these; the crate refuses them.
	 */
	{ "ret; int3",		{ 0xc3, 0xcc },				2, LOC_SAME },
	{ "ret; int3 x2",	{ 0xc3, 0xcc, 0xcc },			3, LOC_SAME },
	{ "ret; int3 x3",	{ 0xc3, 0xcc, 0xcc, 0xcc },		4, LOC_SAME },
	{ "ret; int3 x5",	{ 0xc3, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc }, 6, LOC_STRICTER },
	{ "jmp.d8; int3",	{ 0xeb, 0x10, 0xcc },			3, LOC_STRICTER },
	{ "jmp.d8; int3 x2",	{ 0xeb, 0x10, 0xcc, 0xcc },		4, LOC_STRICTER },
	{ "jmp.d8; int3 x3",	{ 0xeb, 0x10, 0xcc, 0xcc, 0xcc },	5, LOC_STRICTER },
	{ "jmp.d8; int3 x4",	{ 0xeb, 0x10, 0xcc, 0xcc, 0xcc, 0xcc }, 6, LOC_STRICTER },
	{ "jmp.d32; int3",	{ 0xe9, 0x10, 0x00, 0x00, 0x00, 0xcc }, 6, LOC_STRICTER },
	/* Prefixed forms that text poking is never given. */
	{ "cs call.d32",	{ 0x2e, 0xe8, 0x00, 0x00, 0x00, 0x00 }, 6, LOC_STRICTER },
	{ "cs jmp.d32",		{ 0x2e, 0xe9, 0x00, 0x00, 0x00, 0x00 }, 6, LOC_STRICTER },
};

static void loc_case_desc(const struct loc_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(loc, loc_cases, loc_case_desc);

/* text_poke_classify() against the C one, case by case. */
static void loc_init_vs_c(struct kunit *test)
{
	const struct loc_case *c = test->param_value;
	u8 text[MAX_INSN_SIZE + 1], op = 0x5a, c_op = 0;
	s32 disp = 0x5a5a, c_disp = 0;
	int ret;

	/* The decoder of the C side may read MAX_INSN_SIZE bytes. */
	memset(text, INT3_INSN_OPCODE, sizeof(text));
	memcpy(text, c->text, c->len);
	ret = loc_init(text, text, c->len, &op, &disp);
	if (c->kind != LOC_SAME) {
		KUNIT_EXPECT_EQ(test, ret, -EINVAL);
		/* Nothing written on error. */
		KUNIT_EXPECT_EQ(test, op, 0x5a);
		KUNIT_EXPECT_EQ(test, disp, 0x5a5a);
	}
	if (c->kind == LOC_ERROR)
		return;		/* C BUG()s */

	KUNIT_ASSERT_EQ(test, c_loc_init(text, text, c->len, &c_op, &c_disp), 0);
	if (c->kind == LOC_STRICTER)
		return;
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, op, c_op);
	KUNIT_EXPECT_EQ(test, disp, c_disp);
	/* And the INT3 emulation of what was stored. */
	check_emulate(test, op, c->len, disp, 0xffffffff81000350UL, 0);
	check_emulate(test, op, c->len, disp, 0xffffffff81000350UL, TP_STATUS_FLAGS);
}

/*
 * What static calls write while the CALL they stand for is emulated: XOR5,
 * WARN5 and UNLOCK5, each with a CALL, classified by both sides.
 */
static void classify_emulated_vs_c(struct kunit *test)
{
	static const u8 forms[][5] = {
		{ 0x2e, 0x2e, 0x2e, 0x31, 0xc0 },
		{ 0x67, 0x48, 0x0f, 0xb9, 0x3a },
		{ 0x3e, 0x3e, 0xc6, 0x07, 0x00 },
	};
	static const u8 call[MAX_INSN_SIZE] = { 0xe8, 0x78, 0x56, 0x34, 0x12 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(forms); i++) {
		u8 op = 0, c_op = 0;
		s32 disp = 0, c_disp = 0;

		KUNIT_ASSERT_EQ(test, loc_init(forms[i], call, 5, &op, &disp), 0);
		KUNIT_ASSERT_EQ(test, c_loc_init(forms[i], call, 5, &c_op, &c_disp), 0);
		KUNIT_EXPECT_EQ(test, op, c_op);
		KUNIT_EXPECT_EQ(test, disp, c_disp);
		KUNIT_EXPECT_EQ(test, op, CALL_INSN_OPCODE);
		check_emulate(test, op, 5, disp, 0xffffffff81000350UL, 0);
	}
}

/* The INT3 emulation of every compact opcode that C knows, and the rest. */
static void emulate_vs_c(struct kunit *test)
{
	static const u8 known[] = { INT3_INSN_OPCODE, RET_INSN_OPCODE, CALL_INSN_OPCODE,
				    JMP32_INSN_OPCODE, JMP8_INSN_OPCODE };
	static const s32 disps[] = { 0, 5, -5, 0x7fffffff, -0x7fffffff - 1 };
	const unsigned long ip = 0xffffffff81000350UL;
	unsigned int i, d, op;

	for (d = 0; d < ARRAY_SIZE(disps); d++) {
		for (i = 0; i < ARRAY_SIZE(known); i++)
			check_emulate(test, known[i], 5, disps[d], ip, 0);
		for (op = 0x70; op <= 0x7f; op++)
			for (i = 0; i < TP_FLAG_COMBOS; i++) {
				check_emulate(test, op, 2, disps[d], ip, combo_flags(i));
				check_emulate(test, op, 6, disps[d], ip, combo_flags(i));
			}
	}
	/* Compact forms that loc_init never makes: C BUG()s, so does the handler. */
	for (op = 0; op < 256; op++) {
		struct text_poke_emu emu = text_poke_emulate(op, 1, 0, ip, 0);

		if (memchr(known, op, sizeof(known)) || (op >= 0x70 && op <= 0x7f))
			continue;
		KUNIT_EXPECT_EQ_MSG(test, emu.action, TEXT_POKE_INVALID, "opcode %#x", op);
	}
}

/*
 * Static call sites. The site is in this kernel's data, so that the kernel's
 * functions are in rel32 reach as they are from its text.
 */
static u8 tp_site[32] __aligned(16);

static noinline void tp_target(void)
{
	asm volatile("");
}

static void sc_put(const u8 *bytes, unsigned int len)
{
	memset(tp_site, INT3_INSN_OPCODE, sizeof(tp_site));
	memcpy(tp_site, bytes, len);
}

static const struct sc_form {
	const char *name;
	u8 bytes[8];
	unsigned int len;
	bool tail, tramp;
} sc_forms[] = {
	{ "call.d32",	{ 0xe8, 0x00, 0x10, 0x00, 0x00 }, 5 },
	{ "nop5",	{ 0x0f, 0x1f, 0x44, 0x00, 0x00 }, 5 },
	{ "xor5rax",	{ 0x2e, 0x2e, 0x2e, 0x31, 0xc0 }, 5 },
#ifdef HAVE_ARCH_BUG_FORMAT_ARGS
	{ "ud1 (%edx),%rdi", { 0x67, 0x48, 0x0f, 0xb9, 0x3a }, 5 },
#endif
/* The unlock form came with the __WARN_trap form */
#if defined(CONFIG_PARAVIRT_SPINLOCKS) && defined(HAVE_ARCH_BUG_FORMAT_ARGS)
	{ "ds ds movb $0,(%rdi)", { 0x3e, 0x3e, 0xc6, 0x07, 0x00 }, 5 },
#endif
	{ "jmp.d32",	{ 0xe9, 0x00, 0x10, 0x00, 0x00 }, 5, true },
	{ "ret",	{ 0xc3, 0xcc, 0xcc, 0xcc, 0xcc }, 5, true },
	{ "jne.d32",	{ 0x0f, 0x85, 0x00, 0x10, 0x00, 0x00 }, 6, true },
	{ "je.d32",	{ 0x0f, 0x84, 0x00, 0x10, 0x00, 0x00 }, 6, true },
	{ "js.d32",	{ 0x0f, 0x88, 0xf0, 0xff, 0xff, 0xff }, 6, true },
	{ "jg.d32",	{ 0x0f, 0x8f, 0x00, 0x10, 0x00, 0x00 }, 6, true },
	{ "tramp jmp",	{ 0xe9, 0, 0, 0, 0, 0x0f, 0xb9, 0xcc }, 8, true, true },
	{ "tramp ret",	{ 0xc3, 0xcc, 0xcc, 0xcc, 0xcc, 0x0f, 0xb9, 0xcc }, 8, true, true },
};

/* The targets a static call can be updated to, and those C treats apart. */
static void *const sc_targets[] = {
	(void *)tp_target, NULL, (void *)__static_call_return0,
#ifdef HAVE_ARCH_BUG_FORMAT_ARGS	/* WARN() calls __WARN_trap */
	(void *)__WARN_trap,
#endif
#if defined(CONFIG_PARAVIRT_SPINLOCKS) && defined(HAVE_ARCH_BUG_FORMAT_ARGS)
	(void *)__raw_callee_save___native_queued_spin_unlock,
#endif
};

struct sc_result {
	int ret, len;
	u8 code[6];
	bool emulate;
	u8 emu[6];
};

/* The patch of @type to @func at the form in tp_site, by each side. */
static void sc_patch_both(const struct sc_form *f, enum text_poke_sc_type type,
			  void *func, struct sc_result *rs, struct sc_result *c)
{
	struct text_poke_sc_patch p;

	memset(rs, 0, sizeof(*rs));
	memset(c, 0, sizeof(*c));

	sc_put(f->bytes, f->len);
	c->ret = text_poke_c_sc_patch(tp_site, type, func, &p);
	/* Copy at once: the code may be text_gen_insn()'s static buffer. */
	c->len = p.len;
	memcpy(c->code, p.code, min(p.len, 6));
	c->emulate = p.emulate;
	if (p.emulate)
		memcpy(c->emu, p.emulate, min(p.len, 6));

	sc_put(f->bytes, f->len);
	rs->ret = text_poke_sc_patch(tp_site, type, func, &p);
	if (rs->ret)
		return;
	rs->len = p.len;
	memcpy(rs->code, p.code, min(p.len, 6));
	rs->emulate = p.emulate;
	if (p.emulate)
		memcpy(rs->emu, p.emulate, min(p.len, 6));
}

/* Whether __sc_insn() can ask for @type with @func at a site of @form. */
static bool sc_type_fits(const struct sc_form *form, enum text_poke_sc_type type, void *func)
{
	bool null = type == TEXT_POKE_SC_NOP || type == TEXT_POKE_SC_RET;

	return null == !func && (type >= TEXT_POKE_SC_JMP) == form->tail;
}

/* Rust and C patch @form to do @type with @func alike. */
static void sc_patch_one(struct kunit *test, const struct sc_form *form,
			 enum text_poke_sc_type type, void *func)
{
	struct sc_result rs, c;

	sc_patch_both(form, type, func, &rs, &c);
	KUNIT_ASSERT_EQ_MSG(test, rs.ret, 0, "%s type %d to %ps", form->name, type, func);
	KUNIT_EXPECT_EQ_MSG(test, rs.len, c.len, "%s type %d to %ps", form->name, type, func);
	KUNIT_EXPECT_MEMEQ_MSG(test, rs.code, c.code, c.len,
			       "%s type %d to %ps", form->name, type, func);
	KUNIT_EXPECT_EQ_MSG(test, rs.emulate, c.emulate,
			    "%s type %d to %ps: emulate", form->name, type, func);
	KUNIT_EXPECT_MEMEQ_MSG(test, rs.emu, c.emu, c.len,
			       "%s type %d to %ps: emulate", form->name, type, func);
}

/*
 * text_poke_sc_patch() against the C one, for every site form, every type it
 * can be given and every target C treats apart, with this kernel's return
 * thunk choice.
 */
static void sc_patch_vs_c(struct kunit *test)
{
	unsigned int f, t, cases = 0;
	enum text_poke_sc_type type;

	for (f = 0; f < ARRAY_SIZE(sc_forms); f++) {
		for (t = 0; t < ARRAY_SIZE(sc_targets); t++) {
			for (type = TEXT_POKE_SC_CALL; type <= TEXT_POKE_SC_RET; type++) {
				if (!sc_type_fits(&sc_forms[f], type, sc_targets[t]))
					continue;
				sc_patch_one(test, &sc_forms[f], type, sc_targets[t]);
				cases++;
			}
		}
	}
	kunit_info(test, "%u patches agree, return thunk in use: %s", cases,
		   str_yes_no(cpu_wants_rethunk()));
	KUNIT_EXPECT_GE(test, cases, 2 * ARRAY_SIZE(sc_forms));
}

/* The checks of static_call_init(): both take every form where it belongs. */
static void sc_check_vs_c(struct kunit *test)
{
	struct text_poke_sc_site s;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sc_forms); i++) {
		const struct sc_form *f = &sc_forms[i];

		sc_put(f->bytes, f->len);
		KUNIT_EXPECT_EQ_MSG(test, text_poke_c_sc_check(tp_site, f->tail, f->tramp, &s), 0,
				    "C: %s", f->name);
		KUNIT_EXPECT_EQ_MSG(test, text_poke_sc_check(tp_site, f->tail, f->tramp, &s), 0,
				    "%s", f->name);
		/* Six bytes are read of a Jcc.d32, eight of a trampoline. */
		KUNIT_EXPECT_EQ(test, s.len, f->tramp ? 8 : f->len == 6 ? 6 : 5);
		/* The crate alone: the other kind of site does not take it. */
		if (!f->tramp)
			KUNIT_EXPECT_EQ_MSG(test, text_poke_sc_check(tp_site, !f->tail, false, &s),
					    -EINVAL, "%s", f->name);
	}
}

/*
 * What static_call.c reports and leaves alone, where C BUG()s: the crate
 * alone, with a made-up environment, so that targets can be out of reach.
 */
static void sc_errors(struct kunit *test)
{
	static const u8 cs_call[] = { 0x2e, 0xe8, 0, 0, 0, 0 };
	static const u8 jne[] = { 0x0f, 0x85, 0, 0, 0, 0 };
	static const u8 call[] = { 0xe8, 0, 0, 0, 0 };
	static const u8 mov[] = { 0x48, 0x89, 0xf8, 0x90, 0x90 };
	static const u8 jmp_no_sig[] = { 0xe9, 0, 0, 0, 0, 0x0f, 0x0b, 0xcc };
	static const u8 jne_tramp[] = { 0x0f, 0x85, 0, 0, 0, 0, 0x0f, 0xb9 };
	unsigned long a = (unsigned long)tp_site;
	struct text_poke_sc_patch p, untouched;
	struct text_poke_sc_env env = {
		.func = a + 0x10000, .ret0 = a - 0x2000, .ret = a - 0x1000,
	};
	struct text_poke_sc_site s;

	/* Unknown bytes: -EINVAL, with what was expected for the message. */
	sc_put(cs_call, sizeof(cs_call));
	KUNIT_EXPECT_EQ(test, text_poke_sc_check(tp_site, false, false, &s), -EINVAL);
	KUNIT_EXPECT_EQ(test, s.len, 5);
	KUNIT_EXPECT_NOT_NULL(test, strstr(s.expected, "call.d32"));
	KUNIT_EXPECT_EQ(test, text_poke_sc_check(tp_site, true, false, &s), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, strstr(s.expected, "jcc.d32"));
	sc_put(mov, sizeof(mov));
	KUNIT_EXPECT_EQ(test, text_poke_sc_check(tp_site, false, false, &s), -EINVAL);
	sc_put(jmp_no_sig, sizeof(jmp_no_sig));
	KUNIT_EXPECT_EQ(test, text_poke_sc_check(tp_site, true, true, &s), -EINVAL);
	KUNIT_EXPECT_EQ(test, s.len, 8);
	KUNIT_EXPECT_NOT_NULL(test, strstr(s.expected, "ud1"));
	/* A trampoline is never a Jcc. */
	sc_put(jne_tramp, sizeof(jne_tramp));
	KUNIT_EXPECT_EQ(test, text_poke_sc_check(tp_site, true, true, &s), -EINVAL);

	memset(&untouched, 0x5a, sizeof(untouched));

	/* Unknown site bytes and unknown types. */
	sc_put(mov, sizeof(mov));
	p = untouched;
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_patch(tp_site, TEXT_POKE_SC_CALL, &env, &p),
			-EINVAL);
	KUNIT_EXPECT_MEMEQ(test, &p, &untouched, sizeof(p));
	sc_put(jne, sizeof(jne));
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_patch(tp_site, TEXT_POKE_SC_RET + 1, &env, &p),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_patch(tp_site, ~0U, &env, &p), -EINVAL);
	KUNIT_EXPECT_MEMEQ(test, &p, &untouched, sizeof(p));

	/* Targets out of reach of a rel32: -ERANGE. */
	env.func = a + 0x80000000UL + 6;
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_patch(tp_site, TEXT_POKE_SC_JMP, &env, &p), -ERANGE);
	env.func = a - 0x80000001UL;
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_patch(tp_site, TEXT_POKE_SC_JMP, &env, &p), -ERANGE);
	env.ret = env.func;
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_patch(tp_site, TEXT_POKE_SC_RET, &env, &p), -ERANGE);
	sc_put(call, sizeof(call));
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_patch(tp_site, TEXT_POKE_SC_CALL, &env, &p),
			-ERANGE);
	KUNIT_EXPECT_MEMEQ(test, &p, &untouched, sizeof(p));

	/* The edges of the reach still encode. */
	env.func = a + 5 + 0x7fffffffUL;
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_patch(tp_site, TEXT_POKE_SC_CALL, &env, &p), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(&p.code[1]), 0x7fffffffU);
	env.func = a + 5 - 0x80000000UL;
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_patch(tp_site, TEXT_POKE_SC_CALL, &env, &p), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(&p.code[1]), 0x80000000U);
}

#ifdef CONFIG_HAVE_STATIC_CALL_INLINE
extern struct static_call_site __start_static_call_sites[], __stop_static_call_sites[];

/* The forms a core kernel site can hold after static_call_init(). */
static const struct {
	const char *name;
	u8 bytes[5];
	unsigned int len;
} site_forms[] = {
	{ "nop5",	{ 0x0f, 0x1f, 0x44, 0x00, 0x00 }, 5 },
	{ "xor5rax",	{ 0x2e, 0x2e, 0x2e, 0x31, 0xc0 }, 5 },
	{ "warn",	{ 0x67, 0x48, 0x0f, 0xb9, 0x3a }, 5 },
	{ "unlock",	{ 0x3e, 0x3e, 0xc6, 0x07, 0x00 }, 5 },
	{ "call",	{ CALL_INSN_OPCODE }, 1 },
	{ "jmp",	{ JMP32_INSN_OPCODE }, 1 },
	{ "ret",	{ RET_INSN_OPCODE }, 1 },
	{ "jcc",	{ 0x0f }, 1 },
};

static unsigned long site_key(struct static_call_site *site)
{
	return (long)site->key + (long)&site->key;
}

static u8 *site_insn(struct static_call_site *site)
{
	return (u8 *)((long)site->addr + (long)&site->addr);
}

/*
 * Whether a site is in a Rust function: a v0-mangled symbol. Not inlined:
 * the symbol buffer stays off the frame of the walk.
 */
static noinline bool site_in_rust(u8 *insn)
{
	char sym[KSYM_SYMBOL_LEN];

	sprint_symbol_no_offset(sym, (unsigned long)insn);
	return !strncmp(sym, "_R", 2);
}

/*
 * A site in a Rust function holds what C's patcher writes for its key's
 * target; one line says so, with the forms of the C sites of that key.
 */
static noinline void rust_site(struct kunit *test, struct static_call_site *rs)
{
	unsigned int count[ARRAY_SIZE(site_forms)] = {}, i;
	unsigned long key = site_key(rs);
	struct static_call_key *k = (void *)(key & ~STATIC_CALL_SITE_FLAGS);
	bool tail = key & STATIC_CALL_SITE_TAIL;
	void *func = READ_ONCE(k->func);
	struct static_call_site *site;
	u8 *insn = site_insn(rs);
	struct text_poke_sc_patch p;
	char line[160];
	int pos = 0;

	/* The caller holds text_mutex: no assertion, which would leave it held. */
	if (text_poke_c_sc_patch(insn, tail ? (func ? TEXT_POKE_SC_JMP : TEXT_POKE_SC_RET) :
					      (func ? TEXT_POKE_SC_CALL : TEXT_POKE_SC_NOP),
				 func, &p)) {
		KUNIT_FAIL(test, "Rust site %pS: %*ph, not a form C patches", insn, 6, insn);
		return;
	}
	KUNIT_EXPECT_MEMEQ_MSG(test, insn, p.code, p.len, "Rust site %pS", insn);

	for (site = __start_static_call_sites; site < __stop_static_call_sites; site++) {
		if ((site_key(site) & ~STATIC_CALL_SITE_FLAGS) != (unsigned long)k ||
		    site_in_rust(site_insn(site)))
			continue;
		for (i = 0; i < ARRAY_SIZE(site_forms); i++)
			if (!memcmp(site_insn(site), site_forms[i].bytes, site_forms[i].len))
				break;
		if (i < ARRAY_SIZE(site_forms))
			count[i]++;
	}
	for (i = 0; i < ARRAY_SIZE(site_forms); i++)
		if (count[i])
			pos += scnprintf(line + pos, sizeof(line) - pos, " %s %u",
					 site_forms[i].name, count[i]);
	kunit_info(test, "Rust site %pS: %*ph (%s call to %ps), as C's patcher writes it; C sites of %ps:%s\n",
		   insn, p.len, insn, tail ? "tail" : "a", func, k, pos ? line : " none");
}

/*
 * The core kernel's static call sites as static_call_init() left them: each
 * holds a form that it may hold, or was left calling its trampoline (a form
 * the patcher does not know, reported at boot; counted as "left"). Sites in
 * init text are skipped once it is freed (the suite run again through
 * debugfs: "init" counts them). One
 * summary line counts them by form; the
 * conditional tail calls are listed with their targets at debug level
 * (dynamic debug turns them on), to be compared with objtool's list, and
 * the sites in Rust functions each with a line of their own.
 */
static void static_call_sites(struct kunit *test)
{
	unsigned int count[ARRAY_SIZE(site_forms)] = {}, n = 0, left = 0, init = 0, i;
	struct static_call_site *site, *rust[4];
	unsigned int nr_rust = 0;
	char line[160];
	int pos = 0;

	/* No update rewrites a site meanwhile. */
	mutex_lock(&text_mutex);
	for (site = __start_static_call_sites; site < __stop_static_call_sites; site++) {
		unsigned long key = site_key(site);
		u8 *insn = site_insn(site);
		bool tail = key & STATIC_CALL_SITE_TAIL;
		struct text_poke_sc_site s;

		/* Init text is gone when the suite is run again after boot. */
		if (system_state >= SYSTEM_FREEING_INITMEM &&
		    is_kernel_inittext((unsigned long)insn)) {
			init++;
			continue;
		}
		n++;
		if (key & STATIC_CALL_SITE_TRAMP) {
			left++;
			continue;
		}
		KUNIT_EXPECT_EQ_MSG(test, text_poke_sc_check(insn, tail, false, &s), 0,
				    "%pS: %*ph", insn, 6, insn);
		for (i = 0; i < ARRAY_SIZE(site_forms); i++)
			if (!memcmp(insn, site_forms[i].bytes, site_forms[i].len))
				break;
		if (i == ARRAY_SIZE(site_forms))
			continue;
		count[i]++;
		if (site_in_rust(insn) && nr_rust < ARRAY_SIZE(rust))
			rust[nr_rust++] = site;
		if (insn[0] == 0x0f && (insn[1] & 0xf0) == 0x80)
			pr_debug("%s: conditional tail call at %pS: j%s key %pS -> %ps\n",
				 __func__, insn, cc_name[insn[1] & 0xf],
				 (void *)(key & ~STATIC_CALL_SITE_FLAGS),
				 (void *)(insn + 6 + (s32)get_unaligned_le32(insn + 2)));
	}
	for (i = 0; i < nr_rust; i++)
		rust_site(test, rust[i]);
	mutex_unlock(&text_mutex);
	for (i = 0; i < ARRAY_SIZE(site_forms); i++)
		pos += scnprintf(line + pos, sizeof(line) - pos, " %s %u", site_forms[i].name,
				 count[i]);
	kunit_info(test, "%u static call sites after static_call_init():%s left %u, init %u\n",
		   n, line, left, init);
	KUNIT_EXPECT_GT(test, n, 0);
}

#endif

#ifdef CONFIG_KPROBES
/*
 * tp_jcc_probed(a, b): (a >= b) | (a <= b) << 1, through a jl.d32 and a
 * jg.d8 that the kprobe test probes. kprobes emulates a probed Jcc with
 * int3_emulate_jcc(), so the probe runs the crate's condition code.
 */
#define TP_ENDBR_LEN	(IS_ENABLED(CONFIG_X86_KERNEL_IBT) ? ENDBR_INSN_SIZE : 0)
#define TP_JL32		(TP_ENDBR_LEN + 5)	/* jl.d32 1f */
#define TP_JL32_TAKEN	(TP_ENDBR_LEN + 14)	/* 1: */
#define TP_JG8		(TP_ENDBR_LEN + 17)	/* jg.d8 2f */
#define TP_JG8_TAKEN	(TP_ENDBR_LEN + 22)	/* 2: */

unsigned long tp_jcc_probed(long a, long b);
asm(".pushsection .text, \"ax\"\n"
	".type tp_jcc_probed, @function\n"
	"tp_jcc_probed:\n\t"
	ASM_ENDBR
	"xor %eax, %eax\n\t"				/* +0: 31 c0 */
	"cmp %rsi, %rdi\n\t"				/* +2: 48 39 f7 */
	".byte 0x0f, 0x8c\n\t.long 1f - 0f\n"		/* +5: jl.d32 1f */
	"0:\tor $1, %eax\n"				/* +11: 83 c8 01 */
	"1:\tcmp %rsi, %rdi\n\t"			/* +14 */
	".byte 0x7f, 2f - 3f\n"				/* +17: jg.d8 2f */
	"3:\tor $2, %eax\n"				/* +19: 83 c8 02 */
	"2:\t" ASM_RET					/* +22 */
	".size tp_jcc_probed, . - tp_jcc_probed\n"
	".popsection\n");

struct tp_probe {
	struct kprobe kp;
	unsigned int hits;
	unsigned long ip;	/* after emulation */
};

static int tp_pre(struct kprobe *kp, struct pt_regs *regs)
{
	container_of(kp, struct tp_probe, kp)->hits++;
	return 0;
}

static void tp_post(struct kprobe *kp, struct pt_regs *regs, unsigned long flags)
{
	container_of(kp, struct tp_probe, kp)->ip = regs->ip;
}

/* A kprobe on each of the two Jcc: both fire, and the results stay right. */
static void kprobe_on_jcc(struct kunit *test)
{
	static const struct { long a, b; } args[] = {
		{ 1, 2 }, { 2, 2 }, { 3, 2 }, { -1, 1 }, { 1, -1 },
		{ LONG_MIN, 1 }, { LONG_MAX, -1 },	/* cmp overflows: SF != OF */
	};
	struct tp_probe *jl, *jg;
	unsigned long base;
	const u8 *text;
	unsigned int i;

	jl = kunit_kzalloc(test, sizeof(*jl), GFP_KERNEL);
	jg = kunit_kzalloc(test, sizeof(*jg), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, jl);
	KUNIT_ASSERT_NOT_NULL(test, jg);
	/* kprobes' post_handler also keeps them from being optimized away. */
	jl->kp = (struct kprobe){ .symbol_name = "tp_jcc_probed", .offset = TP_JL32,
				  .pre_handler = tp_pre, .post_handler = tp_post };
	jg->kp = (struct kprobe){ .symbol_name = "tp_jcc_probed", .offset = TP_JG8,
				  .pre_handler = tp_pre, .post_handler = tp_post };

	KUNIT_ASSERT_EQ(test, register_kprobe(&jl->kp), 0);
	base = (unsigned long)jl->kp.addr - TP_JL32;
	text = (const u8 *)base;
	/* The probes sit on the Jcc, whatever the assembler did. */
	if (text[TP_JL32 + 1] != 0x8c || text[TP_JG8] != 0x7f) {
		unregister_kprobe(&jl->kp);
		KUNIT_FAIL(test, "tp_jcc_probed: unexpected layout %*ph", 24, text);
		return;
	}
	if (register_kprobe(&jg->kp)) {
		unregister_kprobe(&jl->kp);
		KUNIT_FAIL(test, "cannot probe tp_jcc_probed+%d", TP_JG8);
		return;
	}
	/* Emulated (int3_emulate_jcc()), not single-stepped out of line. */
	KUNIT_EXPECT_NOT_NULL(test, jl->kp.ainsn.emulate_op);
	KUNIT_EXPECT_NOT_NULL(test, jg->kp.ainsn.emulate_op);

	for (i = 0; i < ARRAY_SIZE(args); i++) {
		long a = args[i].a, b = args[i].b;
		unsigned long want = (a >= b) | (a <= b) << 1;
		unsigned long jl_ip = base + (a < b ? TP_JL32_TAKEN : TP_JL32 + 6);
		unsigned long jg_ip = base + (a > b ? TP_JG8_TAKEN : TP_JG8 + 2);
		unsigned int hits = jl->hits;

		KUNIT_EXPECT_EQ_MSG(test, tp_jcc_probed(a, b), want, "(%ld, %ld)", a, b);
		KUNIT_EXPECT_EQ(test, jl->hits, hits + 1);
		KUNIT_EXPECT_EQ(test, jg->hits, hits + 1);
		KUNIT_EXPECT_EQ_MSG(test, jl->ip, jl_ip, "jl.d32 (%ld, %ld)", a, b);
		KUNIT_EXPECT_EQ_MSG(test, jg->ip, jg_ip, "jg.d8 (%ld, %ld)", a, b);
	}

	unregister_kprobe(&jg->kp);
	unregister_kprobe(&jl->kp);
	KUNIT_EXPECT_EQ(test, jl->hits, ARRAY_SIZE(args));
	/* And without the probes, the same results. */
	for (i = 0; i < ARRAY_SIZE(args); i++)
		KUNIT_EXPECT_EQ(test, tp_jcc_probed(args[i].a, args[i].b),
				(args[i].a >= args[i].b) | (args[i].a <= args[i].b) << 1);
}
#else
static void kprobe_on_jcc(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_KPROBES");
}
#endif

static struct kunit_case text_poke_rs_cases[] = {
	KUNIT_CASE(jcc_cond_vs_cpu),
	KUNIT_CASE(setcc_cmovcc_cond_vs_cpu),
	KUNIT_CASE(jcc_emulate_vs_cpu),
	KUNIT_CASE_PARAM(loc_init_vs_c, loc_gen_params),
	KUNIT_CASE(classify_emulated_vs_c),
	KUNIT_CASE(emulate_vs_c),
	KUNIT_CASE(sc_patch_vs_c),
	KUNIT_CASE(sc_check_vs_c),
	KUNIT_CASE(sc_errors),
#ifdef CONFIG_HAVE_STATIC_CALL_INLINE
	KUNIT_CASE(static_call_sites),
#endif
	KUNIT_CASE(kprobe_on_jcc),
	{}
};

static struct kunit_suite text_poke_rs_suite = {
	.name = "x86_text_poke_rs",
	.test_cases = text_poke_rs_cases,
};

kunit_test_suite(text_poke_rs_suite);
