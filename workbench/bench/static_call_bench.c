// SPDX-License-Identifier: GPL-2.0
/*
 * static_call_bench: what one static_call_update() costs for keys with 1,
 * 16, 64 and 256 inline sites (workbench/bench.sh, `make bench`).
 *
 * Each key is updated back and forth between two targets: by the kernel's
 * static_call_update() ("batched" where the architecture batches), and by
 * the per-site path that the kernel used before batching, one
 * arch_static_call_transform() for the trampoline and one per site
 * ("unbatched"). For each it reports:
 *   - the synchronisations of all CPUs per update, counted with a kprobe on
 *     do_sync_core(), which each runs on every CPU, counting this task's
 *     calls only (smp_text_poke_sync_each_cpu() itself is inlined into
 *     smp_text_poke_batch_finish(): a probe on it sees no update), and the
 *     count that batching should give, 3 * ceil((N + 1) / 256);
 *   - the median time per update, in a second pass without the kprobe.
 * After every update, each site is called once and must reach the new
 * target. Not for the kernel tree: it calls the per-site path itself.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/sort.h>
#include <linux/static_call.h>

static unsigned int updates = 11;
module_param(updates, uint, 0444);
MODULE_PARM_DESC(updates, "updates per key and path (the median is printed)");

#define SCB_UPDATES_MAX	101
#define SCB_BATCH_MAX	(PAGE_SIZE / 16)	/* TEXT_POKE_ARRAY_MAX */

static int scb_a(int x)
{
	return x + 1;
}

static int scb_b(int x)
{
	return x + 2;
}

#define R1(s)	s
#define R4(s)	R1(s) R1(s) R1(s) R1(s)
#define R16(s)	R4(s) R4(s) R4(s) R4(s)
#define R64(s)	R16(s) R16(s) R16(s) R16(s)
#define R256(s)	R64(s) R64(s) R64(s) R64(s)

/* Key scb_N: N inline sites in scb_sites_N(), called in a row. */
#define SCB_KEY(n)							\
DEFINE_STATIC_CALL(scb_##n, scb_a);					\
static noinline int scb_sites_##n(int x)				\
{									\
	R##n(x = static_call(scb_##n)(x);)				\
	return x;							\
}									\
static void scb_update_##n(int (*func)(int))				\
{									\
	static_call_update(scb_##n, func);				\
}

SCB_KEY(1)
SCB_KEY(16)
SCB_KEY(64)
SCB_KEY(256)

static const struct scb_key {
	unsigned int n;
	struct static_call_key *key;
	void *tramp;
	int (*sites)(int x);
	void (*update)(int (*func)(int));
} scb_keys[] = {
#define SCB_ENTRY(n) { n, &STATIC_CALL_KEY(scb_##n), &STATIC_CALL_TRAMP(scb_##n), \
		       scb_sites_##n, scb_update_##n }
	SCB_ENTRY(1), SCB_ENTRY(16), SCB_ENTRY(64), SCB_ENTRY(256),
};

/*
 * The path of static_call_update() before batching: the trampoline check,
 * the trampoline, then every site of the key in this module, each patched
 * on its own. Nothing else updates these keys, so the static call lock is
 * not needed, and all their sites are in this module's text, none __init.
 */
static void scb_update_unbatched(const struct scb_key *k, int (*func)(int))
{
	struct static_call_site *site, *end;

	end = THIS_MODULE->static_call_sites + THIS_MODULE->num_static_call_sites;
	cpus_read_lock();
	if (!arch_static_call_tramp_ok(k->tramp)) {
		cpus_read_unlock();
		return;
	}
	WRITE_ONCE(k->key->func, func);
	arch_static_call_transform(NULL, k->tramp, func, false);
	for (site = THIS_MODULE->static_call_sites; site < end; site++) {
		unsigned long key = (long)site->key + (long)&site->key;

		if ((key & ~STATIC_CALL_SITE_FLAGS) != (unsigned long)k->key)
			continue;
		arch_static_call_transform((void *)((long)site->addr + (long)&site->addr),
					   k->tramp, func, key & STATIC_CALL_SITE_TAIL);
	}
	cpus_read_unlock();
}

static struct task_struct *scb_task;
static atomic_t scb_syncs;

static int scb_sync_pre(struct kprobe *kp, struct pt_regs *regs)
{
	if (current == READ_ONCE(scb_task))
		atomic_inc(&scb_syncs);
	return 0;
}

/* A post_handler keeps the probe an INT3: an optimised one pokes text. */
static void scb_sync_post(struct kprobe *kp, struct pt_regs *regs, unsigned long flags)
{
}


static int scb_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * @count updates of @k by @batched or the per-site path, the first to
 * target B. Returns false if a call went astray; the synchronisations of
 * each update go to @syncs when the kprobe is on, the times to @ns.
 */
static bool scb_run(const struct scb_key *k, bool batched, unsigned int count,
		    int *syncs, u64 *ns)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		int (*func)(int) = i & 1 ? scb_a : scb_b;
		u64 t0;

		atomic_set(&scb_syncs, 0);
		WRITE_ONCE(scb_task, current);
		t0 = ktime_get_ns();
		if (batched)
			k->update(func);
		else
			scb_update_unbatched(k, func);
		ns[i] = ktime_get_ns() - t0;
		WRITE_ONCE(scb_task, NULL);
		syncs[i] = atomic_read(&scb_syncs);
		if (k->sites(0) != k->n * (func == scb_b ? 2 : 1)) {
			pr_err("FAIL: N=%u %s: the calls did not all reach %ps\n", k->n,
			       batched ? "batched" : "unbatched", func);
			return false;
		}
	}
	/* Back to A for the next run. */
	if (count & 1) {
		if (batched)
			k->update(scb_a);
		else
			scb_update_unbatched(k, scb_a);
	}
	return true;
}

static int scb_syncs_buf[SCB_UPDATES_MAX];
static u64 scb_ns[SCB_UPDATES_MAX];

static int scb_measure(const struct scb_key *k, bool batched)
{
	unsigned int want = batched ? 3 * DIV_ROUND_UP(k->n + 1, SCB_BATCH_MAX) : 3 * (k->n + 1);
	const char *how = batched ? "batched" : "unbatched";
	/* A fresh one each time: a registered kprobe keeps its address. */
	struct kprobe kp = {
		.symbol_name = "do_sync_core",
		.pre_handler = scb_sync_pre,
		.post_handler = scb_sync_post,
	};
	int i, lo, hi, ret;

	ret = register_kprobe(&kp);
	if (ret) {
		pr_err("FAIL: kprobe on do_sync_core: %d\n", ret);
		return ret;
	}
	if (!scb_run(k, batched, updates, scb_syncs_buf, scb_ns)) {
		unregister_kprobe(&kp);
		return -EINVAL;
	}
	unregister_kprobe(&kp);
	lo = hi = scb_syncs_buf[0];
	for (i = 1; i < updates; i++) {
		lo = min(lo, scb_syncs_buf[i]);
		hi = max(hi, scb_syncs_buf[i]);
	}

	if (!scb_run(k, batched, updates, scb_syncs_buf, scb_ns))
		return -EINVAL;
	sort(scb_ns, updates, sizeof(*scb_ns), scb_cmp, NULL);
	pr_info("%s: N=%u %s: %d..%d syncs per update (want %u), %llu ns per update (median of %u)\n",
		lo == want && hi == want ? "PASS" : "FAIL", k->n, how, lo, hi, want,
		scb_ns[updates / 2], updates);
	return lo == want && hi == want ? 0 : -EINVAL;
}

static int __init scb_init(void)
{
	int i, ret = 0;

	if (!updates || updates > SCB_UPDATES_MAX)
		return -EINVAL;
	pr_info("%u CPUs, %s\n", num_online_cpus(),
		IS_ENABLED(CONFIG_X86_TEXT_POKE_RUST) ? "X86_TEXT_POKE_RUST=y" : "X86_TEXT_POKE_RUST=n");
	for (i = 0; i < ARRAY_SIZE(scb_keys); i++) {
		ret = ret ?: scb_measure(&scb_keys[i], true);
		ret = ret ?: scb_measure(&scb_keys[i], false);
	}
	pr_info("%s\n", ret ? "FAIL" : "done");
	return ret;
}
module_init(scb_init);

static void __exit scb_exit(void)
{
}
module_exit(scb_exit);

MODULE_DESCRIPTION("Cost of static_call_update(): batched against per site");
MODULE_LICENSE("GPL");
