// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the Rust text_poke crate, through the C interface that
 * static_call.c, alternative.c and kprobes use (<asm/text-poke-rs.h>).
 *
 * The references are the CPU itself (every Jcc, both encodings, executed
 * here with every combination of the status flags), the C code that the crate
 * replaces where it is still built (int3_jcc_cond(), the instruction decoder
 * that text_poke_loc_init() used, text_gen_insn()), and kprobes, which
 * emulates a probed Jcc through int3_emulate_jcc().
 */
#include <kunit/test.h>
#include <linux/kprobes.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <asm/ibt.h>
#include <asm/insn.h>
#include <asm/irqflags.h>
#include <asm/linkage.h>
#include <asm/nops.h>
#include <asm/text-patching.h>

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
 * Executes Jcc @cc in its rel8 (bit 0 of the result) and rel32 (bit 1)
 * encodings with the status flags @status, everything else in EFLAGS as it
 * is. The opcodes are spelled out so that the assembler cannot choose.
 */
#define CPU_JCC(cc)							\
static noinline unsigned int cpu_jcc_##cc(unsigned long status)	\
{									\
	unsigned long fl = (native_save_fl() & ~TP_STATUS_FLAGS) | status; \
	unsigned int r8, r32;						\
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
		     "7:\tpopf"						\
		     : [r8] "=&r" (r8), [r32] "=&r" (r32)		\
		     : [fl] "r" (fl)					\
		     : "cc", "memory");					\
	return r8 | r32 << 1;						\
}

CPU_JCC(0)  CPU_JCC(1)  CPU_JCC(2)  CPU_JCC(3)
CPU_JCC(4)  CPU_JCC(5)  CPU_JCC(6)  CPU_JCC(7)
CPU_JCC(8)  CPU_JCC(9)  CPU_JCC(10) CPU_JCC(11)
CPU_JCC(12) CPU_JCC(13) CPU_JCC(14) CPU_JCC(15)

static unsigned int (* const cpu_jcc[16])(unsigned long) = {
	cpu_jcc_0,  cpu_jcc_1,  cpu_jcc_2,  cpu_jcc_3,
	cpu_jcc_4,  cpu_jcc_5,  cpu_jcc_6,  cpu_jcc_7,
	cpu_jcc_8,  cpu_jcc_9,  cpu_jcc_10, cpu_jcc_11,
	cpu_jcc_12, cpu_jcc_13, cpu_jcc_14, cpu_jcc_15,
};

/* What the CPU did, for every condition and flag combination. */
static bool cpu_taken(struct kunit *test, unsigned int cc, unsigned int combo)
{
	unsigned int r = cpu_jcc[cc](combo_flags(combo));

	/* Both encodings of one condition must agree on the hardware. */
	KUNIT_EXPECT_TRUE_MSG(test, r == 0 || r == 3, "j%s: rel8/rel32 disagree (%u)",
			      cc_name[cc], r);
	return r & 1;
}

/* text_poke_rs_cond() and the C int3_jcc_cond() against the CPU. */
static void jcc_cond_vs_cpu(struct kunit *test)
{
	unsigned int cc, i, cases = 0;

	for (cc = 0; cc < 16; cc++) {
		for (i = 0; i < TP_FLAG_COMBOS; i++) {
			unsigned long status = combo_flags(i);
			bool cpu = cpu_taken(test, cc, i);

			KUNIT_EXPECT_EQ_MSG(test, text_poke_rs_cond(cc, status), cpu,
					    "j%s flags %#lx", cc_name[cc], status);
			/* The other EFLAGS bits and the opcode's high nibble do not count. */
			KUNIT_EXPECT_EQ_MSG(test,
					    text_poke_rs_cond(0x70 | cc, status | ~TP_STATUS_FLAGS),
					    cpu, "j%s flags %#lx, others set", cc_name[cc], status);
			KUNIT_EXPECT_EQ_MSG(test, int3_jcc_cond(cc, status), cpu,
					    "C reference: j%s flags %#lx", cc_name[cc], status);
			cases++;
		}
	}
	KUNIT_EXPECT_EQ(test, cases, 16 * TP_FLAG_COMBOS);
}

/*
 * The Jcc @cc with @disp in @len bytes (2 or 6) at @addr, as text_poke_bp()
 * stores it (text_poke_rs_loc_init()), as its INT3 handler emulates it
 * (text_poke_rs_emulate()) and as kprobes does (int3_emulate_jcc()), against
 * the CPU for every flag combination.
 */
static void check_jcc_emulation(struct kunit *test, unsigned int cc, s32 disp,
				unsigned int len)
{
	const unsigned long addr = 0xffffffff81000350UL;
	u8 insn[6] = { 0x0f, 0x80 | cc }, opcode = 0;
	s32 got_disp = 0;
	unsigned int i;

	if (len == 6) {
		put_unaligned_le32(disp, &insn[2]);
	} else {
		insn[0] = 0x70 | cc;
		insn[1] = (u8)disp;
	}
	KUNIT_ASSERT_EQ(test, text_poke_rs_loc_init(insn, insn, len, &opcode, &got_disp), 0);
	KUNIT_EXPECT_EQ(test, opcode, 0x70 | cc);
	KUNIT_EXPECT_EQ(test, got_disp, disp);

	for (i = 0; i < TP_FLAG_COMBOS; i++) {
		unsigned long flags = combo_flags(i) | X86_EFLAGS_IF | X86_EFLAGS_FIXED;
		unsigned long want = addr + len;
		struct pt_regs regs = { .flags = flags };
		struct text_poke_rs_emu emu;

		if (cpu_taken(test, cc, i))
			want += disp;
		emu = text_poke_rs_emulate(opcode, len, got_disp, addr, flags);
		KUNIT_EXPECT_EQ(test, emu.action, TP_RS_JMP);
		KUNIT_EXPECT_EQ_MSG(test, emu.target, want, "j%s (%u bytes) flags %#lx",
				    cc_name[cc], len, flags);

		int3_emulate_jcc(&regs, cc, addr + len, disp);
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

/*
 * What text_poke_loc_init() computed with the kernel's instruction decoder
 * before the crate replaced it, with -EINVAL where it BUG()s.
 */
static int c_loc_init(const u8 *emulate, unsigned int len, u8 *opcode, s32 *disp)
{
	struct insn insn;
	unsigned int i;
	u8 op;

	if (insn_decode_kernel(&insn, emulate) < 0)
		return -EINVAL;
	op = insn.opcode.bytes[0];
	if (op == 0x0f && (insn.opcode.bytes[1] & 0xf0) == 0x80)
		op = insn.opcode.bytes[1] - 0x10;

	switch (op) {
	case RET_INSN_OPCODE:
	case JMP32_INSN_OPCODE:
	case JMP8_INSN_OPCODE:
		for (i = insn.length; i < len; i++)
			if (emulate[i] != INT3_INSN_OPCODE)
				return -EINVAL;
		break;
	default:
		if (insn.length != len)
			return -EINVAL;
	}

	switch (op) {
	case INT3_INSN_OPCODE:
	case RET_INSN_OPCODE:
		*disp = 0;
		break;
	case CALL_INSN_OPCODE:
	case JMP32_INSN_OPCODE:
	case JMP8_INSN_OPCODE:
	case 0x70 ... 0x7f:
		*disp = insn.immediate.value;
		break;
	default:
		if ((len != 2 && len != 5) || memcmp(emulate, x86_nops[len], len))
			return -EINVAL;
		op = len == 2 ? JMP8_INSN_OPCODE : JMP32_INSN_OPCODE;
		*disp = 0;
	}
	*opcode = op;
	return 0;
}

struct loc_case {
	const char *name;
	u8 text[8];		/* @len bytes; INT3 after them */
	unsigned int len;
	int ret;		/* what the crate must return */
	bool stricter;		/* the decoder would take it, the crate must not */
};

static const struct loc_case loc_cases[] = {
	{ "int3",		{ 0xcc },				1, 0 },
	{ "ret",		{ 0xc3 },				1, 0 },
	{ "ret; int3 x4",	{ 0xc3, 0xcc, 0xcc, 0xcc, 0xcc },	5, 0 },
	{ "call.d32 +",		{ 0xe8, 0x10, 0x32, 0x54, 0x00 },	5, 0 },
	{ "call.d32 -",		{ 0xe8, 0xf0, 0xff, 0xff, 0xff },	5, 0 },
	{ "jmp.d32",		{ 0xe9, 0x00, 0x00, 0x00, 0x80 },	5, 0 },
	{ "jmp.d8",		{ 0xeb, 0x7f },				2, 0 },
	{ "jmp.d8; int3 x3",	{ 0xeb, 0x80, 0xcc, 0xcc, 0xcc },	5, 0 },
	{ "nop2",		{ 0x66, 0x90 },				2, 0 },
	{ "nop5",		{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },	5, 0 },
	{ "jo.d32",		{ 0x0f, 0x80, 0x01, 0x00, 0x00, 0x00 }, 6, 0 },
	{ "jne.d32",		{ 0x0f, 0x85, 0xfa, 0xff, 0xff, 0xff }, 6, 0 },
	{ "jg.d32",		{ 0x0f, 0x8f, 0x00, 0x00, 0x00, 0x7f }, 6, 0 },
	{ "jb.d8",		{ 0x72, 0x05 },				2, 0 },
	{ "jle.d8",		{ 0x7e, 0xfe },				2, 0 },
	/* Errors: what text_poke_loc_init() BUG()s on. */
	{ "ret; nop",		{ 0xc3, 0x90, 0xcc, 0xcc, 0xcc },	5, -EINVAL },
	{ "jmp.d8; nop",	{ 0xeb, 0x00, 0x90, 0xcc, 0xcc },	5, -EINVAL },
	{ "call.d32; int3",	{ 0xe8, 0x00, 0x00, 0x00, 0x00, 0xcc }, 6, -EINVAL },
	{ "jne.d8; int3",	{ 0x75, 0x00, 0xcc },			3, -EINVAL },
	{ "nop1",		{ 0x90 },				1, -EINVAL },
	{ "mov %rdi,%rax",	{ 0x48, 0x89, 0xf8 },			3, -EINVAL },
	{ "call *%rax",		{ 0xff, 0xd0 },				2, -EINVAL },
	{ "other nop5",		{ 0x0f, 0x1f, 0x44, 0x00, 0x08 },	5, -EINVAL },
	{ "xor5rax alone",	{ 0x2e, 0x2e, 0x2e, 0x31, 0xc0 },	5, -EINVAL },
	/* Prefixed forms that text_poke_bp() is never given. */
	{ "cs call.d32",	{ 0x2e, 0xe8, 0x00, 0x00, 0x00, 0x00 }, 6, -EINVAL, true },
	{ "ds jne.d32",		{ 0x3e, 0x0f, 0x85, 0x00, 0x00, 0x00, 0x00 }, 7, -EINVAL, true },
	{ "cs jmp.d32",		{ 0x2e, 0xe9, 0x00, 0x00, 0x00, 0x00 }, 6, -EINVAL, true },
};

static void loc_case_desc(const struct loc_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(loc, loc_cases, loc_case_desc);

/* text_poke_rs_loc_init() against the C decoder, case by case. */
static void loc_init_vs_decoder(struct kunit *test)
{
	const struct loc_case *c = test->param_value;
	u8 text[MAX_INSN_SIZE + 1], op = 0x5a, c_op = 0;
	s32 disp = 0x5a5a, c_disp = 0;
	int ret, c_ret;

	/* The decoder may read MAX_INSN_SIZE bytes. */
	memset(text, INT3_INSN_OPCODE, sizeof(text));
	memcpy(text, c->text, c->len);
	ret = text_poke_rs_loc_init(text, text, c->len, &op, &disp);
	KUNIT_EXPECT_EQ(test, ret, c->ret);
	if (ret) {
		/* Nothing written on error. */
		KUNIT_EXPECT_EQ(test, op, 0x5a);
		KUNIT_EXPECT_EQ(test, disp, 0x5a5a);
	}

	c_ret = c_loc_init(text, c->len, &c_op, &c_disp);
	if (c->stricter) {
		KUNIT_EXPECT_EQ_MSG(test, c_ret, 0, "the decoder takes %s", c->name);
		return;
	}
	KUNIT_EXPECT_EQ(test, ret, c_ret);
	if (!ret && !c_ret) {
		KUNIT_EXPECT_EQ(test, op, c_op);
		KUNIT_EXPECT_EQ(test, disp, c_disp);
	}
}

/* Text written while another instruction is emulated, and the error paths. */
static void loc_init_emulate_and_errors(struct kunit *test)
{
	static const u8 xor5rax[] = { 0x2e, 0x2e, 0x2e, 0x31, 0xc0 };
	static const u8 call[] = { 0xe8, 0x78, 0x56, 0x34, 0x12 };
	const unsigned long addr = 0xffffffff81000350UL;
	struct text_poke_rs_emu emu;
	s32 disp = 0x5a5a;
	u8 op = 0x5a;

	/* static_call writes xor5rax and emulates the CALL it stands for. */
	KUNIT_ASSERT_EQ(test, text_poke_rs_loc_init(xor5rax, call, 5, &op, &disp), 0);
	KUNIT_EXPECT_EQ(test, op, CALL_INSN_OPCODE);
	KUNIT_EXPECT_EQ(test, disp, 0x12345678);
	emu = text_poke_rs_emulate(op, 5, disp, addr, 0);
	KUNIT_EXPECT_EQ(test, emu.action, TP_RS_CALL);
	KUNIT_EXPECT_EQ(test, emu.target, addr + 5 + 0x12345678);

	/* Lengths out of range: nothing read or written. */
	op = 0x5a;
	KUNIT_EXPECT_EQ(test, text_poke_rs_loc_init(call, call, 0, &op, &disp), -EINVAL);
	KUNIT_EXPECT_EQ(test, text_poke_rs_loc_init(call, call, 7, &op, &disp), -EINVAL);
	KUNIT_EXPECT_EQ(test, op, 0x5a);

	/* The other actions of the INT3 handler. */
	emu = text_poke_rs_emulate(INT3_INSN_OPCODE, 1, 0, addr, 0);
	KUNIT_EXPECT_EQ(test, emu.action, TP_RS_PASS);
	emu = text_poke_rs_emulate(RET_INSN_OPCODE, 5, 0, addr, 0);
	KUNIT_EXPECT_EQ(test, emu.action, TP_RS_RET);
	emu = text_poke_rs_emulate(JMP32_INSN_OPCODE, 5, -5, addr, 0);
	KUNIT_EXPECT_EQ(test, emu.action, TP_RS_JMP);
	KUNIT_EXPECT_EQ(test, emu.target, addr);
	emu = text_poke_rs_emulate(JMP8_INSN_OPCODE, 2, 0, addr, 0);
	KUNIT_EXPECT_EQ(test, emu.target, addr + 2);
	/* A compact form that loc_init never makes: the handler BUG()s on it. */
	emu = text_poke_rs_emulate(0x90, 1, 0, addr, 0);
	KUNIT_EXPECT_EQ(test, emu.action, TP_RS_INVALID);
	emu = text_poke_rs_emulate(0x0f, 6, 0, addr, 0);
	KUNIT_EXPECT_EQ(test, emu.action, TP_RS_INVALID);
}

/* Static call sites: a buffer that holds one, and the targets around it. */
struct sc_fixture {
	u8 site[16];
	struct text_poke_rs_sc_env env;
};

enum { SC_CALL, SC_NOP, SC_JMP, SC_RET };	/* enum insn_type of static_call.c */

static void sc_put(struct sc_fixture *f, const u8 *bytes, unsigned int len)
{
	memset(f->site, INT3_INSN_OPCODE, sizeof(f->site));
	memcpy(f->site, bytes, len);
}

static void sc_env(struct sc_fixture *f, bool rethunk)
{
	unsigned long a = (unsigned long)f->site;

	f->env = (struct text_poke_rs_sc_env) {
		.func = a + 0x10000,
		.ret0 = a - 0x2000,
		.ret = a - 0x1000,
		.rethunk_at = rethunk ? a + 0x3000 : 0,
		.rethunk = rethunk ? a + 0x3000 : 0,
	};
}

/* The bytes that the C helpers make for @type at the site now in @f. */
static unsigned int sc_expect(struct sc_fixture *f, unsigned int type, u8 *code)
{
	const struct text_poke_rs_sc_env *e = &f->env;
	u8 *site = f->site;

	if (site[0] == 0x0f && (site[1] & 0xf0) == 0x80 &&
	    (type == SC_JMP || type == SC_RET)) {
		unsigned long dest = type == SC_JMP ? e->func : e->rethunk ?: e->ret;

		code[0] = 0x0f;
		code[1] = site[1];
		put_unaligned_le32(dest - (unsigned long)(site + 6), &code[2]);
		return 6;
	}
	switch (type) {
	case SC_CALL:
		if (e->func == e->ret0) {
			memcpy(code, "\x2e\x2e\x2e\x31\xc0", 5);
			return 5;
		}
		memcpy(code, text_gen_insn(CALL_INSN_OPCODE, site, (void *)e->func), 5);
		return 5;
	case SC_NOP:
		memcpy(code, x86_nops[5], 5);
		return 5;
	case SC_JMP:
		memcpy(code, text_gen_insn(JMP32_INSN_OPCODE, site, (void *)e->func), 5);
		return 5;
	default:
		if (e->rethunk_at) {
			memcpy(code, text_gen_insn(JMP32_INSN_OPCODE, site,
						   (void *)e->rethunk_at), 5);
			return 5;
		}
		memset(code, INT3_INSN_OPCODE, 5);
		code[0] = RET_INSN_OPCODE;
		return 5;
	}
}

static const struct {
	const char *name;
	u8 bytes[6];
	unsigned int len;
	bool tail;
} sc_sites[] = {
	{ "call.d32",	{ 0xe8, 0x00, 0x10, 0x00, 0x00 }, 5, false },
	{ "nop5",	{ 0x0f, 0x1f, 0x44, 0x00, 0x00 }, 5, false },
	{ "xor5rax",	{ 0x2e, 0x2e, 0x2e, 0x31, 0xc0 }, 5, false },
	{ "jmp.d32",	{ 0xe9, 0x00, 0x10, 0x00, 0x00 }, 5, true },
	{ "ret",	{ 0xc3, 0xcc, 0xcc, 0xcc, 0xcc }, 5, true },
	{ "jne.d32",	{ 0x0f, 0x85, 0x00, 0x10, 0x00, 0x00 }, 6, true },
	{ "je.d32",	{ 0x0f, 0x84, 0x00, 0x10, 0x00, 0x00 }, 6, true },
	{ "js.d32",	{ 0x0f, 0x88, 0xf0, 0xff, 0xff, 0xff }, 6, true },
	{ "jg.d32",	{ 0x0f, 0x8f, 0x00, 0x10, 0x00, 0x00 }, 6, true },
};

/* One patch of site form @s to @type, against the C encodings. */
static void check_sc_transform(struct kunit *test, struct sc_fixture *f,
			       unsigned int s, unsigned int type, bool rethunk, bool ret0)
{
	struct text_poke_rs_patch p;
	unsigned int len;
	u8 want[6];

	sc_put(f, sc_sites[s].bytes, sc_sites[s].len);
	sc_env(f, rethunk);
	if (ret0)
		f->env.func = f->env.ret0;
	len = sc_expect(f, type, want);
	memset(&p, 0x5a, sizeof(p));
	KUNIT_ASSERT_EQ(test, text_poke_rs_sc_transform(f->site, type, &f->env, &p), 0);
	KUNIT_EXPECT_EQ_MSG(test, p.len, len, "%s type %u", sc_sites[s].name, type);
	KUNIT_EXPECT_MEMEQ_MSG(test, p.code, want, len, "%s type %u rethunk %d ret0 %d",
			       sc_sites[s].name, type, rethunk, ret0);
	/* Only xor5rax needs another instruction under INT3: the CALL. */
	if (type == SC_CALL && ret0) {
		KUNIT_EXPECT_EQ(test, p.emulate_len, 5);
		KUNIT_EXPECT_MEMEQ(test, p.emulate, text_gen_insn(CALL_INSN_OPCODE, f->site,
								  (void *)f->env.ret0), 5);
	} else {
		KUNIT_EXPECT_EQ(test, p.emulate_len, 0);
	}
}

/*
 * text_poke_rs_sc_transform() against the encodings of the C helpers, for
 * every site form and type, with and without a return thunk, to ordinary
 * targets and to __static_call_return0.
 */
static void sc_transform_vs_c(struct kunit *test)
{
	struct sc_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	unsigned int s, type, variant;

	KUNIT_ASSERT_NOT_NULL(test, f);
	for (s = 0; s < ARRAY_SIZE(sc_sites); s++)
		for (type = SC_CALL; type <= SC_RET; type++)
			for (variant = 0; variant < 4; variant++)
				check_sc_transform(test, f, s, type, variant & 1, variant & 2);
}

/* The checks of static_call_init(): accepted forms and what they report. */
static void sc_check_forms(struct kunit *test)
{
	struct sc_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	static const u8 tramp_jmp[] = { 0xe9, 0, 0, 0, 0, 0x0f, 0xb9, 0xcc };
	static const u8 tramp_ret[] = { 0xc3, 0xcc, 0xcc, 0xcc, 0xcc, 0x0f, 0xb9, 0xcc };
	struct text_poke_rs_site s;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	for (i = 0; i < ARRAY_SIZE(sc_sites); i++) {
		bool jcc = sc_sites[i].bytes[0] == 0x0f && sc_sites[i].bytes[1] != 0x1f;

		sc_put(f, sc_sites[i].bytes, sc_sites[i].len);
		KUNIT_EXPECT_EQ_MSG(test, text_poke_rs_sc_check(f->site, sc_sites[i].tail,
								false, &s), 0,
				    "%s", sc_sites[i].name);
		/* Six bytes are read when the first is 0x0f (a Jcc.d32 or not). */
		KUNIT_EXPECT_EQ(test, s.len, sc_sites[i].bytes[0] == 0x0f ? 6 : 5);
		/* The other kind of site does not take it. */
		KUNIT_EXPECT_EQ_MSG(test, text_poke_rs_sc_check(f->site, !sc_sites[i].tail,
								false, &s), -EINVAL,
				    "%s", sc_sites[i].name);
		/* A Jcc.d32 tail call is reported with its condition and target. */
		sc_put(f, sc_sites[i].bytes, sc_sites[i].len);
		KUNIT_ASSERT_EQ(test, text_poke_rs_sc_check(f->site, true, false, &s),
				sc_sites[i].tail ? 0 : -EINVAL);
		if (!jcc) {
			KUNIT_EXPECT_NULL(test, s.jcc);
			continue;
		}
		KUNIT_ASSERT_NOT_NULL(test, s.jcc);
		KUNIT_EXPECT_EQ(test, s.jcc[0], 'j');
		KUNIT_EXPECT_STREQ(test, s.jcc + 1, cc_name[sc_sites[i].bytes[1] & 0xf]);
		KUNIT_EXPECT_EQ(test, s.target, (unsigned long)f->site + 6 +
				(s32)get_unaligned_le32(&sc_sites[i].bytes[2]));
	}

	sc_put(f, tramp_jmp, sizeof(tramp_jmp));
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_check(f->site, true, true, &s), 0);
	KUNIT_EXPECT_EQ(test, s.len, 8);
	KUNIT_EXPECT_NULL(test, s.jcc);
	sc_put(f, tramp_ret, sizeof(tramp_ret));
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_check(f->site, true, true, &s), 0);
}

/* What static_call.c reports and leaves alone: nothing is ever written. */
static void sc_errors(struct kunit *test)
{
	struct sc_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	static const u8 cs_call[] = { 0x2e, 0xe8, 0, 0, 0, 0 };
	static const u8 jne[] = { 0x0f, 0x85, 0, 0, 0, 0 };
	static const u8 call[] = { 0xe8, 0, 0, 0, 0 };
	static const u8 mov[] = { 0x48, 0x89, 0xf8, 0x90, 0x90 };
	static const u8 jmp_no_sig[] = { 0xe9, 0, 0, 0, 0, 0x0f, 0x0b, 0xcc };
	static const u8 jne_tramp[] = { 0x0f, 0x85, 0, 0, 0, 0, 0x0f, 0xb9 };
	struct text_poke_rs_patch p, untouched;
	struct text_poke_rs_site s;

	KUNIT_ASSERT_NOT_NULL(test, f);

	/* Unknown bytes: -EINVAL, with what was expected for the message. */
	sc_put(f, cs_call, sizeof(cs_call));
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_check(f->site, false, false, &s), -EINVAL);
	KUNIT_EXPECT_EQ(test, s.len, 5);
	KUNIT_EXPECT_NOT_NULL(test, strstr(s.expected, "call.d32"));
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_check(f->site, true, false, &s), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, strstr(s.expected, "jcc.d32"));
	sc_put(f, mov, sizeof(mov));
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_check(f->site, false, false, &s), -EINVAL);
	sc_put(f, jmp_no_sig, sizeof(jmp_no_sig));
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_check(f->site, true, true, &s), -EINVAL);
	KUNIT_EXPECT_EQ(test, s.len, 8);
	KUNIT_EXPECT_NOT_NULL(test, strstr(s.expected, "ud1"));
	/* A trampoline is never a Jcc. */
	sc_put(f, jne_tramp, sizeof(jne_tramp));
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_check(f->site, true, true, &s), -EINVAL);

	memset(&untouched, 0x5a, sizeof(untouched));

	/* Unknown site bytes and unknown types. */
	sc_env(f, false);
	sc_put(f, mov, sizeof(mov));
	p = untouched;
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_transform(f->site, SC_CALL, &f->env, &p), -EINVAL);
	KUNIT_EXPECT_MEMEQ(test, &p, &untouched, sizeof(p));
	sc_put(f, jne, sizeof(jne));
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_transform(f->site, SC_RET + 1, &f->env, &p),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_transform(f->site, ~0U, &f->env, &p), -EINVAL);
	KUNIT_EXPECT_MEMEQ(test, &p, &untouched, sizeof(p));

	/* Targets out of reach of a rel32: -ERANGE. */
	f->env.func = (unsigned long)f->site + 0x80000000UL + 6;
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_transform(f->site, SC_JMP, &f->env, &p), -ERANGE);
	f->env.func = (unsigned long)f->site - 0x80000001UL;
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_transform(f->site, SC_JMP, &f->env, &p), -ERANGE);
	f->env.ret = f->env.func;
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_transform(f->site, SC_RET, &f->env, &p), -ERANGE);
	sc_put(f, call, sizeof(call));
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_transform(f->site, SC_CALL, &f->env, &p), -ERANGE);
	KUNIT_EXPECT_MEMEQ(test, &p, &untouched, sizeof(p));

	/* The edges of the reach still encode. */
	f->env.func = (unsigned long)f->site + 5 + 0x7fffffffUL;
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_transform(f->site, SC_CALL, &f->env, &p), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(&p.code[1]), 0x7fffffffU);
	f->env.func = (unsigned long)f->site + 5 - 0x80000000UL;
	KUNIT_EXPECT_EQ(test, text_poke_rs_sc_transform(f->site, SC_CALL, &f->env, &p), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(&p.code[1]), 0x80000000U);
}

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

	if (!IS_ENABLED(CONFIG_KPROBES))
		kunit_skip(test, "needs CONFIG_KPROBES");

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
	KUNIT_ASSERT_EQ(test, register_kprobe(&jg->kp), 0);
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

static struct kunit_case text_poke_rs_cases[] = {
	KUNIT_CASE(jcc_cond_vs_cpu),
	KUNIT_CASE(jcc_emulate_vs_cpu),
	KUNIT_CASE_PARAM(loc_init_vs_decoder, loc_gen_params),
	KUNIT_CASE(loc_init_emulate_and_errors),
	KUNIT_CASE(sc_transform_vs_c),
	KUNIT_CASE(sc_check_forms),
	KUNIT_CASE(sc_errors),
	KUNIT_CASE(kprobe_on_jcc),
	{}
};

static struct kunit_suite text_poke_rs_suite = {
	.name = "x86_text_poke_rs",
	.test_cases = text_poke_rs_cases,
};
kunit_test_suite(text_poke_rs_suite);
