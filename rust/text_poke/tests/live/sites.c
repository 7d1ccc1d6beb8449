// SPDX-License-Identifier: GPL-2.0
/*
 * Functions that clang -Os ends in conditional tail calls to a static call
 * style trampoline, like amd_pmu_add_event() does. tests/live.rs loads this
 * as a shared object and patches their Jcc.d32 sites while threads run them.
 */
/* Exported but bound locally: direct calls and jumps, no PLT. */
#define LOCAL __attribute__((visibility("protected")))

LOCAL void sc_tramp(long x);

/* Where a call landed: set by the targets, read back by the caller. */
static __thread int sc_landed;

LOCAL void sc_target_a(long x) { sc_landed = 1; }
LOCAL void sc_target_b(long x) { sc_landed = 2; }

/* Where the last call of this thread landed (0: nowhere), and reset. */
int sc_take(void)
{
	int l = sc_landed;

	sc_landed = 0;
	return l;
}

/* The trampoline and the NULL target: a plain return. */
__asm__(".pushsection .text\n"
	".globl sc_tramp\n .protected sc_tramp\n .type sc_tramp, @function\n"
	"sc_tramp: jmp sc_target_a\n ud2\n .size sc_tramp, . - sc_tramp\n"
	".globl sc_return\n .protected sc_return\n .type sc_return, @function\n"
	"sc_return: ret\n int3\n .size sc_return, . - sc_return\n"
	".popsection");

LOCAL void site_ne(long x)  { if (x != 0) sc_tramp(x); }
LOCAL void site_e(long x)   { if (x == 7) sc_tramp(x); }
LOCAL void site_g(long x)   { if (x > 5) sc_tramp(x); }
LOCAL void site_le(long x)  { if (x <= 5) sc_tramp(x); }
LOCAL void site_l(long x)   { if (x < -3) sc_tramp(x); }
LOCAL void site_ge(long x)  { if (x >= -3) sc_tramp(x); }
LOCAL void site_a(unsigned long x)  { if (x > 9) sc_tramp(x); }
LOCAL void site_be(unsigned long x) { if (x <= 9) sc_tramp(x); }
LOCAL void site_s(long x)   { if (x & (1L << 63)) sc_tramp(x); }
LOCAL void site_ns(long x)  { if (x >= 0) sc_tramp(x); }
