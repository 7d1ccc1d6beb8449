// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test of static call updates on x86: an update of a key with more
 * inline sites than one batch of smp_text_poke_batch_add() holds retargets
 * the trampoline and every site, with the number of synchronisations of
 * all CPUs that batching promises (CONFIG_HAVE_STATIC_CALL_BATCH), or one
 * site at a time without it.
 */
#include <kunit/test.h>
#include <linux/kprobes.h>
#include <linux/static_call.h>
#include <linux/text-patching.h>
#include <linux/unaligned.h>

extern struct static_call_site __start_static_call_sites[], __stop_static_call_sites[];

/*
 * A key with more inline sites than one batch of smp_text_poke_batch_add()
 * holds: TEXT_POKE_ARRAY_MAX, a page of 16-byte struct smp_text_poke_loc.
 */
#define TP_MANY_SITES	300
#define TP_BATCH_MAX	(PAGE_SIZE / 16)

static int tp_many_a(int x)
{
	return x + 1;
}

static int tp_many_b(int x)
{
	return x + 2;
}

DEFINE_STATIC_CALL(tp_many, tp_many_a);

static __always_inline int tp_many_4(int x)
{
	x = static_call(tp_many)(x);
	x = static_call(tp_many)(x);
	x = static_call(tp_many)(x);
	return static_call(tp_many)(x);
}

static __always_inline int tp_many_20(int x)
{
	return tp_many_4(tp_many_4(tp_many_4(tp_many_4(tp_many_4(x)))));
}

static __always_inline int tp_many_100(int x)
{
	return tp_many_20(tp_many_20(tp_many_20(tp_many_20(tp_many_20(x)))));
}

/* TP_MANY_SITES inline sites: the sum says where the calls went. */
static noinline int tp_many_sites(int x)
{
	return tp_many_100(tp_many_100(tp_many_100(x)));
}

/* Whether the rel32 call or jump at @insn goes to @func. */
static bool tp_branches_to(const u8 *insn, void *func)
{
	/* No relocation into the middle of the trampoline (objtool, IBT). */
	OPTIMIZER_HIDE_VAR(insn);
	return (insn[0] == CALL_INSN_OPCODE || insn[0] == JMP32_INSN_OPCODE) &&
	       insn + 5 + (s32)get_unaligned_le32(insn + 1) == func;
}

/* The inline sites of tp_many that call or jump to @func; @n: all of them. */
static unsigned int tp_many_sites_on(void *func, unsigned int *n)
{
	struct static_call_site *site;
	unsigned int on = 0;

	*n = 0;
	for (site = __start_static_call_sites; site < __stop_static_call_sites; site++) {
		unsigned long key = (long)site->key + (long)&site->key;
		u8 *insn = (u8 *)((long)site->addr + (long)&site->addr);

		if ((key & ~STATIC_CALL_SITE_FLAGS) != (unsigned long)&STATIC_CALL_KEY(tp_many))
			continue;
		(*n)++;
		on += tp_branches_to(insn, func);
	}
	return on;
}

/* The key, the trampoline and every inline site of tp_many are on @func. */
static void tp_many_expect_on(struct kunit *test, int (*func)(int), int sum)
{
	unsigned int n;

	KUNIT_EXPECT_PTR_EQ(test, static_call_query(tp_many), func);
	KUNIT_EXPECT_TRUE(test, tp_branches_to((u8 *)STATIC_CALL_TRAMP_ADDR(tp_many), func));
	KUNIT_EXPECT_EQ(test, tp_many_sites_on(func, &n), TP_MANY_SITES);
	KUNIT_EXPECT_EQ(test, n, TP_MANY_SITES);
	KUNIT_EXPECT_EQ(test, tp_many_sites(0), sum);
}

#ifdef CONFIG_KPROBES
static struct task_struct *tp_sync_task;
static atomic_t tp_syncs;

static int tp_sync_pre(struct kprobe *kp, struct pt_regs *regs)
{
	if (current == READ_ONCE(tp_sync_task))
		atomic_inc(&tp_syncs);
	return 0;
}

/* A post_handler keeps the probe an INT3: an optimised one pokes text. */
static void tp_sync_post(struct kprobe *kp, struct pt_regs *regs, unsigned long flags)
{
}

/*
 * The synchronisations of all CPUs that this task's static_call_update()
 * of tp_many to @func takes. Each runs do_sync_core() on every CPU, here in
 * this task: the probe counts those. (smp_text_poke_sync_each_cpu() is
 * inlined into its callers in alternative.c, a probe on it sees none.)
 */
static int tp_many_update(struct kunit *test, int (*func)(int))
{
	struct kprobe kp = {
		.symbol_name = "do_sync_core",
		.pre_handler = tp_sync_pre,
		.post_handler = tp_sync_post,
	};

	KUNIT_ASSERT_EQ(test, register_kprobe(&kp), 0);
	atomic_set(&tp_syncs, 0);
	WRITE_ONCE(tp_sync_task, current);
	static_call_update(tp_many, func);
	WRITE_ONCE(tp_sync_task, NULL);
	unregister_kprobe(&kp);
	return atomic_read(&tp_syncs);
}
#else
/* Without kprobes the update is checked, its synchronisations not counted. */
static int tp_many_update(struct kunit *test, int (*func)(int))
{
	static_call_update(tp_many, func);
	return -1;
}
#endif

/*
 * An update of a key with more sites than a batch holds retargets the
 * trampoline and every site. Batched (CONFIG_HAVE_STATIC_CALL_BATCH), it
 * takes three synchronisations of all CPUs per batch, the trampoline one
 * entry of it; one at a time, three per site and three for the trampoline.
 */
static void static_call_many_sites(struct kunit *test)
{
	unsigned int batches = DIV_ROUND_UP(TP_MANY_SITES + 1, TP_BATCH_MAX);
	int syncs;

	if (!IS_ENABLED(CONFIG_HAVE_STATIC_CALL_BATCH))
		batches = TP_MANY_SITES + 1;
	KUNIT_ASSERT_GT(test, TP_MANY_SITES, TP_BATCH_MAX);
	tp_many_expect_on(test, tp_many_a, TP_MANY_SITES);

	syncs = tp_many_update(test, tp_many_b);
	tp_many_expect_on(test, tp_many_b, 2 * TP_MANY_SITES);
	if (syncs >= 0)
		KUNIT_EXPECT_EQ(test, syncs, 3 * batches);
	kunit_info(test, "%u sites: %d synchronisations (want %u)\n", TP_MANY_SITES, syncs,
		   3 * batches);

	syncs = tp_many_update(test, tp_many_a);
	tp_many_expect_on(test, tp_many_a, TP_MANY_SITES);
	if (syncs >= 0)
		KUNIT_EXPECT_EQ(test, syncs, 3 * batches);
}

static struct kunit_case x86_static_call_cases[] = {
	KUNIT_CASE(static_call_many_sites),
	{}
};

static struct kunit_suite x86_static_call_suite = {
	.name = "x86_static_call",
	.test_cases = x86_static_call_cases,
};

kunit_test_suite(x86_static_call_suite);

MODULE_DESCRIPTION("KUnit test of x86 static call updates");
MODULE_LICENSE("GPL");
