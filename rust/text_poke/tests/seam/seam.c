// SPDX-License-Identifier: GPL-2.0
/*
 * The C text patching decisions, <asm/static_call_insn.h> and
 * <asm/text-poke-insn-c.h> of the kernel tree (with the condition of
 * <asm/text-patching.h>), built for the host with the shims of include/,
 * for tests/seam.rs to time against the crate. Each function is what the
 * kernel inlines where it calls the seam with X86_TEXT_POKE_RUST=n.
 */
#include <asm/static_call_insn.h>
#include <asm/text-poke-insn-c.h>

/* The targets that the C code compares with; never called. */
long __static_call_return0(void)
{
	return 0;
}

void __WARN_trap(void)
{
}

void __static_call_return(void)
{
}

void x86_return_thunk(void)
{
}

static const unsigned char nop2[] = { BYTES_NOP2 };
static const unsigned char nop5[] = { BYTES_NOP5 };
const unsigned char * const x86_nops[] = { [2] = nop2, [5] = nop5 };

/* The targets above, for the bench to pass where the kernel would. */
void tp_c_targets(unsigned long t[4])
{
	t[0] = (unsigned long)__static_call_return0;
	t[1] = (unsigned long)__WARN_trap;
	t[2] = (unsigned long)__static_call_return;
	t[3] = (unsigned long)x86_return_thunk;
}

int tp_c_sc_check(const u8 *insn, bool tail, bool tramp, struct text_poke_sc_site *site)
{
	return text_poke_sc_check(insn, tail, tramp, site);
}

int tp_c_sc_patch(void *insn, int type, void *func, struct text_poke_sc_patch *p)
{
	return text_poke_sc_patch(insn, type, func, p);
}

int tp_c_classify(const u8 *text, const u8 *emulate, unsigned int len, u8 *opcode, s32 *disp)
{
	return text_poke_classify(text, emulate, len, opcode, disp);
}

struct text_poke_emu tp_c_emulate(u8 opcode, u8 len, s32 disp, unsigned long ip,
				  unsigned long flags)
{
	return text_poke_emulate(opcode, len, disp, ip, flags);
}

bool tp_c_cond(unsigned long flags, u8 cc)
{
	return text_poke_cond(flags, cc);
}
